import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { findPage, Page } from '../../common/pagination';
import {
  AgentChanges,
  DepartmentHistoryEntry,
  DepartmentJournalEntry,
} from './department-history.schema';

/** A history entry; with `mergeInto`, a write that completes that earlier entry instead. */
export type HistoryRecord = DepartmentHistoryEntry & { mergeInto?: string };

/** The actions a later request of the same save may complete. */
const SAVE_ACTIONS = new Set(['create', 'update', 'agents']);
export type PendingRecord<Plan> = HistoryRecord & { plan: Plan; touches?: string[] };

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
    if (record.mergeInto !== undefined) {
      // The merged agent changes were computed when the write was planned: a replay sets the same.
      await this.entries.updateOne({ _id: record.mergeInto }, { $set: { agents: record.agents } });
    } else if (!isEmptyUpdate(record)) {
      await this.record(record);
    }
    await this.journal.deleteOne({ _id: record._id });
  }

  /**
   * One save, one entry: when the department's latest entry is a create, update or agents
   * entry of the same user with the same request id (a client sends its X-Request-Id again
   * on the second request of a save), `record`'s agent changes are folded into that entry
   * (`mergeInto`); otherwise `record` is returned as it is. Call it under the department's lock.
   */
  async asPartOfSave(record: HistoryRecord): Promise<HistoryRecord> {
    const [latest] = await this.entries
      .find({ departmentId: record.departmentId })
      .sort({ ts: -1, _id: -1 })
      .limit(1)
      .lean<HistoryRecord[]>();
    if (
      !latest ||
      !SAVE_ACTIONS.has(latest.action) ||
      latest.user._id !== record.user._id ||
      latest.requestId !== record.requestId
    ) {
      return record;
    }
    const agents = record.agents ?? { added: [], removed: [], changed: [] };
    return { ...record, mergeInto: latest._id, agents: mergeAgentChanges(latest.agents, agents) };
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

  /**
   * The journaled writes not yet finished (parked ones aside) that touch the department
   * (or unit): its own, and those of other documents that write it too.
   */
  async pendingFor<Plan>(departmentId: string): Promise<PendingRecord<Plan>[]> {
    return this.journal
      .find({ $or: [{ departmentId }, { touches: departmentId }], parked: { $ne: true } })
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

/**
 * The agent changes of `first` followed by `then`, as one: an agent added and then removed
 * is neither; later count/order values win.
 */
export function mergeAgentChanges(
  first: AgentChanges | undefined,
  then: AgentChanges,
): AgentChanges {
  const before = first ?? { added: [], removed: [], changed: [] };
  const removedNow = new Set(then.removed);
  const added = [
    ...before.added.filter((id) => !removedNow.has(id)),
    ...then.added.filter((id) => !before.added.includes(id)),
  ];
  const removed = [
    ...before.removed,
    ...then.removed.filter((id) => !before.added.includes(id) && !before.removed.includes(id)),
  ];
  const changed = new Map<string, AgentChanges['changed'][number]>();
  for (const change of [...before.changed, ...then.changed]) {
    if (removedNow.has(change.agentId)) continue;
    changed.set(change.agentId, { ...changed.get(change.agentId), ...change });
  }
  const named = new Set([...added, ...removed, ...changed.keys()]);
  const users = new Map<string, { _id: string; username: string }>();
  for (const user of [...(before.users ?? []), ...(then.users ?? [])]) {
    if (named.has(user._id)) users.set(user._id, user);
  }
  return { added, removed, changed: [...changed.values()], users: [...users.values()] };
}

function isEmptyUpdate(record: HistoryRecord): boolean {
  if (record.action !== 'update' && record.action !== 'agents') return false;
  const agents = record.agents;
  return (
    !record.changes?.length &&
    (!agents || agents.added.length + agents.removed.length + agents.changed.length === 0)
  );
}
