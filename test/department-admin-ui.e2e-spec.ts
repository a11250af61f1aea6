// Rocket.Chat's own admin UI as a client (issue 18): its department form sends every field
// on each save — "" for empty texts and for "no fallback department", [] for empty lists,
// empty numbers left out, a departmentUnit object — and then POSTs …/agents with the
// assignment documents it read. All of it must be accepted, must round-trip, and every
// optional field must be clearable.
import { TestApp, TestUser, expectInvalidParams, expectMatchError } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Json = any;

let t: TestApp;
let agents: TestUser[];

beforeAll(async () => {
  t = await TestApp.start();
  agents = await Promise.all([t.createAgent(), t.createAgent(), t.createAgent()]);
});

afterAll(async () => {
  await t?.close();
});

/** The optional department fields of API.md §4.1. */
const OPTIONAL_FIELDS = [
  'description',
  'requestTagBeforeClosingChat',
  'chatClosingTags',
  'fallbackForwardDepartment',
  'departmentsAllowedToForward',
  'allowReceiveForwardOffline',
  'offlineMessageChannelName',
  'abandonedRoomsCloseCustomMessage',
  'waitingQueueMessage',
  'maxNumberSimultaneousChat',
  'visitorInactivityTimeoutInSeconds',
];

const getDepartment = async (id: string): Promise<Json> => {
  const res = await t.get(`/livechat/department/${id}`);
  expect(res.status).toBe(200);
  return res.body;
};

/** A GET answer without what every write changes. */
const comparable = ({ department, agents: assigned }: Json) => {
  const { _updatedAt, ...fields } = department;
  expect(typeof _updatedAt).toBe('string');
  return {
    department: fields,
    agents: assigned.map(({ _updatedAt: _at, ...assignment }: Json) => assignment),
  };
};

/**
 * The body of the form's create request for a new department with nothing optional
 * filled in, as Rocket.Chat 7.x sends it (numbers left empty are absent).
 */
const createPayload = (name: string) => ({
  department: {
    enabled: true,
    name,
    description: '',
    showOnRegistration: true,
    showOnOfflineForm: true,
    requestTagBeforeClosingChat: false,
    email: 'sales@example.com',
    chatClosingTags: [],
    offlineMessageChannelName: '',
    abandonedRoomsCloseCustomMessage: '',
    waitingQueueMessage: '',
    departmentsAllowedToForward: [],
    fallbackForwardDepartment: '',
    allowReceiveForwardOffline: false,
  },
  agents: [
    { agentId: agents[0].userId, count: 0, order: 0 },
    { agentId: agents[1].userId, count: 0, order: 0 },
  ],
});

