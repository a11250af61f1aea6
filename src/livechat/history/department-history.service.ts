import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { randomId } from '../../common/ids';
import type { Page } from '../../common/pagination';
import type { Scope } from '../scope/scope';
import { DepartmentHistoryRepository } from './department-history.repository';
import {
  AgentChanges,
  DepartmentHistoryEntry,
  FieldChange,
  HistoryAction,
} from './department-history.schema';

/** A history entry; with `mergeInto`, a write that completes that earlier entry instead. */
export type HistoryRecord = DepartmentHistoryEntry & { mergeInto?: string };

/**
 * A history entry of `actor` for a write about to happen on `departmentId` (a department's or
 * a unit's id): its author, request and configuration apply, nothing else of the actor.
 */
export function historyEntry(
  actor: Actor,
  departmentId: string,
  action: HistoryAction,
  detail: { changes?: FieldChange[]; agents?: AgentChanges },
): HistoryRecord {
  const { user, requestId, applyId } = actor;
  return {
    _id: randomId(),
    departmentId,
    action,
    user,
    requestId,
    ...(applyId !== undefined && { applyId }),
    ts: new Date(),
    ...detail,
  };
}

/** The actions a later request of the same save may complete. */
const SAVE_ACTIONS = new Set(['create', 'update', 'agents']);

/** The department history: what changed, by whom, with names. */
@Injectable()
export class DepartmentHistoryService {
  constructor(private readonly entries: DepartmentHistoryRepository) {}

  /** A write is complete: keep it as history (unless it changed nothing). */
  async complete(record: HistoryRecord): Promise<void> {
    if (record.mergeInto !== undefined) {
      // The merged agent changes were computed when the write was planned: a replay sets the same.
      await this.entries.setAgents(record.mergeInto, record.agents);
    } else if (!isEmptyUpdate(record)) {
      await this.record(record);
    }
  }

  /**
   * One save, one entry: when the department's latest entry is a create, update or agents
   * entry of the same user with the same request id (a client sends its X-Request-Id again
   * on the second request of a save), `record`'s agent changes are folded into that entry
   * (`mergeInto`); otherwise `record` is returned as it is. Call it under the department's lock.
   * A fresh id (generated for this request, `Actor.freshRequestId`) is in no entry yet.
   */
  async asPartOfSave(record: HistoryRecord, freshRequestId = false): Promise<HistoryRecord> {
    if (freshRequestId) return record;
    const latest = await this.entries.latestOf<HistoryRecord>(record.departmentId);
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
    await this.entries.insert(record);
  }

  async list(
    departmentId: string,
    page: Page,
    scope: Scope,
  ): Promise<{ history: HistoryRecord[]; total: number }> {
    const { items, total } = await this.entries.page<HistoryRecord>(departmentId, page, scope);
    return { history: items, total };
  }

  /** Deletes entries older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    return this.entries.deleteBefore(before);
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
