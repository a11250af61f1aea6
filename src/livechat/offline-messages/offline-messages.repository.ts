import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { findPage, type Page } from '../../common/pagination';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Scope } from '../scope/scope';
import { OfflineMessage, OfflineMessageStatus } from './offline-message.schema';

/** Not yet sent, and no attempt in flight. */
const NO_ATTEMPT = { status: 'pending', attemptId: { $exists: false } } as const;

/**
 * The offline-message outbox (`livechat_offline_messages`). What the console reads and
 * retries takes the caller's scope: a restricted (monitor's) scope sees only the messages
 * of its units' departments, never one left without a department. The delivery's own
 * reads and writes (OfflineMessageOutbox) and the visitor's insert are the service's,
 * and unscoped: they are the `delivery` methods.
 */
@Injectable()
export class OfflineMessagesRepository {
  constructor(
    @InjectModel(OfflineMessage.name) private readonly messages: Model<OfflineMessage>,
    private readonly departments: DepartmentsRepository,
  ) {}

  /** `filter`, kept to the departments of `scope` (a message without one is in no unit). */
  private async within(
    filter: QueryFilter<OfflineMessage>,
    scope: Scope,
  ): Promise<QueryFilter<OfflineMessage>> {
    const ids = await this.departments.idsIn(scope);
    return ids === undefined ? filter : { ...filter, departmentId: { $in: ids } };
  }

  // ---- the console: scoped -----------------------------------------------------------------

  async page(
    status: OfflineMessageStatus | undefined,
    page: Page,
    scope: Scope,
  ): Promise<{ items: OfflineMessage[]; total: number }> {
    return findPage<OfflineMessage>(
      this.messages,
      await this.within(status ? { status } : {}, scope),
      page,
    );
  }

  async findById(id: string, scope: Scope): Promise<OfflineMessage | null> {
    return this.messages.findOne(await this.within({ _id: id }, scope)).lean<OfflineMessage>();
  }

  /** Applies `update` if the message is still as `expected` says (and in `scope`). */
  async updateIf(
    id: string,
    expected: QueryFilter<OfflineMessage>,
    update: UpdateQuery<OfflineMessage>,
    scope: Scope,
  ): Promise<OfflineMessage | null> {
    return this.messages
      .findOneAndUpdate(await this.within({ ...expected, _id: id }, scope), update, {
        returnDocument: 'after',
      })
      .lean<OfflineMessage>();
  }

  // ---- the visitor's insert and the delivery: the service's own, unscoped ---------------------

  async insert(message: OfflineMessage): Promise<void> {
    await this.messages.create(message);
  }

  /** Due messages without an attempt in flight, oldest due first. */
  async deliveryDue(now: Date, limit: number): Promise<OfflineMessage[]> {
    return this.messages
      .find({ ...NO_ATTEMPT, nextAttemptAt: { $lte: now } })
      .sort({ nextAttemptAt: 1, _id: 1 })
      .limit(limit)
      .lean<OfflineMessage[]>();
  }

  /** Claims the next attempt of a due message; null when another instance (or a retry) won. */
  async deliveryClaim(id: string, attemptId: string, now: Date): Promise<OfflineMessage | null> {
    return this.messages
      .findOneAndUpdate(
        { _id: id, ...NO_ATTEMPT, nextAttemptAt: { $lte: now } },
        { $set: { attemptId, attemptStartedAt: now, updatedAt: now }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      )
      .lean<OfflineMessage>();
  }

  /** Writes an attempt's outcome while it is still the one in flight; false otherwise. */
  async deliveryConclude(
    id: string,
    attemptId: string,
    update: { $set: Partial<OfflineMessage>; $unset?: Record<string, 1> },
  ): Promise<boolean> {
    const { modifiedCount } = await this.messages.updateOne(
      { _id: id, status: 'pending', attemptId },
      { ...update, $unset: { ...update.$unset, attemptId: 1, attemptStartedAt: 1 } },
    );
    return modifiedCount === 1;
  }

  async deliveryInFlight(): Promise<OfflineMessage[]> {
    return this.messages
      .find({ status: 'pending', attemptId: { $exists: true } })
      .lean<OfflineMessage[]>();
  }

  /** Deletes sent and failed messages last changed before `before`. */
  async deliveryPrune(before: Date): Promise<void> {
    await this.messages.deleteMany({
      status: { $in: ['sent', 'failed'] },
      updatedAt: { $lt: before },
    });
  }
}
