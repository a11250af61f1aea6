'use strict';
// Baseline for the benchmark: the smallest honest implementation of the benchmarked requests.
// Fastify + the official mongodb driver, no framework, no ODM. Same collections and documents,
// same token check, same permission model (rocketchat_permissions, cached 5 s like the service),
// same queries, same writes, same per-department in-process lock (FerretDB loses concurrent
// updates otherwise), same response bodies in substance. It is NOT a product: only the routes
// the scenarios use, minimal input checks, no rate limit, no logging, no metrics.
//
// Env: MONGO_URL (with the database name), PORT (default 3100), HOST (default 127.0.0.1),
//      BASELINE_AUTH_CACHE_MS (default 5000, like the service's credentials cache; 0 = no cache).

const crypto = require('node:crypto');
const { setInterval } = require('node:timers');
const zlib = require('node:zlib');
const Fastify = require('fastify');
const { MongoClient } = require('mongodb');
const { randomId } = require('../lib/common');

const MONGO_URL = process.env.MONGO_URL;
const PORT = Number(process.env.PORT || 3100);
const HOST = process.env.HOST || '127.0.0.1';
const AUTH_CACHE_MS = Number(process.env.BASELINE_AUTH_CACHE_MS ?? 5_000);
const CACHE_TTL_MS = 5_000;
const LOGIN_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;
const VIEW = ['view-livechat-departments', 'view-l-room'];
const MAX_ATTEMPTS = 10;
const WIDGET_REFRESH_MS = 3_000;
/** The widget's settings and their defaults (the service seeds the same ones at start). */
const WIDGET_DEFAULTS = {
  Livechat_enabled: true,
  Livechat_registration_form: true,
  Livechat_name_field_registration_form: true,
  Livechat_email_field_registration_form: true,
  Livechat_display_offline_form: true,
  Livechat_title: 'Rocket.Chat',
  Livechat_title_color: '#C1272D',
  Livechat_offline_title: 'Leave a message',
  Livechat_offline_message: '',
  Livechat_offline_success_message: '',
  Livechat_offline_title_color: '#666666',
  Livechat_offline_form_unavailable: '',
};
const BUSINESS_HOURS_SETTING = 'Livechat_enable_business_hours';
/** The offline form's settings (S8) and their defaults. */
const OFFLINE_DEFAULTS = {
  Livechat_display_offline_form: true,
  Livechat_offline_email: '',
  Livechat_offline_success_message: '',
  From_Email: '',
};
const OFFLINE_SUCCESS = 'Thank you for your message. We will answer you by e-mail.';
/** The mail server's settings, read fresh by each delivery round. */
const MAIL_IDS = [
  'SMTP_Protocol',
  'SMTP_Host',
  'SMTP_Port',
  'SMTP_IgnoreTLS',
  'SMTP_Username',
  'SMTP_Password',
  'From_Email',
  'Livechat_offline_email',
];
const SINGLE_ADDRESS = /^[^\s@,;:<>"()]+@[^\s@,;:<>"()]+$/;

if (!MONGO_URL) {
  console.error('MONGO_URL is required (with the database name)');
  process.exit(1);
}

// ---- errors (Rocket.Chat envelopes) ------------------------------------------------------------

class HttpError extends Error {
  constructor(status, body) {
    super(body.error || 'error');
    this.status = status;
    this.body = body;
  }
}
const unauthorized = () =>
  new HttpError(401, {
    success: false,
    status: 'error',
    message: 'You must be logged in to do this.',
    error: 'You must be logged in to do this.',
  });
const forbidden = () =>
  new HttpError(403, {
    success: false,
    error: 'User does not have the permissions required for this action [error-unauthorized]',
    errorType: 'error-unauthorized',
  });
const badRequest = (errorType, message, details) =>
  new HttpError(400, {
    success: false,
    error: `${message} [${errorType}]`,
    errorType,
    ...(details ? { details } : {}),
  });
const invalid = (message) => badRequest('invalid-params', message);
const departmentNotFound = () => badRequest('error-department-not-found', 'Department not found');

