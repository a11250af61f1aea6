// POST /api/v1/livechat/department (API.md §4.1, §4.2): the "Register New Department"
// example verbatim, every validation path, and agents checked before any write.
import {
  expectInvalidParams,
  expectMatchError,
  FORBIDDEN_403,
  TestApp,
  TestUser,
} from './support/test-app';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const METEOR_ID = /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}$/;

const validDepartment = () => ({
  enabled: true,
  showOnRegistration: true,
  name: 'Support',
  email: 'support@example.com',
  showOnOfflineForm: true,
});

describe('POST /livechat/department', () => {
  let t: TestApp;
  let agent: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    agent = await t.createAgent();
  });
  afterAll(() => t.close());

  const departmentCount = () => t.db.collection('rocketchat_livechat_department').countDocuments();
  const assignmentCount = () =>
    t.db.collection('rocketchat_livechat_department_agents').countDocuments();

  it('answers the source document example verbatim', async () => {
    const res = await t.request('POST', '/livechat/department', {
      rawBody: `{"department":{"enabled":false,"showOnRegistration":true,"name":"new from api","email":"dept@example.com","showOnOfflineForm":true},"agents":[{"agentId":"${agent.userId}"}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const { department, agents, success } = res.body;
    expect(success).toBe(true);
    expect(department).toEqual({
      _id: expect.stringMatching(METEOR_ID),
      enabled: false,
      name: 'new from api',
      numAgents: 1,
      showOnRegistration: true,
      showOnOfflineForm: true,
      email: 'dept@example.com',
      type: 'd',
      _updatedAt: expect.stringMatching(ISO_DATE),
    });
    expect(agents).toEqual([
      {
        _id: expect.stringMatching(METEOR_ID),
        agentId: agent.userId,
        departmentId: department._id,
        username: agent.username,
        departmentEnabled: false,
        count: 0,
        order: 0,
        _updatedAt: expect.stringMatching(ISO_DATE),
      },
    ]);
    const stored = await t.db
      .collection<{ _id: string }>('rocketchat_livechat_department')
      .findOne({ _id: department._id });
    expect(stored).toMatchObject({ name: 'new from api', numAgents: 1, enabled: false });
    expect(typeof stored?._id).toBe('string');
  });

  it('stores given count and order and every optional field', async () => {
    const other = await t.createDepartment();
    const res = await t.post('/livechat/department', {
      department: {
        ...validDepartment(),
        description: 'desk',
        requestTagBeforeClosingChat: true,
        chatClosingTags: ['a', 'b'],
        fallbackForwardDepartment: other.department._id,
        departmentsAllowedToForward: [other.department._id],
        allowReceiveForwardOffline: true,
        offlineMessageChannelName: 'offline',
        abandonedRoomsCloseCustomMessage: 'bye',
        waitingQueueMessage: 'wait',
        maxNumberSimultaneousChat: 3,
        visitorInactivityTimeoutInSeconds: 60,
      },
      agents: [{ agentId: agent.userId, count: 4, order: 2 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.department).toMatchObject({
      description: 'desk',
      chatClosingTags: ['a', 'b'],
      fallbackForwardDepartment: other.department._id,
      maxNumberSimultaneousChat: 3,
      numAgents: 1,
    });
    expect(res.body.agents[0]).toMatchObject({ count: 4, order: 2, departmentEnabled: true });
  });

  it('accepts an e-mail without a TLD', async () => {
    const res = await t.post('/livechat/department', {
      department: { ...validDepartment(), email: 'bla@bla' },
    });
    expect(res.status).toBe(200);
    expect(res.body.agents).toEqual([]);
    expect(res.body.department.numAgents).toBe(0);
  });

  describe('rejects bad input with 400 invalid-params and writes nothing', () => {
    const cases: [string, unknown, string][] = [
      ['missing department', {}, 'department'],
      ['department not an object', { department: 'x' }, 'department'],
      ['department an array', { department: [] }, 'department'],
      ...(['name', 'email', 'enabled', 'showOnRegistration', 'showOnOfflineForm'] as const).map(
        (field): [string, unknown, string] => {
          const department: Record<string, unknown> = validDepartment();
          delete department[field];
          return [`missing ${field}`, { department }, `department.${field}`];
        },
      ),
      ['blank name', { department: { ...validDepartment(), name: '   ' } }, 'department.name'],
      [
        'long name',
        { department: { ...validDepartment(), name: 'x'.repeat(257) } },
        'department.name',
      ],
      ['numeric name', { department: { ...validDepartment(), name: 5 } }, 'department.name'],
      [
        'operator in name',
        { department: { ...validDepartment(), name: { $gt: '' } } },
        'department.name',
      ],
      [
        'operator in email',
        { department: { ...validDepartment(), email: { $ne: null } } },
        'department.email',
      ],
      [
        'bad email',
        { department: { ...validDepartment(), email: 'not-an-email' } },
        'department.email',
      ],
      [
        'string boolean',
        { department: { ...validDepartment(), enabled: 'true' } },
        'department.enabled',
      ],
      [
        'long description',
        { department: { ...validDepartment(), description: 'x'.repeat(4097) } },
        'department.description',
      ],
      [
        'tags not strings',
        { department: { ...validDepartment(), chatClosingTags: [1] } },
        'department.chatClosingTags',
      ],
      [
        'too many tags',
        {
          department: {
            ...validDepartment(),
            chatClosingTags: Array.from({ length: 101 }, (_, i) => `t${i}`),
          },
        },
        'department.chatClosingTags',
      ],
      [
        'negative max chats',
        { department: { ...validDepartment(), maxNumberSimultaneousChat: -1 } },
        'department.maxNumberSimultaneousChat',
      ],
      [
        'fractional timeout',
        { department: { ...validDepartment(), visitorInactivityTimeoutInSeconds: 1.5 } },
        'department.visitorInactivityTimeoutInSeconds',
      ],
      [
        'unknown department key',
        { department: { ...validDepartment(), color: 'red' } },
        'department.color',
      ],
      ['dollar key', { department: { ...validDepartment(), $where: '1' } }, 'department.$where'],
      ['dotted key', { department: { ...validDepartment(), 'a.b': 1 } }, 'department.a.b'],
      [
        'server-managed _id',
        { department: { ...validDepartment(), _id: 'abc' } },
        'department._id',
      ],
      [
        'server-managed numAgents',
        { department: { ...validDepartment(), numAgents: 5 } },
        'department.numAgents',
      ],
      [
        'server-managed archived',
        { department: { ...validDepartment(), archived: true } },
        'department.archived',
      ],
      [
        'server-managed _updatedAt',
        { department: { ...validDepartment(), _updatedAt: '2020-01-01' } },
        'department._updatedAt',
      ],
      ['unknown top-level key', { department: validDepartment(), extra: 1 }, 'extra'],
      ['agents not an array', { department: validDepartment(), agents: {} }, 'agents'],
      [
        'agent id not a string',
        { department: validDepartment(), agents: [{ agentId: { $gt: '' } }] },
        'agents.0.agentId',
      ],
      [
        'negative agent count',
        { department: validDepartment(), agents: [{ agentId: 'x', count: -1 }] },
        'agents.0.count',
      ],
      [
        'unknown agent key',
        { department: validDepartment(), agents: [{ agentId: 'x', role: 'admin' }] },
        'agents.0.role',
      ],
    ];

    it.each(cases)('%s', async (_name, body, fieldPath) => {
      const [departmentsBefore, assignmentsBefore] = [
        await departmentCount(),
        await assignmentCount(),
      ];
      const res = await t.post('/livechat/department', body);
      expectInvalidParams(res, fieldPath);
      expect(await departmentCount()).toBe(departmentsBefore);
      expect(await assignmentCount()).toBe(assignmentsBefore);
    });

    it("agent without id: Rocket.Chat's check() words", async () => {
      const before = await departmentCount();
      const res = await t.post('/livechat/department', { department: validDepartment(), agents: [{}] });
      expectMatchError(res, "Match error: Missing key 'agentId' in field agents[0]");
      expect(await departmentCount()).toBe(before);
    });

    it('malformed JSON', async () => {
      const res = await t.request('POST', '/livechat/department', { rawBody: '{"department": {' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'The request body is not valid JSON [invalid-params]',
        errorType: 'invalid-params',
      });
    });

    it('a __proto__ key', async () => {
      const res = await t.request('POST', '/livechat/department', {
        rawBody: `{"department": ${JSON.stringify(validDepartment())}, "__proto__": {"admin": true}}`,
      });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });

    it('duplicate agent ids', async () => {
      const before = await departmentCount();
      const res = await t.post('/livechat/department', {
        department: validDepartment(),
        agents: [{ agentId: agent.userId }, { agentId: agent.userId }],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'agents must not contain the same agentId twice [invalid-params]',
        errorType: 'invalid-params',
      });
      expect(await departmentCount()).toBe(before);
    });
  });

  it('rejects unknown agents and non-agent users with error-agent-not-found, writing nothing', async () => {
    const plainUser = await t.createUser();
    const [departmentsBefore, assignmentsBefore] = [
      await departmentCount(),
      await assignmentCount(),
    ];
    const res = await t.post('/livechat/department', {
      department: validDepartment(),
      agents: [{ agentId: agent.userId }, { agentId: 'nope' }, { agentId: plainUser.userId }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: 'Agent not found [error-agent-not-found]',
      errorType: 'error-agent-not-found',
      details: { agentIds: ['nope', plainUser.userId] },
    });
    expect(await departmentCount()).toBe(departmentsBefore);
    expect(await assignmentCount()).toBe(assignmentsBefore);
  });

  it('applies the department rules of PUT', async () => {
    const tags = await t.post('/livechat/department', {
      department: { ...validDepartment(), requestTagBeforeClosingChat: true, chatClosingTags: [] },
    });
    expect(tags.status).toBe(400);
    expect(tags.body.errorType).toBe('error-validating-department-chat-closing-tags');

    const fallback = await t.post('/livechat/department', {
      department: { ...validDepartment(), fallbackForwardDepartment: 'missing' },
    });
    expect(fallback.status).toBe(400);
    expect(fallback.body).toEqual({
      success: false,
      error: 'Fallback department not found [error-fallback-department-not-found]',
      errorType: 'error-fallback-department-not-found',
    });

    const forward = await t.post('/livechat/department', {
      department: { ...validDepartment(), departmentsAllowedToForward: ['missing'] },
    });
    expect(forward.status).toBe(400);
    expect(forward.body).toEqual({
      success: false,
      error: 'Department not found [error-department-not-found]',
      errorType: 'error-department-not-found',
    });
  });

  it('checks permission before input and before business rules (Rocket.Chat)', async () => {
    const agentOnly = await t.createAgent();
    const invalid = await t.post('/livechat/department', { department: {} }, { as: agentOnly });
    expect(invalid.status).toBe(403);
    expect(invalid.body).toEqual(FORBIDDEN_403);
    expect((await t.post('/livechat/department', { department: {} })).status).toBe(400);
    const before = await departmentCount();
    const valid = await t.post(
      '/livechat/department',
      { department: validDepartment(), agents: [{ agentId: 'nope' }] },
      { as: agentOnly },
    );
    expect(valid.status).toBe(403);
    expect(valid.body).toEqual(FORBIDDEN_403);
    expect(await departmentCount()).toBe(before);
  });

  it('creates departments in parallel with the same agent, each counting it once', async () => {
    const results = await Promise.all(
      Array.from({ length: 2 }, (_, i) =>
        t.post('/livechat/department', {
          department: { ...validDepartment(), name: `parallel ${i}` },
          agents: [{ agentId: agent.userId }],
        }),
      ),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      const id = res.body.department._id;
      expect(res.body.department.numAgents).toBe(1);
      expect(
        await t.db
          .collection('rocketchat_livechat_department_agents')
          .countDocuments({ departmentId: id }),
      ).toBe(1);
    }
  });
});