describe("Rocket.Chat's admin-UI payloads", () => {
  it('creates from the form as sent, leaving the empty values unset', async () => {
    const res = await t.post('/livechat/department', createPayload('Admin UI create'));
    expect(res.status).toBe(200);
    const { department } = await getDepartment(res.body.department._id);
    expect(department).toEqual({
      _id: res.body.department._id,
      name: 'Admin UI create',
      email: 'sales@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
      requestTagBeforeClosingChat: false,
      allowReceiveForwardOffline: false,
      numAgents: 2,
      type: 'd',
      _updatedAt: expect.any(String),
    });
  });

  it('round-trips: create, read, save the same form again, read the same', async () => {
    const created = await t.post('/livechat/department', createPayload('Round trip'));
    expect(created.status).toBe(200);
    const id = created.body.department._id;
    const first = await getDepartment(id);

    // The edit form sends the same fields again (agents go through …/agents), with
    // the same X-Request-Id on both requests of the save.
    const { department } = createPayload('Round trip');
    const put = await t.put(
      `/livechat/department/${id}`,
      { department, agents: [] },
      { headers: { 'x-request-id': 'rc-save-1' } },
    );
    expect(put.status).toBe(200);
    const second = await getDepartment(id);
    expect(comparable(second)).toEqual(comparable(first));
    // A save that changed nothing records nothing.
    const history = (await t.get(`/livechat/department/${id}/history`)).body;
    expect(history.history.map((entry: Json) => entry.action)).toEqual(['create']);
  });

  it('round-trips a department with every optional field filled in', async () => {
    const other = (await t.createDepartment({ name: 'Fallback target' })).department;
    const filled = {
      ...createPayload('Filled').department,
      description: 'Sales questions',
      requestTagBeforeClosingChat: true,
      chatClosingTags: ['lead', 'churn'],
      fallbackForwardDepartment: other._id,
      departmentsAllowedToForward: [other._id],
      allowReceiveForwardOffline: true,
      offlineMessageChannelName: 'sales-offline',
      abandonedRoomsCloseCustomMessage: 'Closed for inactivity',
      waitingQueueMessage: 'Please wait',
      maxNumberSimultaneousChat: 3,
      visitorInactivityTimeoutInSeconds: 600,
    };
    const created = await t.post('/livechat/department', { department: filled, agents: [] });
    expect(created.status).toBe(200);
    const id = created.body.department._id;
    const first = await getDepartment(id);
    expect(first.department).toMatchObject(filled);
    expect(
      (await t.put(`/livechat/department/${id}`, { department: filled, agents: [] })).status,
    ).toBe(200);
    expect(comparable(await getDepartment(id))).toEqual(comparable(first));
  });

  it('accepts the departmentUnit object in both places Rocket.Chat sends it, when it names no unit', async () => {
    const { department, agents: assigned } = createPayload('With unit object');
    for (const body of [
      { department: { ...department, departmentUnit: {} }, agents: assigned },
      { department: { ...department, departmentUnit: { id: '' } }, agents: assigned },
      { department, agents: assigned, departmentUnit: {} },
      { department, agents: assigned, departmentUnit: { _id: '' } },
    ]) {
      const res = await t.post('/livechat/department', body);
      expect(res.status).toBe(200);
      // Never stored: units do not exist yet.
      expect(
        (await getDepartment(res.body.department._id)).department.departmentUnit,
      ).toBeUndefined();
      const put = await t.put(`/livechat/department/${res.body.department._id}`, {
        ...body,
        agents: [],
      });
      expect(put.status).toBe(200);
    }
  });

  it('answers a unit id with 400 error-unit-not-found, and writes nothing', async () => {
    const departments = t.db.collection('rocketchat_livechat_department');
    const before = await departments.countDocuments();
    const { department } = createPayload('Unit desk');
    for (const body of [
      { department, departmentUnit: { _id: 'no-such-unit' } },
      { department: { ...department, departmentUnit: { id: 'no-such-unit' } } },
    ]) {
      const res = await t.post('/livechat/department', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Unit not found [error-unit-not-found]',
        errorType: 'error-unit-not-found',
      });
    }
    expect(await departments.countDocuments()).toBe(before);

    const existing = (await t.createDepartment({ name: 'Unit edit' })).department;
    const put = await t.put(`/livechat/department/${existing._id}`, {
      department: { ...department, name: 'Renamed' },
      departmentUnit: { _id: 'no-such-unit' },
    });
    expect(put.status).toBe(400);
    expect(put.body.errorType).toBe('error-unit-not-found');
    expect((await getDepartment(existing._id)).department.name).toBe('Unit edit');
  });

  it('rejects malformed unit objects and empty strings where they mean nothing', async () => {
    const { department } = createPayload('Bad unit');
    // Rocket.Chat's check() words, which its clients compare.
    expectMatchError(
      await t.post('/livechat/department', { department, departmentUnit: 'x' }),
      'Match error: Expected object, got string in field departmentUnit',
    );
    expectMatchError(
      await t.post('/livechat/department', { department, departmentUnit: { _id: 5 } }),
      'Match error: Expected string, got number in field departmentUnit._id',
    );
    expectInvalidParams(
      await t.post('/livechat/department', {
        department: { ...department, departmentUnit: { x: 1 } },
      }),
      'department.departmentUnit.x',
    );
    // "" clears texts, ids and numbers; a flag is true or false (null clears it).
    expectInvalidParams(
      await t.post('/livechat/department', {
        department: { ...department, requestTagBeforeClosingChat: '' },
      }),
      'department.requestTagBeforeClosingChat',
    );
    expectInvalidParams(
      await t.post('/livechat/department', {
        department: { ...department, maxNumberSimultaneousChat: '3' },
      }),
      'department.maxNumberSimultaneousChat',
    );
  });

  it('accepts the …/agents request of the edit form, with the assignment documents it read', async () => {
    const created = await t.post('/livechat/department', createPayload('Agents form'));
    const id = created.body.department._id;
    const read = (await getDepartment(id)).agents as Json[];
    const [kept, removed] = [
      read.find((a) => a.agentId === agents[0].userId),
      read.find((a) => a.agentId === agents[1].userId),
    ];
    const res = await t.post(`/livechat/department/${id}/agents`, {
      upsert: [
        { ...kept, count: 5 },
        {
          agentId: agents[2].userId,
          username: agents[2].username,
          name: agents[2].username,
          count: 0,
          order: 0,
        },
      ],
      remove: [removed],
    });
    expect(res.status).toBe(200);
    const after = (await getDepartment(id)).agents as Json[];
    expect(after.map((a) => [a.agentId, a.count]).sort()).toEqual(
      [
        [agents[0].userId, 5],
        [agents[2].userId, 0],
      ].sort(),
    );
    // The echoed assignment id is ignored: the stored one stays.
    expect(after.find((a) => a.agentId === agents[0].userId)._id).toBe(kept._id);
  });
});

