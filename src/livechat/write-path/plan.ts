import type { Department } from '../departments/schemas/department.schema';
import type { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import type { HistoryRecord } from '../history/department-history.service';
import type { UnitVisibility } from '../units/unit.schema';

/** An assignment to insert or update; `count`/`order` left out keep the stored value (0 when new). */
export interface AssignmentWrite {
  agentId: string;
  username: string;
  count?: number;
  order?: number;
  /** The stored assignment's id, or the id it gets when inserted. */
  _id: string;
  /** Whether it was stored when the write was planned. */
  exists: boolean;
  /** Stored with this username already: an update need not set it. */
  usernameUnchanged?: boolean;
}

/** A monitor of a unit, as a unit write stores it. */
export interface UnitMonitorWrite {
  monitorId: string;
  username: string;
}

/** A department that a unit write moves into the unit, or (`unitId` null) out of its unit. */
export interface DepartmentMove {
  departmentId: string;
  unitId: string | null;
  /** The department's next `_updatedAt`. */
  version: Date;
  /** Its history entry ("moved to unit X"), stored with this fixed id. */
  history: HistoryRecord;
}

/**
 * Everything a department (or unit) write does, decided (and validated) before its first
 * step, so that it can be journaled and replayed. Every step is idempotent. Each plan
 * writes one document of the department collection (and what hangs off it), plus the
 * counts of the units in `recountUnits`, whose leases it holds too.
 */
export type DepartmentPlan = (
  | { kind: 'create'; department: Department; assignments: DepartmentAgent[] }
  | {
      kind: 'update';
      departmentId: string;
      version: Date;
      set: Partial<Department>;
      unset: string[];
      upsert: AssignmentWrite[];
      removeAgentIds: string[];
      /** The department's `enabled` after the write, mirrored into its assignments. */
      departmentEnabled: boolean;
      /** `enabled` changes: every assignment's `departmentEnabled` follows. */
      syncEnabled: boolean;
    }
  | {
      kind: 'delete';
      departmentId: string;
      /** Its name, for the history of the departments whose references to it are dropped. */
      departmentName?: string;
      /**
       * The units of a restricted (monitor's) deleter: dropping a reference from a
       * department outside them is recorded as the system's clean-up, not as the deleter's.
       */
      deleterUnits?: string[];
    }
  | {
      kind: 'unit';
      unitId: string;
      version: Date;
      /** The unit's fields after the write; null deletes it (with its monitor links). */
      unit: { name: string; visibility: UnitVisibility } | null;
      /** The unit's complete set of monitors after the write. */
      monitors: UnitMonitorWrite[];
      moves: DepartmentMove[];
    }
) & {
  /** Units whose numDepartments/numMonitors the write changes: recounted after its steps. */
  recountUnits?: string[];
};

export type UpdatePlan = Extract<DepartmentPlan, { kind: 'update' }>;
export type UnitPlan = Extract<DepartmentPlan, { kind: 'unit' }>;

function planDepartmentId(plan: DepartmentPlan): string {
  switch (plan.kind) {
    case 'create':
      return plan.department._id;
    case 'unit':
      return plan.unitId;
    default:
      return plan.departmentId;
  }
}

/**
 * Every document of the department collection a plan writes: the leases it needs, and
 * what its journal entry is found by, so that a later write to any of them finishes it
 * first (and a replay never undoes that later write).
 */
export function planTouches(plan: DepartmentPlan): string[] {
  const moved = plan.kind === 'unit' ? plan.moves.map((move) => move.departmentId) : [];
  return [...new Set([planDepartmentId(plan), ...moved, ...(plan.recountUnits ?? [])])];
}

/**
 * The documents a plan inserts (rather than updates), by collection: what a paused
 * writer could insert late, after a later writer deleted them, so what the sweep of an
 * overtaken entry looks for.
 */
export function planInserts(plan: DepartmentPlan): {
  departments: string[];
  assignments: { departmentId: string; ids: string[] };
  unitMonitors: string[];
} {
  const none = { departments: [], unitMonitors: [] };
  switch (plan.kind) {
    case 'create':
      return {
        ...none,
        departments: [plan.department._id],
        assignments: {
          departmentId: plan.department._id,
          ids: plan.assignments.map((assignment) => assignment._id),
        },
      };
    case 'update':
      return {
        ...none,
        assignments: {
          departmentId: plan.departmentId,
          ids: plan.upsert.filter((agent) => !agent.exists).map((agent) => agent._id),
        },
      };
    case 'unit':
      return {
        departments: plan.unit ? [plan.unitId] : [],
        assignments: { departmentId: plan.unitId, ids: [] },
        unitMonitors: plan.monitors.map((monitor) => unitMonitorId(plan.unitId, monitor.monitorId)),
      };
    default:
      return { ...none, assignments: { departmentId: plan.departmentId, ids: [] } };
  }
}

export const unitMonitorId = (unitId: string, monitorId: string) => `${unitId}:${monitorId}`;

/**
 * The department's next `_updatedAt` (its ETag): never earlier than the stored one, so
 * it only moves forward even when this machine's clock is behind another's. It is a
 * version for clients, not what orders writes (the fencing epochs do).
 */
export function nextVersion(previous: Date): Date {
  return new Date(Math.max(Date.now(), new Date(previous).getTime() + 1));
}
