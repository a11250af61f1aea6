import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { findPage, Page } from '../../common/pagination';
import { DepartmentHistoryEntry, DepartmentJournalEntry } from './department-history.schema';

export type HistoryRecord = DepartmentHistoryEntry;
export type PendingRecord<Plan> = HistoryRecord & { plan: Plan };

const DUPLICATE_KEY = 11000;

/** The department history, and the journal of department writes in progress. */
@Injectable()
export class DepartmentHistoryService {
  constructor(
    @InjectModel(DepartmentHistoryEntry.name)
    private readonly entries: Model<DepartmentHistoryEntry>,
    @InjectModel(DepartmentJournalEntry.name)
    private readonly journal: Model<DepartmentJournalEntry>,
  ) {}

  /** Journals a write before its first step. */
  async begin<Plan>(record: PendingRecord<Plan>): Promise<void> {
    await this.journal.insertMany([record], { lean: true });
  }

  /** The write is complete: keep it as history (unless it changed nothing), leave the journal. */
  async finish(record: HistoryRecord): Promise<void> {
    if (!isEmptyUpdate(record)) await this.record(record);
    await this.journal.deleteOne({ _id: record._id });
  }

  /** The write was refused after it was journaled (a lost compare-and-set): forget it. */
  async abandon(id: string): Promise<void> {
    await this.journal.deleteOne({ _id: id });
  }

  /** Stores a history entry; storing the same `_id` again (a replay) is a no-op. */
  async record(record: HistoryRecord): Promise<void> {
    try {
      await this.entries.insertMany([record], { lean: true });
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
  }

  /** Journaled writes not yet finished (parked ones aside), oldest first. */
  async pending<Plan>(): Promise<PendingRecord<Plan>[]> {
    return this.journal
      .find({ parked: { $ne: true } })
      .sort({ ts: 1, _id: 1 })
      .lean<PendingRecord<Plan>[]>();
  }

  /** The department's journaled writes not yet finished (parked ones aside). */
  async pendingFor<Plan>(departmentId: string): Promise<PendingRecord<Plan>[]> {
    return this.journal
      .find({ departmentId, parked: { $ne: true } })
      .sort({ ts: 1, _id: 1 })
      .lean<PendingRecord<Plan>[]>();
  }

  /**
   * Counts a failed replay of a journal entry, and parks it (no more replays) at
   * `maxAttempts`. The caller holds the department's write lease: the only writer.
   */
  async failedAttempt(
    id: string,
    maxAttempts: number,
  ): Promise<{ attempts: number; parked: boolean }> {
    const entry = await this.journal
      .findOne({ _id: id }, { attempts: 1 })
      .lean<{ attempts?: number }>();
    const attempts = (entry?.attempts ?? 0) + 1;
    const parked = attempts >= maxAttempts;
    await this.journal.updateOne({ _id: id }, { $set: { attempts, ...(parked && { parked }) } });
    return { attempts, parked };
  }

  /** How many entries are pending, and the parked ones (which need an operator). */
  async journalStatus(): Promise<{
    pending: number;
    parked: { _id: string; departmentId: string }[];
  }> {
    const [pending, parked] = await Promise.all([
      this.journal.countDocuments({ parked: { $ne: true } }),
      this.journal
        .find({ parked: true }, { _id: 1, departmentId: 1 })
        .limit(20)
        .lean<{ _id: string; departmentId: string }[]>(),
    ]);
    return { pending, parked };
  }

  async list(
    departmentId: string,
    page: Page,
  ): Promise<{ history: HistoryRecord[]; total: number }> {
    const { items, total } = await findPage<DepartmentHistoryEntry, HistoryRecord>(
      this.entries,
      { departmentId },
      { ...page, sort: { ts: -1, _id: -1 } },
    );
    return { history: items, total };
  }

  /** Deletes entries older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const { deletedCount } = await this.entries.deleteMany({ ts: { $lt: before } });
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