describe('clearing optional fields', () => {
  let target: string;

  beforeAll(async () => {
    target = (await t.createDepartment({ name: 'Clear target' })).department._id;
  });

  const filledDepartment = async (name: string): Promise<string> =>
    (
      await t.createDepartment({
        name,
        description: 'text',
        requestTagBeforeClosingChat: true,
        chatClosingTags: ['tag'],
        fallbackForwardDepartment: target,
        departmentsAllowedToForward: [target],
        allowReceiveForwardOffline: true,
        offlineMessageChannelName: 'channel',
        abandonedRoomsCloseCustomMessage: 'bye',
        waitingQueueMessage: 'wait',
        maxNumberSimultaneousChat: 2,
        visitorInactivityTimeoutInSeconds: 30,
      })
    ).department._id;

  const required = (name: string) => ({
    name,
    email: 'dept@example.com',
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
  });

  it('clears every optional field with null', async () => {
    const id = await filledDepartment('Clear with null');
    const res = await t.put(`/livechat/department/${id}`, {
      department: {
        ...required('Clear with null'),
        ...Object.fromEntries(OPTIONAL_FIELDS.map((field) => [field, null])),
      },
    });
    expect(res.status).toBe(200);
    const { department } = await getDepartment(id);
    for (const field of OPTIONAL_FIELDS) expect(department).not.toHaveProperty(field);
    const stored = await t.db
      .collection('rocketchat_livechat_department')
      .findOne({ _id: id as never });
    for (const field of OPTIONAL_FIELDS) expect(stored).not.toHaveProperty(field);
  });

  it('clears texts, ids, lists and numbers with what the form sends for empty ("" and [])', async () => {
    const id = await filledDepartment('Clear like the form');
    const res = await t.put(`/livechat/department/${id}`, {
      department: {
        ...required('Clear like the form'),
        description: '',
        requestTagBeforeClosingChat: false,
        chatClosingTags: [],
        fallbackForwardDepartment: '',
        departmentsAllowedToForward: [],
        allowReceiveForwardOffline: false,
        offlineMessageChannelName: '',
        abandonedRoomsCloseCustomMessage: '',
        waitingQueueMessage: '',
        maxNumberSimultaneousChat: '',
        visitorInactivityTimeoutInSeconds: '',
      },
      agents: [],
    });
    expect(res.status).toBe(200);
    const { department } = await getDepartment(id);
    expect(department).toMatchObject({
      requestTagBeforeClosingChat: false,
      allowReceiveForwardOffline: false,
    });
    for (const field of OPTIONAL_FIELDS.filter((f) => typeof department[f] !== 'boolean')) {
      expect(department).not.toHaveProperty(field);
    }
    const changes = (await t.get(`/livechat/department/${id}/history`)).body.history[0].changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        { field: 'description', from: 'text', to: null },
        {
          field: 'fallbackForwardDepartment',
          from: target,
          to: null,
          fromName: 'Clear target',
          toName: null,
        },
        { field: 'maxNumberSimultaneousChat', from: 2, to: null },
      ]),
    );
  });

  it('keeps what a PUT leaves out', async () => {
    const id = await filledDepartment('Keep omitted');
    const before = (await getDepartment(id)).department;
    const res = await t.put(`/livechat/department/${id}`, {
      department: required('Keep omitted'),
    });
    expect(res.status).toBe(200);
    const { _updatedAt: _before, ...kept } = before;
    expect((await getDepartment(id)).department).toMatchObject(kept);
  });

  it('refuses to clear the closing tags while tags are still required, and writes nothing', async () => {
    const id = await filledDepartment('Tags still required');
    const res = await t.put(`/livechat/department/${id}`, {
      department: { ...required('Tags still required'), chatClosingTags: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errorType).toBe('error-validating-department-chat-closing-tags');
    expect((await getDepartment(id)).department.chatClosingTags).toEqual(['tag']);
  });
});
