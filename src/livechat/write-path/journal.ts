import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { HistoryRecord } from '../history/department-history.service';
import { DepartmentJournalEntry } from './journal.schema';
import type { DepartmentPlan } from './plan';

export type JournalEntry = HistoryRecord & {
  plan: DepartmentPlan;
  touches?: string[];
  writer?: string;
  owner?: string;
  epochs?: Record<string, number>;
  staleEpochs?: Record<string, number>[];
  overtaken?: boolean;
};

const ACTIVE = { parked: { $ne: true }, overtaken: { $ne: true } };

/**
 * The journal of department writes. Every change of an entry is conditional on its
 * current `writer`, so a writer that was overtaken while paused can neither finish nor
 * take back an entry another writer has taken over.
 */
@Injectable()
export class DepartmentJournal {
  constructor(
    @InjectModel(DepartmentJournalEntry.name)
    private readonly journal: Model<DepartmentJournalEntry>,
  ) {}

  /** Journals a write before its first step. */
  async begin(entry: JournalEntry): Promise<void> {
    await this.journal.insertMany([entry], { lean: true });
  }

  /** Removes the entry if `writer` still carries it; false when it was overtaken. */
  async finish(id: string, writer: string | undefined): Promise<boolean> {
    const { deletedCount } = await this.journal.deleteOne({ _id: id, writer });
    return deletedCount === 1;
  }

  /**
   * `writer` takes the entry over from `from` (a replay): the earlier writer's epochs
   * join `staleEpochs`. False when somebody else took it first.
   */
  async takeOver(
    entry: JournalEntry,
    writer: string,
    owner: string,
    epochs: Record<string, number> | undefined,
  ): Promise<boolean> {
    const { matchedCount } = await this.journal.updateOne(
      { _id: entry._id, writer: entry.writer },
      {
        $set: { writer, owner, epochs },
        ...(entry.epochs && { $push: { staleEpochs: entry.epochs } }),
      },
    );
    return matchedCount === 1;
  }

  /** The entry is finished by `writer`, who was not its first: keep it for the sweep. */
  async markOvertaken(id: string, writer: string): Promise<boolean> {
    const { matchedCount } = await this.journal.updateOne(
      { _id: id, writer },
      { $set: { overtaken: true } },
    );
    return matchedCount === 1;
  }

  /** Journaled writes not yet finished (parked and overtaken ones aside), oldest first. */
  async pending(): Promise<JournalEntry[]> {
    return this.journal.find(ACTIVE).sort({ ts: 1, _id: 1 }).lean<JournalEntry[]>();
  }

  /**
   * The journaled writes not yet finished that touch the department (or unit): its own,
   * and those of other documents that write it too.
   */
  async pendingFor(departmentId: string): Promise<JournalEntry[]> {
    return this.journal
      .find({ $or: [{ departmentId }, { touches: departmentId }], ...ACTIVE })
      .sort({ ts: 1, _id: 1 })
      .lean<JournalEntry[]>();
  }

  /** Entries finished by another writer than their first, whose late inserts are swept. */
  async overtaken(): Promise<JournalEntry[]> {
    return this.journal.find({ overtaken: true }).lean<JournalEntry[]>();
  }

  async remove(id: string): Promise<void> {
    await this.journal.deleteOne({ _id: id });
  }

  /**
   * Counts a failed replay of a journal entry, and parks it (no more replays) at
   * `maxAttempts`. The caller holds the department's write lease.
   */
  async failedAttempt(
    id: string,
    maxAttempts: number,
  ): Promise<{ attempts: number; parked: boolean }> {
    const entry = await this.journal
      .findOneAndUpdate({ _id: id }, { $inc: { attempts: 1 } }, { returnDocument: 'after' })
      .lean<{ attempts?: number }>();
    const attempts = entry?.attempts ?? maxAttempts;
    const parked = attempts >= maxAttempts;
    if (parked) await this.journal.updateOne({ _id: id }, { $set: { parked } });
    return { attempts, parked };
  }

  /** How many entries are pending, and the parked ones (which need an operator). */
  async status(): Promise<{
    pending: number;
    parked: { _id: string; departmentId: string }[];
  }> {
    const [pending, parked] = await Promise.all([
      this.journal.countDocuments(ACTIVE),
      this.journal
        .find({ parked: true }, { _id: 1, departmentId: 1 })
        .limit(20)
        .lean<{ _id: string; departmentId: string }[]>(),
    ]);
    return { pending, parked };
  }
}