// ---- small building blocks ---------------------------------------------------------------------

/** A value loaded on demand and reused for ttlMs (one load in flight). */
function cached(load, ttlMs) {
  let value;
  let loadedAt = 0;
  let inFlight;
  return () => {
    if (value !== undefined && Date.now() - loadedAt < ttlMs) return value;
    inFlight ??= load()
      .then((data) => {
        value = data;
        loadedAt = Date.now();
        return data;
      })
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}

/** In-process mutual exclusion per key (department id). */
const tails = new Map();
async function withLock(key, task) {
  const previous = tails.get(key) || Promise.resolve();
  let release;
  const current = new Promise((resolve) => (release = resolve));
  const tail = previous.then(() => current);
  tails.set(key, tail);
  await previous;
  try {
    return await task();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/** A ready-to-send widget answer: its JSON text. */
function widgetAnswer(payload) {
  return { body: JSON.stringify(payload) };
}

/** @fastify/compress's choice: br, then gzip, for a body of 1 KiB or more (no q-values). */
function compressionFor(acceptEncoding, body) {
  if (!acceptEncoding || Buffer.byteLength(body) < 1024) return null;
  const accepted = acceptEncoding.split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return null;
}

/** Per request, on libuv's thread pool (as @fastify/compress's streams are). */
function compress(coding, body) {
  return new Promise((resolve, reject) => {
    const done = (error, bytes) => (error ? reject(error) : resolve(bytes));
    if (coding === 'br') {
      zlib.brotliCompress(
        body,
        {
          params: {
            [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
            [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          },
        },
        done,
      );
    } else {
      zlib.gzip(body, done);
    }
  });
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isId = (v) => typeof v === 'string' && v.length > 0 && v.length <= 64;
const isCount = (v) => v === undefined || (Number.isInteger(v) && v >= 0);
const nextVersion = (previous) => new Date(Math.max(Date.now(), new Date(previous).getTime() + 1));
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const client = new MongoClient(MONGO_URL, { maxPoolSize: 20, serverSelectionTimeoutMS: 3_000 });
  await client.connect();
  const db = client.db();
  const users = db.collection('users');
  const departments = db.collection('rocketchat_livechat_department');
  const assignments = db.collection('rocketchat_livechat_department_agents');
  const permissions = db.collection('rocketchat_permissions');
  const settings = db.collection('rocketchat_settings');

  const rolesByPermission = cached(async () => {
    const docs = await permissions.find({}, { projection: { _id: 1, roles: 1 } }).toArray();
    return new Map(docs.map((doc) => [doc._id, new Set(doc.roles || [])]));
  }, CACHE_TTL_MS);
  const routingMethod = cached(async () => {
    const doc = await settings.findOne({ _id: 'Livechat_Routing_Method' });
    return doc?.value === 'Manual_Selection' ? 'Manual_Selection' : 'Auto_Selection';
  }, CACHE_TTL_MS);

  async function hasAny(user, wanted) {
    const map = await rolesByPermission();
    return wanted.some((permission) => user.roles.some((role) => map.get(permission)?.has(role)));
  }
  async function assertAny(user, wanted) {
    if (!(await hasAny(user, wanted))) throw forbidden();
  }

  // X-User-Id + X-Auth-Token: base64(sha256(token)) against services.resume.loginTokens, user active.
  const authCache = new Map();
  async function authenticate(request) {
    const userId = request.headers['x-user-id'];
    const token = request.headers['x-auth-token'];
    if (typeof userId !== 'string' || typeof token !== 'string' || !userId || !token) {
      throw unauthorized();
    }
    const hashed = Buffer.from(crypto.createHash('sha256').update(token, 'utf8').digest('base64'));
    let entry = authCache.get(userId);
    if (!entry || entry.expiresAt <= Date.now()) {
      const doc = await users.findOne(
        { _id: userId, active: { $ne: false } },
        { projection: { username: 1, roles: 1, 'services.resume.loginTokens': 1 } },
      );
      authCache.delete(userId);
      if (!doc) throw unauthorized();
      entry = {
        user: { _id: doc._id, username: doc.username, roles: doc.roles || [] },
        tokens: doc.services?.resume?.loginTokens || [],
        expiresAt: Date.now() + AUTH_CACHE_MS,
      };
      if (AUTH_CACHE_MS > 0) {
        if (authCache.size >= 10_000) authCache.delete(authCache.keys().next().value);
        authCache.set(userId, entry);
      }
    }
    const oldest = Date.now() - LOGIN_MAX_AGE_MS;
    const valid = entry.tokens.some((t) => {
      if (typeof t.hashedToken !== 'string') return false;
      const stored = Buffer.from(t.hashedToken);
      return (
        stored.length === hashed.length &&
        crypto.timingSafeEqual(stored, hashed) &&
        new Date(t.when).getTime() > oldest
      );
    });
    if (!valid) throw unauthorized();
    return entry.user;
  }

  /** Checks every agentId is distinct and holds livechat-agent; returns their usernames. */
  async function resolveAgents(agents) {
    const ids = agents.map((agent) => agent.agentId);
    if (new Set(ids).size !== ids.length) {
      throw invalid('agents must not contain the same agentId twice');
    }
    if (ids.length === 0) return new Map();
    const found = await users
      .find({ _id: { $in: ids }, roles: 'livechat-agent' }, { projection: { _id: 1, username: 1 } })
      .toArray();
    const usernames = new Map(found.map((user) => [user._id, user.username]));
    const missing = ids.filter((id) => !usernames.has(id));
    if (missing.length) {
      throw badRequest('error-agent-not-found', 'Agent not found', { agentIds: missing });
    }
    return usernames;
  }

  // ---- input checks (minimal, but no operator or unknown key reaches the database) -----------

  const DEPARTMENT_FIELDS = {
    name: (v) => typeof v === 'string' && /\S/.test(v) && v.length <= 256,
    email: (v) => typeof v === 'string' && v.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(v),
    enabled: (v) => typeof v === 'boolean',
    showOnRegistration: (v) => typeof v === 'boolean',
    showOnOfflineForm: (v) => typeof v === 'boolean',
    description: (v) => typeof v === 'string' && v.length <= 4096,
    requestTagBeforeClosingChat: (v) => typeof v === 'boolean',
    chatClosingTags: (v) =>
      Array.isArray(v) && v.length <= 100 && v.every((t) => typeof t === 'string'),
    fallbackForwardDepartment: isId,
    departmentsAllowedToForward: (v) => Array.isArray(v) && v.length <= 1000 && v.every(isId),
    allowReceiveForwardOffline: (v) => typeof v === 'boolean',
    offlineMessageChannelName: (v) => typeof v === 'string',
    abandonedRoomsCloseCustomMessage: (v) => typeof v === 'string',
    waitingQueueMessage: (v) => typeof v === 'string',
    maxNumberSimultaneousChat: (v) => Number.isInteger(v) && v >= 0,
    visitorInactivityTimeoutInSeconds: (v) => Number.isInteger(v) && v >= 0,
  };
  const REQUIRED = ['name', 'email', 'enabled', 'showOnRegistration', 'showOnOfflineForm'];

  function checkDepartment(department) {
    if (!isObject(department)) throw invalid('department must be an object');
    for (const key of REQUIRED) {
      if (department[key] === undefined) throw invalid(`department.${key} is required`);
    }
    for (const [key, value] of Object.entries(department)) {
      const check = DEPARTMENT_FIELDS[key];
      if (!check) throw invalid(`department.${key} is not allowed`);
      if (!check(value)) throw invalid(`department.${key} is invalid`);
    }
    if (department.requestTagBeforeClosingChat && !department.chatClosingTags?.length) {
      throw badRequest(
        'error-validating-department-chat-closing-tags',
        'At least one closing tag is required when the department requires tags on closing chats',
      );
    }
    return department;
  }

  function checkAgents(list, name, allowed) {
    if (!Array.isArray(list)) throw invalid(`${name} must be an array`);
    if (list.length > 1000) throw invalid(`${name} must hold at most 1000 agents`);
    list.forEach((agent, i) => {
      if (!isObject(agent)) throw invalid(`${name}.${i} must be an object`);
      for (const key of Object.keys(agent)) {
        if (!allowed.includes(key)) throw invalid(`${name}.${i}.${key} is not allowed`);
      }
      if (!isId(agent.agentId)) throw invalid(`${name}.${i}.agentId must be a non-empty string`);
      if (agent.username !== undefined && typeof agent.username !== 'string') {
        throw invalid(`${name}.${i}.username must be a string`);
      }
      if (!isCount(agent.count)) throw invalid(`${name}.${i}.count must be an integer >= 0`);
      if (!isCount(agent.order)) throw invalid(`${name}.${i}.order must be an integer >= 0`);
    });
    return list;
  }

  function pageOf(query) {
    const int = (raw, name, fallback) => {
      if (raw === undefined) return fallback;
      if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
        throw invalid(`${name} must be a non-negative integer`);
      }
      return Number(raw);
    };
    const count = int(query.count, 'count', 50);
    return {
      count: count === 0 || count > 100 ? 100 : count,
      offset: int(query.offset, 'offset', 0),
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------

  const app = Fastify({ bodyLimit: 1024 * 1024, logger: false });
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({
      success: false,
      error: 'API endpoint not found [error-not-found]',
      errorType: 'error-not-found',
    });
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.status).send(error.body);
    if (error.statusCode === 400 || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.code(400).send(invalid('malformed JSON body').body);
    }
    if (error.statusCode === 413) {
      return reply.code(413).send(badRequest('error-payload-too-large', 'Payload too large').body);
    }
    console.error(error);
    return reply.code(500).send({ success: false, error: 'Internal server error' });
  });

  // S7, S7b: the widget's configuration (public). The answers (online / offline) are JSON texts
  // held in memory, rebuilt every WIDGET_REFRESH_MS in the background with the service's queries.
  // Compressed per request as a bare Fastify app with @fastify/compress does (its defaults: br at
  // quality 4 preferred, then gzip at zlib's default level; bodies under 1 KiB as they are); no
  // ETag, so no 304 (S7b's If-None-Match is ignored). @fastify/compress is not a dependency here,
  // so node:zlib stands in for it.
  // Business hours are not implemented: with them enabled the baseline refuses to answer.
  let widget;
  let widgetLoading;
  async function loadWidget() {
    const ids = Object.keys(WIDGET_DEFAULTS);
    const stored = new Map(
      (
        await settings
          .find({ _id: { $in: [...ids, BUSINESS_HOURS_SETTING] } }, { projection: { value: 1 } })
          .toArray()
      ).map((doc) => [doc._id, doc.value]),
    );
    if (stored.get(BUSINESS_HOURS_SETTING) === true) {
      throw new Error('the baseline does not implement business hours');
    }
    const value = (id) => (stored.has(id) ? stored.get(id) : WIDGET_DEFAULTS[id]);
    const text = (id) => (typeof value(id) === 'string' ? value(id) : '');
    if (value('Livechat_enabled') !== true) {
      const disabled = widgetAnswer({ config: { enabled: false }, success: true });
      return { online: disabled, offline: disabled, staffed: new Set() };
    }
    const [listed, links] = await Promise.all([
      departments
        .find(
          { enabled: true, archived: { $ne: true }, numAgents: { $gt: 0 } },
          { projection: { _id: 1, name: 1, showOnRegistration: 1, showOnOfflineForm: 1 } },
        )
        .sort({ name: 1, _id: 1 })
        .toArray(),
      assignments
        .find({ departmentEnabled: true }, { projection: { _id: 0, agentId: 1, departmentId: 1 } })
        .toArray(),
    ]);
    const listedIds = new Set(listed.map((d) => d._id));
    const relevant = links.filter((link) => listedIds.has(link.departmentId));
    const agentIds = [...new Set(relevant.map((link) => link.agentId))];
    const available = new Set(
      agentIds.length
        ? (
            await users
              .find(
                {
                  _id: { $in: agentIds },
                  roles: 'livechat-agent',
                  active: { $ne: false },
                  statusLivechat: 'available',
                },
                { projection: { _id: 1 } },
              )
              .toArray()
          ).map((user) => user._id)
        : [],
    );
    const staffed = new Set(
      relevant.filter((link) => available.has(link.agentId)).map((link) => link.departmentId),
    );
    const config = (online) => ({
      config: {
        enabled: true,
        settings: {
          registrationForm: value('Livechat_registration_form') === true,
          nameFieldRegistrationForm: value('Livechat_name_field_registration_form') === true,
          emailFieldRegistrationForm: value('Livechat_email_field_registration_form') === true,
          displayOfflineForm: value('Livechat_display_offline_form') === true,
        },
        theme: {
          title: text('Livechat_title'),
          color: text('Livechat_title_color'),
          offlineTitle: text('Livechat_offline_title'),
          offlineColor: text('Livechat_offline_title_color'),
        },
        messages: {
          offlineMessage: text('Livechat_offline_message'),
          offlineSuccessMessage: text('Livechat_offline_success_message'),
          offlineUnavailableMessage: text('Livechat_offline_form_unavailable'),
        },
        departments: listed.map((d) => ({
          _id: d._id,
          name: d.name,
          showOnRegistration: d.showOnRegistration === true,
          showOnOfflineForm: d.showOnOfflineForm === true,
        })),
        online,
      },
      success: true,
    });
    return { online: widgetAnswer(config(true)), offline: widgetAnswer(config(false)), staffed };
  }
  function refreshWidget() {
    widgetLoading ??= loadWidget()
      .then((loaded) => (widget = loaded))
      .finally(() => (widgetLoading = undefined));
    return widgetLoading;
  }
  setInterval(
    () => refreshWidget().catch((error) => console.error(error)),
    WIDGET_REFRESH_MS,
  ).unref();

  app.get('/api/v1/livechat/config', async (request, reply) => {
    const department = request.query.department;
    if (department !== undefined && typeof department !== 'string') {
      throw invalid('department must be a string');
    }
    const current = widget ?? (await refreshWidget());
    const online = department ? current.staffed.has(department) : current.staffed.size > 0;
    const answer = online ? current.online : current.offline;
    reply.header('cache-control', 'public, max-age=5').type('application/json; charset=utf-8');
    const coding = compressionFor(request.headers['accept-encoding'], answer.body);
    if (!coding) return reply.send(answer.body);
    reply.header('content-encoding', coding).header('vary', 'accept-encoding');
    return reply.send(await compress(coding, answer.body));
  });

  // S5
  app.get('/api/v1/me', async (request) => {
    const caller = await authenticate(request);
    const user = await users.findOne(
      { _id: caller._id },
      {
        projection: {
          _id: 1,
          username: 1,
          name: 1,
          emails: 1,
          roles: 1,
          active: 1,
          status: 1,
          statusLivechat: 1,
        },
      },
    );
    if (!user) throw unauthorized();
    return { ...user, email: user.emails?.[0]?.address, success: true };
  });

  // S2 / S2t
  app.get('/api/v1/livechat/department', async (request) => {
    const caller = await authenticate(request);
    const query = request.query;
    const page = pageOf(query);
    for (const key of ['text', 'enabled', 'excludeDepartmentId', 'showArchived']) {
      if (query[key] !== undefined && typeof query[key] !== 'string')
        throw invalid(`${key} must be a string`);
    }
    if (query.sort !== undefined) throw invalid('sort is not supported by the baseline');
    await assertAny(caller, VIEW);
    const filter = {};
    if (query.showArchived !== 'true') filter.archived = { $ne: true };
    if (query.enabled === 'true') filter.enabled = true;
    if (query.excludeDepartmentId !== undefined) filter._id = { $ne: query.excludeDepartmentId };
    if (query.text) filter.name = { $regex: escapeRegExp(query.text), $options: 'i' };
    const [items, total] = await Promise.all([
      departments
        .find(filter)
        .sort({ name: 1, _id: 1 })
        .skip(page.offset)
        .limit(page.count)
        .toArray(),
      departments.countDocuments(filter),
    ]);
    return { departments: items, count: items.length, offset: page.offset, total, success: true };
  });

  // S1
  app.get('/api/v1/livechat/department/:_id', async (request, reply) => {
    const caller = await authenticate(request);
    const id = request.params._id;
    if (
      request.query.includeAgents !== undefined &&
      typeof request.query.includeAgents !== 'string'
    ) {
      throw invalid('includeAgents must be a string');
    }
    await assertAny(caller, VIEW);
    const department = await departments.findOne({ _id: id });
    if (!department) return { department: null, agents: [], success: true };
    reply.header('etag', `"${department._id}-${new Date(department._updatedAt).getTime()}"`);
    const withAgents =
      request.query.includeAgents !== 'false' &&
      (await hasAny(caller, ['view-livechat-departments']));
    if (!withAgents) return { department, success: true };
    const agents = await assignments
      .find({ departmentId: id })
      .sort({ username: 1, _id: 1 })
      .toArray();
    return { department, agents, success: true };
  });

  // S3
  app.post('/api/v1/livechat/department', async (request) => {
    const caller = await authenticate(request);
    const body = request.body;
    if (!isObject(body)) throw invalid('body must be an object');
    for (const key of Object.keys(body)) {
      if (key !== 'department' && key !== 'agents') throw invalid(`${key} is not allowed`);
    }
    const fields = checkDepartment(body.department);
    const agents =
      body.agents === undefined
        ? []
        : checkAgents(body.agents, 'agents', ['agentId', 'count', 'order']);
    await assertAny(caller, ['manage-livechat-departments']);
    const [usernames] = await Promise.all([resolveAgents(agents), checkReferences(fields)]);

    const now = new Date();
    // Rocket.Chat EE marks every department it saves `type: 'd'`, as the service does.
    const department = {
      ...fields,
      type: 'd',
      _id: randomId(),
      numAgents: agents.length,
      _updatedAt: now,
    };
    const docs = agents.map((agent) => ({
      _id: randomId(),
      agentId: agent.agentId,
      departmentId: department._id,
      username: usernames.get(agent.agentId),
      departmentEnabled: department.enabled,
      count: agent.count ?? 0,
      order: agent.order ?? 0,
      _updatedAt: now,
    }));
    await departments.insertOne(department);
    try {
      if (docs.length) await assignments.insertMany(docs);
    } catch (error) {
      await assignments.deleteMany({ departmentId: department._id }).catch(() => undefined);
      await departments.deleteOne({ _id: department._id }).catch(() => undefined);
      throw error;
    }
    return { department, agents: docs, success: true };
  });

  async function checkReferences(fields) {
    const fallback = fields.fallbackForwardDepartment;
    const ids = [
      ...new Set([...(fallback ? [fallback] : []), ...(fields.departmentsAllowedToForward || [])]),
    ];
    if (ids.length === 0) return;
    const existing = new Set(
      (await departments.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map(
        (d) => d._id,
      ),
    );
    if (fallback && !existing.has(fallback)) {
      throw badRequest('error-fallback-department-not-found', 'Fallback department not found');
    }
    if (ids.some((id) => !existing.has(id))) throw departmentNotFound();
  }

  // S4
  app.post('/api/v1/livechat/department/:_id/agents', async (request) => {
    const caller = await authenticate(request);
    const id = request.params._id;
    const body = request.body;
    if (!isObject(body)) throw invalid('body must be an object');
    if (body.upsert === undefined) throw invalid('upsert is required');
    if (body.remove === undefined) throw invalid('remove is required');
    for (const key of Object.keys(body)) {
      if (key !== 'upsert' && key !== 'remove') throw invalid(`${key} is not allowed`);
    }
    const upsert = checkAgents(body.upsert, 'upsert', ['agentId', 'username', 'count', 'order']);
    const remove = checkAgents(body.remove, 'remove', ['agentId', 'username']);
    await assertAny(caller, ['manage-livechat-departments', 'add-livechat-department-agents']);
    const upsertIds = new Set(upsert.map((agent) => agent.agentId));
    const removeIds = [...new Set(remove.map((agent) => agent.agentId))];
    const both = removeIds.find((agentId) => upsertIds.has(agentId));
    if (both !== undefined) throw invalid(`agent ${both} cannot be both upserted and removed`);

    await withLock(id, async () => {
      const current = await departments.findOne(
        { _id: id },
        { projection: { enabled: 1, _updatedAt: 1 } },
      );
      if (!current) throw departmentNotFound();
      const usernames = await resolveAgents(upsert);
      const version = nextVersion(current._updatedAt);
      let inserted = 0;
      if (upsert.length) {
        const result = await assignments.bulkWrite(
          upsert.map((agent) => {
            const given = {};
            const defaults = { _id: randomId() };
            if (agent.count === undefined) defaults.count = 0;
            else given.count = agent.count;
            if (agent.order === undefined) defaults.order = 0;
            else given.order = agent.order;
            return {
              updateOne: {
                filter: { departmentId: id, agentId: agent.agentId },
                update: {
                  $set: {
                    ...given,
                    username: usernames.get(agent.agentId),
                    departmentEnabled: current.enabled,
                    _updatedAt: version,
                  },
                  $setOnInsert: defaults,
                },
                upsert: true,
              },
            };
          }),
          { ordered: true },
        );
        inserted = result.upsertedCount;
      }
      const removed = removeIds.length
        ? (await assignments.deleteMany({ departmentId: id, agentId: { $in: removeIds } }))
            .deletedCount
        : 0;
      if (upsert.length || removed) {
        await departments.updateOne(
          { _id: id },
          { $inc: { numAgents: inserted - removed }, $set: { _updatedAt: version } },
        );
      }
    });
    return { success: true };
  });

  // S8: the offline form (public). Like the service: settings cached 5 s, the chosen department
  // read by _id, the message stored in the outbox collection (the answer waits for that write),
  // then a delivery round woken (one at a time) that reads the mail settings fresh. Sending is not
  // implemented: the bench leaves SMTP_Host empty (messages wait), and so does this.
  const offlineSettings = cached(async () => {
    const docs = await settings
      .find({ _id: { $in: Object.keys(OFFLINE_DEFAULTS) } }, { projection: { value: 1 } })
      .toArray();
    const stored = new Map(docs.map((doc) => [doc._id, doc.value]));
    return (id) => (stored.has(id) ? stored.get(id) : OFFLINE_DEFAULTS[id]);
  }, CACHE_TTL_MS);
  const offlineMessages = db.collection('livechat_offline_messages');
  let deliveryRound;
  let deliverAgain = false;
  function kickDelivery() {
    if (deliveryRound) {
      deliverAgain = true;
      return;
    }
    deliveryRound = settings
      .find({ _id: { $in: MAIL_IDS } }, { projection: { value: 1 } })
      .toArray()
      .then((docs) => {
        const host = docs.find((doc) => doc._id === 'SMTP_Host')?.value;
        if (typeof host === 'string' && host.trim() !== '') {
          console.error('the baseline does not send mail: leave SMTP_Host empty');
        }
      })
      .catch((error) => console.error(error))
      .finally(() => {
        deliveryRound = undefined;
        if (deliverAgain) {
          deliverAgain = false;
          kickDelivery();
        }
      });
  }
  const OFFLINE_FIELDS = {
    name: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 200,
    email: (v) => typeof v === 'string' && v.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(v),
    message: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 10_000,
    department: (v) => typeof v === 'string' && v.length <= 64,
    host: (v) => typeof v === 'string' && v.length <= 2048,
  };
  app.post('/api/v1/livechat/offline.message', async (request) => {
    const body = request.body;
    if (!isObject(body)) throw invalid('body must be an object');
    for (const [key, value] of Object.entries(body)) {
      const check = OFFLINE_FIELDS[key];
      if (!check) throw invalid(`${key} is not allowed`);
      if (!check(value)) throw invalid(`${key} is invalid`);
    }
    for (const key of ['name', 'email', 'message']) {
      if (body[key] === undefined) throw invalid(`${key} is required`);
    }
    const setting = await offlineSettings();
    if (setting('Livechat_display_offline_form') !== true) {
      throw badRequest('error-offline-form-disabled', 'The offline form is turned off');
    }
    let department;
    if (body.department) {
      department = await departments.findOne({ _id: body.department });
      if (
        !department ||
        department.type === 'u' ||
        !department.enabled ||
        department.archived === true ||
        !department.showOnOfflineForm
      ) {
        throw badRequest('error-invalid-department', 'This department cannot be chosen');
      }
    }
    const to = [department?.email, setting('Livechat_offline_email')]
      .map((address) => (typeof address === 'string' ? address.trim() : ''))
      .find((address) => SINGLE_ADDRESS.test(address));
    if (!to) throw badRequest('error-offline-email-not-configured', 'No address to send to');
    const from = setting('From_Email');
    const domain =
      (typeof from === 'string' && /@([a-z0-9.-]+)>?\s*$/i.exec(from)?.[1]) || 'localhost';
    const now = new Date();
    const _id = randomId();
    await offlineMessages.insertOne({
      _id,
      status: 'pending',
      name: body.name,
      email: body.email,
      message: body.message,
      ...(body.host ? { host: body.host } : {}),
      ...(department ? { departmentId: department._id, departmentName: department.name } : {}),
      to,
      messageId: `<${_id}.offline-message@${domain}>`,
      attempts: 0,
      maxAttempts: 10,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    });
    kickDelivery();
    const success = setting('Livechat_offline_success_message');
    return {
      message: typeof success === 'string' && success.trim() !== '' ? success : OFFLINE_SUCCESS,
      success: true,
    };
  });

  // S6
  app.post('/api/v1/livechat/department/:_id/next-agent', async (request) => {
    const caller = await authenticate(request);
    const id = request.params._id;
    await assertAny(caller, ['view-l-room']);
    const agent = await withLock(id, async () => {
      const department = await departments.findOne(
        { _id: id },
        { projection: { enabled: 1, archived: 1 } },
      );
      if (!department) throw departmentNotFound();
      if (!department.enabled || department.archived) {
        throw badRequest('error-department-disabled', 'The department is disabled');
      }
      if ((await routingMethod()) === 'Manual_Selection') return null;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const candidates = await assignments
          .find({ departmentId: id }, { projection: { _id: 1, agentId: 1, username: 1, count: 1 } })
          .sort({ count: 1, order: 1, username: 1 })
          .toArray();
        if (candidates.length === 0) return null;
        const available = new Set(
          (
            await users
              .find(
                {
                  _id: { $in: candidates.map((c) => c.agentId) },
                  roles: 'livechat-agent',
                  active: { $ne: false },
                  statusLivechat: 'available',
                },
                { projection: { _id: 1 } },
              )
              .toArray()
          ).map((user) => user._id),
        );
        const pick = candidates.find((c) => available.has(c.agentId));
        if (!pick) return null;
        const { modifiedCount } = await assignments.updateOne(
          { _id: pick._id, count: pick.count },
          { $inc: { count: 1 }, $set: { _updatedAt: new Date() } },
        );
        if (modifiedCount === 1) return { agentId: pick.agentId, username: pick.username };
      }
      throw new Error(`next-agent: no stable pick for department ${id}`);
    });
    return { agent, success: true };
  });

  await app.listen({ port: PORT, host: HOST });

  const shutdown = async () => {
    await app.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
