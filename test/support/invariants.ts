// The stored invariants that every department write must leave behind, even when it was
// interrupted (checked straight in the database, after recovery).
import type { Db } from 'mongodb';

interface StoredDepartment {
  _id: string;
  enabled: boolean;
  numAgents: number;
  fallbackForwardDepartment?: string;
  departmentsAllowedToForward?: string[];
  businessHourId?: string;
  parentId?: string;
  ancestors?: string[];
  type?: string;
  numDepartments?: number;
  numMonitors?: number;
}

/** One line per violated invariant; empty when the data is consistent. */
export async function invariantViolations(db: Db): Promise<string[]> {
  // Units share the collection (type 'u').
  const stored = await db
    .collection<StoredDepartment>('rocketchat_livechat_department')
    .find(
      {},
      {
        projection: {
          enabled: 1,
          numAgents: 1,
          fallbackForwardDepartment: 1,
          departmentsAllowedToForward: 1,
          businessHourId: 1,
          parentId: 1,
          ancestors: 1,
          type: 1,
          numDepartments: 1,
          numMonitors: 1,
        },
      },
    )
    .toArray();
  const departments = stored.filter((document) => document.type !== 'u');
  const units = new Map(
    stored.filter((document) => document.type === 'u').map((unit) => [unit._id, unit]),
  );
  const links = await db
    .collection<{ unitId: string; monitorId: string }>('rocketchat_livechat_unit_monitors')
    .find({})
    .toArray();
  const schedules = new Set(
    (
      await db
        .collection<{ _id: string }>('rocketchat_livechat_business_hours')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((schedule) => schedule._id),
  );
  const agents = new Set(
    (
      await db
        .collection<{ _id: string }>('users')
        .find({ roles: 'livechat-agent' }, { projection: { _id: 1 } })
        .toArray()
    ).map((user) => user._id),
  );
  const assignments = await db
    .collection<{ departmentId: string; agentId: string; departmentEnabled: boolean }>(
      'rocketchat_livechat_department_agents',
    )
    .find({})
    .toArray();
  const byId = new Map(departments.map((department) => [department._id, department]));
  const counts = new Map<string, number>();
  const violations: string[] = [];
  const pairs = new Set<string>();
  for (const assignment of assignments) {
    const department = byId.get(assignment.departmentId);
    const pair = `${assignment.departmentId}/${assignment.agentId}`;
    if (pairs.has(pair)) violations.push(`assignment ${pair} is stored twice`);
    pairs.add(pair);
    if (!department) {
      violations.push(`assignment ${pair} names a missing department`);
      continue;
    }
    counts.set(department._id, (counts.get(department._id) ?? 0) + 1);
    if (!agents.has(assignment.agentId)) {
      violations.push(`assignment ${pair} names a user without the agent role`);
    }
    if (assignment.departmentEnabled !== department.enabled) {
      violations.push(`assignment ${pair} has departmentEnabled ${assignment.departmentEnabled}`);
    }
  }
  for (const department of departments) {
    const count = counts.get(department._id) ?? 0;
    if (department.numAgents !== count) {
      violations.push(
        `department ${department._id} has numAgents ${department.numAgents}, ${count} assignments`,
      );
    }
    const fallback = department.fallbackForwardDepartment;
    if (fallback && !byId.has(fallback)) {
      violations.push(`department ${department._id} falls back to missing ${fallback}`);
    }
    for (const target of department.departmentsAllowedToForward ?? []) {
      if (!byId.has(target))
        violations.push(`department ${department._id} forwards to missing ${target}`);
    }
    if (department.parentId && !units.has(department.parentId)) {
      violations.push(`department ${department._id} is in missing unit ${department.parentId}`);
    }
    if (JSON.stringify(department.ancestors ?? []) !== JSON.stringify(department.parentId ? [department.parentId] : [])) {
      violations.push(`department ${department._id} has ancestors ${JSON.stringify(department.ancestors)}`);
    }
    if (department.businessHourId && !schedules.has(department.businessHourId)) {
      violations.push(`department ${department._id} follows missing ${department.businessHourId}`);
    }
  }
  for (const unit of units.values()) {
    const members = departments.filter((department) => department.parentId === unit._id).length;
    const monitors = links.filter((link) => link.unitId === unit._id).length;
    if (unit.numDepartments !== members) {
      violations.push(`unit ${unit._id} has numDepartments ${unit.numDepartments}, ${members} departments`);
    }
    if (unit.numMonitors !== monitors) {
      violations.push(`unit ${unit._id} has numMonitors ${unit.numMonitors}, ${monitors} monitors`);
    }
  }
  for (const link of links) {
    if (!units.has(link.unitId)) violations.push(`monitor ${link.monitorId} of missing unit ${link.unitId}`);
  }
  // Overtaken entries are finished writes kept only to sweep a paused writer's late inserts.
  const pending = await db
    .collection('livechat_department_journal')
    .countDocuments({ overtaken: { $ne: true } });
  if (pending) violations.push(`${pending} journaled write(s) still pending`);
  return violations;
}

/** What a write load was told: creates still alive, deletes acknowledged, deletes without an answer. */
export interface Acknowledged {
  created: Set<string>;
  deleted: Set<string>;
  /** A DELETE cut off by a kill may or may not have happened (it is rolled forward). */
  maybeDeleted: Set<string>;
}

/** One line per acknowledged create that was lost or acknowledged delete that came back. */
export async function durabilityViolations(db: Db, acknowledged: Acknowledged): Promise<string[]> {
  const stored = new Set(
    (
      await db
        .collection<{ _id: string }>('rocketchat_livechat_department')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((department) => department._id),
  );
  const violations: string[] = [];
  for (const id of acknowledged.created) {
    if (!stored.has(id) && !acknowledged.maybeDeleted.has(id)) {
      violations.push(`acknowledged create ${id} was lost`);
    }
  }
  for (const id of acknowledged.deleted) {
    if (stored.has(id)) violations.push(`acknowledged delete ${id} came back`);
  }
  return violations;
}
