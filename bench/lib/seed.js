'use strict';
// The benchmark dataset. Cheap parts go through the service's own API (admin login, one
// department created with POST); bulk parts are inserted with the mongodb driver in the exact
// shapes the service stores (string 17-char _ids, numAgents consistent with the assignments).

const { randomId, request } = require('./common');

const WORDS = [
  'Sales',
  'Support',
  'Billing',
  'Onboarding',
  'Technical',
  'Returns',
  'Partners',
  'Marketing',
  'Legal',
  'Shipping',
];
const DEPARTMENT_CHUNK = 1000;

function agentUser(i, now) {
  const username = `bench.agent.${String(i).padStart(4, '0')}`;
  return {
    _id: randomId(),
    username,
    name: `Bench Agent ${i}`,
    emails: [{ address: `${username}@bench.example.com`, verified: false }],
    roles: ['user', 'livechat-agent'],
    active: true,
    status: 'online',
    statusLivechat: 'available',
    type: 'user',
    services: { resume: { loginTokens: [] } },
    createdAt: now,
    _updatedAt: now,
  };
}

function departmentDoc(name, numAgents, now, extra = {}) {
  return {
    _id: randomId(),
    name,
    email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@bench.example.com`,
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
    numAgents,
    _updatedAt: now,
    ...extra,
  };
}

/**
 * The i-th regular department's shape, so the widget (S7) has something to filter: 1 in 10 has
 * no agents, 1 in 20 is disabled, 1 in 50 archived; the two widget flags vary.
 */
function regularShape(i) {
  return {
    withAgents: i % 10 !== 7,
    extra: {
      enabled: i % 20 !== 3,
      ...(i % 50 === 11 ? { archived: true } : {}),
      showOnRegistration: i % 3 !== 0,
      showOnOfflineForm: i % 4 !== 0,
    },
  };
}

/** What the widget lists: enabled, not archived, with agents. */
const listedByWidget = (department) =>
  department.enabled && !department.archived && department.numAgents > 0;

/**
 * Widget settings the seed changes from their defaults (the rest keep them). The offline form
 * (S8) needs an address to send to; `SMTP_Host` keeps its default (empty), so delivery is off:
 * messages wait in the outbox and no mail leaves the machine.
 */
const WIDGET_SETTINGS = {
  Livechat_title: 'Bench Support',
  Livechat_offline_message: 'We are away; leave a message and we will answer by e-mail.',
  Livechat_offline_email: 'offline@bench.example.com',
};

function assignmentDoc(department, agent, now) {
  return {
    _id: randomId(),
    agentId: agent._id,
    departmentId: department._id,
    username: agent.username,
    departmentEnabled: department.enabled,
    count: 0,
    order: 0,
    _updatedAt: now,
  };
}

/** The name of the i-th generated department: "<Word> <number>" — 1 in 10 contains "Sales". */
function departmentName(i) {
  return `${WORDS[i % WORDS.length]} ${String(i).padStart(5, '0')}`;
}

async function insertChunked(collection, docs) {
  for (let i = 0; i < docs.length; i += DEPARTMENT_CHUNK) {
    await collection.insertMany(docs.slice(i, i + DEPARTMENT_CHUNK), { ordered: false });
  }
}

/** Logs in through the service (POST /api/v1/login); returns the auth headers. */
async function login(port, username, password) {
  const res = await request(port, 'POST', '/api/v1/login', { body: { user: username, password } });
  if (res.status !== 200 || !res.body?.data?.authToken) {
    throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { 'x-user-id': res.body.data.userId, 'x-auth-token': res.body.data.authToken };
}

/**
 * Seeds: `agents` agent users (all available), `departments` departments in total:
 * one "big" department holding every agent, one created through the API (the S4 target),
 * and the rest each holding 2 of the first `spreadAgents` agents (round robin).
 */
async function seed(db, { port, auth, departments = 1000, agents = 500, spreadAgents = 200 }) {
  const now = new Date();
  const users = db.collection('users');
  const departmentsCol = db.collection('rocketchat_livechat_department');
  const assignmentsCol = db.collection('rocketchat_livechat_department_agents');

  const agentDocs = Array.from({ length: agents }, (_, i) => agentUser(i, now));
  await users.insertMany(agentDocs, { ordered: false });

  const big = departmentDoc('Bench Big Department', agentDocs.length, now);
  const regular = [];
  const links = [];
  for (let i = 0; i < departments - 2; i++) {
    const { withAgents, extra } = regularShape(i);
    const department = departmentDoc(departmentName(i), withAgents ? 2 : 0, now, extra);
    regular.push(department);
    if (!withAgents) continue;
    links.push(assignmentDoc(department, agentDocs[(2 * i) % spreadAgents], now));
    links.push(assignmentDoc(department, agentDocs[(2 * i + 1) % spreadAgents], now));
  }
  for (const agent of agentDocs) links.push(assignmentDoc(big, agent, now));
  await insertChunked(departmentsCol, [big, ...regular]);
  await insertChunked(assignmentsCol, links);
  // Before the API call below: its write makes the service rebuild its widget answer.
  const settingsCol = db.collection('rocketchat_settings');
  for (const [_id, value] of Object.entries(WIDGET_SETTINGS)) {
    await settingsCol.updateOne({ _id }, { $set: { value, _updatedAt: now } }, { upsert: true });
  }

  // Through the API: the S4 target, with two agents from outside the toggled pair.
  const created = await request(port, 'POST', '/api/v1/livechat/department', {
    headers: auth,
    body: {
      department: {
        name: 'Bench Agents Department',
        email: 'bench.agents@bench.example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
      agents: [{ agentId: agentDocs[0]._id }, { agentId: agentDocs[1]._id }],
    },
  });
  if (created.status !== 200 || !created.body?.department?._id) {
    throw new Error(
      `seed: creating a department through the API failed: ${created.status} ${JSON.stringify(created.body)}`,
    );
  }

  return {
    agents: agentDocs.map((agent) => ({ _id: agent._id, username: agent.username })),
    bigDepartmentId: big._id,
    agentsDepartmentId: created.body.department._id,
    // A regular department in the middle of the name order, for S1.
    sampleDepartmentId: regular[Math.floor(regular.length / 2)]._id,
    departmentCount: departments,
    archivedCount: regular.filter((d) => d.archived).length,
    assignmentCount: links.length + 2,
    // The big department, the one created through the API, and the listed regular ones.
    widgetDepartmentCount: 2 + regular.filter(listedByWidget).length,
    widgetTitle: WIDGET_SETTINGS.Livechat_title,
  };
}

/**
 * Adds departments until there are `total` (the scale runs). They have no agents, so the widget's
 * answer (S7) keeps the departments it lists and only the data around it grows; 1 in 10 is named
 * "Sales …" like the others (S2t). Bulk inserts, as above.
 */
async function growDepartments(db, total) {
  const collection = db.collection('rocketchat_livechat_department');
  const existing = await collection.countDocuments({});
  const now = new Date();
  const docs = [];
  for (let i = existing; i < total; i++) docs.push(departmentDoc(departmentName(i), 0, now));
  await insertChunked(collection, docs);
  await dataChanged(db);
  return collection.countDocuments({});
}

/**
 * Removes every department but `keepIds` (what growDepartments added), for the rows after it;
 * in chunks: FerretDB's SQLite backend refuses a delete that matches tens of thousands at once.
 */
async function removeDepartmentsExcept(db, keepIds) {
  const collection = db.collection('rocketchat_livechat_department');
  const kept = new Set(keepIds);
  const ids = (await collection.distinct('_id')).filter((id) => !kept.has(id));
  for (let i = 0; i < ids.length; i += 5_000) {
    await collection.deleteMany({ _id: { $in: ids.slice(i, i + 5_000) } });
  }
  if (ids.length) await dataChanged(db);
  return ids.length;
}

/**
 * Adds available agents to the big department (S6's), which holds `from`, until it holds `total`:
 * users and assignments in the service's shapes, numAgents counted from the assignments.
 * Returns what was added, for removeAgents.
 */
async function growAgents(db, data, from, total) {
  const now = new Date();
  const users = Array.from({ length: Math.max(0, total - from) }, (_, k) =>
    agentUser(from + k, now),
  );
  const big = { _id: data.bigDepartmentId, enabled: true };
  const links = users.map((agent) => assignmentDoc(big, agent, now));
  await insertChunked(db.collection('users'), users);
  await insertChunked(db.collection('rocketchat_livechat_department_agents'), links);
  await recountAgents(db, data.bigDepartmentId);
  return { userIds: users.map((u) => u._id), assignmentIds: links.map((l) => l._id) };
}

/** Removes what growAgents added, so later measurements see the seeded dataset again. */
async function removeAgents(db, data, added) {
  const removeByIds = async (collection, ids) => {
    for (let i = 0; i < ids.length; i += DEPARTMENT_CHUNK) {
      await db
        .collection(collection)
        .deleteMany({ _id: { $in: ids.slice(i, i + DEPARTMENT_CHUNK) } });
    }
  };
  await removeByIds('rocketchat_livechat_department_agents', added.assignmentIds);
  await removeByIds('users', added.userIds);
  await recountAgents(db, data.bigDepartmentId);
}

/** numAgents = the department's assignments, as the service keeps it; a write bumps _updatedAt. */
async function recountAgents(db, departmentId) {
  const numAgents = await db
    .collection('rocketchat_livechat_department_agents')
    .countDocuments({ departmentId });
  await db
    .collection('rocketchat_livechat_department')
    .updateOne({ _id: departmentId }, { $set: { numAgents, _updatedAt: new Date() } });
  await dataChanged(db);
}

/** Deletes the offline messages S8 left (the outbox keeps them: delivery is off), so every round sees the same data. */
async function removeOfflineMessages(db) {
  return (await db.collection('livechat_offline_messages').deleteMany({})).deletedCount;
}

/** Deletes the departments S3 created (by name) and their assignments, so every run sees the same data. */
async function removeCreatedDepartments(db, name) {
  const departmentsCol = db.collection('rocketchat_livechat_department');
  const ids = (await departmentsCol.find({ name }, { projection: { _id: 1 } }).toArray()).map(
    (d) => d._id,
  );
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db
      .collection('rocketchat_livechat_department_agents')
      .deleteMany({ departmentId: { $in: chunk } });
    await departmentsCol.deleteMany({ _id: { $in: chunk } });
  }
  if (ids.length) await dataChanged(db);
  return ids.length;
}

/**
 * The version the service's in-memory answers (the widget's, the department lists) check before
 * use (docs/several-instances.md): every write the service makes increments it, so a write made
 * past the service (the seed's bulk inserts) must increment it too, or no instance sees it.
 */
async function dataChanged(db) {
  await db
    .collection('livechat_version')
    .updateOne({ _id: 'livechat' }, { $inc: { v: 1 } }, { upsert: true });
}

module.exports = {
  seed,
  login,
  growDepartments,
  removeDepartmentsExcept,
  growAgents,
  removeAgents,
  removeCreatedDepartments,
  removeOfflineMessages,
};
