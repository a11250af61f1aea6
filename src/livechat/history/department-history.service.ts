import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { findPage, Page } from '../../common/pagination';
import { DepartmentHistoryEntry } from './department-history.schema';

export type HistoryRecord = Omit<DepartmentHistoryEntry, 'state' | 'plan'>;
export type PendingRecord<Plan> = HistoryRecord & { plan: Plan };

const PUBLIC_FIELDS = { state: 0, plan: 0 } as const;

/** Storage of the department history, which doubles as the journal of pending writes. */
@Injectable()
export class DepartmentHistoryService {
  constructor(
    @InjectModel(DepartmentHistoryEntry.name)
    private readonly entries: Model<DepartmentHistoryEntry>,
  ) {}

  /** Journals a write before its first step. */
  async begin<Plan>(record: PendingRecord<Plan>): Promise<void> {
    await this.entries.insertMany([{ ...record, state: 'pending' }], { lean: true });
  }

  /** The write is complete: keep it as history, or drop it if it changed nothing visible. */
  async finish(record: HistoryRecord): Promise<void> {
    if (isEmptyUpdate(record)) {
      await this.entries.deleteOne({ _id: record._id });
      return;
    }
    await this.entries.updateOne(
      { _id: record._id },
      { $set: { state: 'done' }, $unset: { plan: 1 } },
    );
  }

  /** The write was refused after it was journaled (a lost compare-and-set): forget it. */
  async abandon(id: string): Promise<void> {
    await this.entries.deleteOne({ _id: id });
  }

  /** Records a finished change at once; the fixed `_id` makes a repeat a no-op. */
  async recordDone(record: HistoryRecord): Promise<void> {
    const { _id, ...rest } = record;
    await this.entries.updateOne(
      { _id },
      { $setOnInsert: { ...rest, state: 'done' } },
      { upsert: true },
    );
  }

  /** Journaled writes not yet finished, oldest first. */
  async pending<Plan>(startedBefore: Date): Promise<PendingRecord<Plan>[]> {
    return this.entries
      .find({ state: 'pending', ts: { $lte: startedBefore } })
      .sort({ ts: 1, _id: 1 })
      .lean<PendingRecord<Plan>[]>();
  }

  /** Whether the department was written again after `record` (which must then not be replayed). */
  async hasLaterEntry(record: HistoryRecord): Promise<boolean> {
    return (
      (await this.entries.exists({ departmentId: record.departmentId, ts: { $gt: record.ts } })) !==
      null
    );
  }

  async list(
    departmentId: string,
    page: Page,
  ): Promise<{ history: HistoryRecord[]; total: number }> {
    const { items, total } = await findPage<DepartmentHistoryEntry, HistoryRecord>(
      this.entries,
      { departmentId, state: 'done' },
      { ...page, sort: { ts: -1, _id: -1 } },
      PUBLIC_FIELDS,
    );
    return { history: items, total };
  }

  /** Deletes finished entries older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const { deletedCount } = await this.entries.deleteMany({ state: 'done', ts: { $lt: before } });
    return deletedCount;
  }
}

function isEmptyUpdate(record: HistoryRecord): boolean {
  if (record.action !== 'update' && record.action !== 'agents') return false;
  const agents = record.agents;
  return (
    !record.changes?.length &&
    (!agents || agents.added.length + agents.removed.length + agents.changed.length === 0)
  );
}
