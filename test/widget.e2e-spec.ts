// The Live Chat widget's view (API.md §11): GET livechat/config, public, served from memory.
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  TestUser,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Json = any;

const DEFAULT_SETTINGS = {
  registrationForm: true,
  nameFieldRegistrationForm: true,
  emailFieldRegistrationForm: true,
  displayOfflineForm: true,
};
const DEFAULT_THEME = {
  title: 'Rocket.Chat',
  color: '#C1272D',
  offlineTitle: 'Leave a message',
  offlineColor: '#666666',
};
const DEFAULT_MESSAGES = {
  offlineMessage: '',
  offlineSuccessMessage: '',
  offlineUnavailableMessage: '',
};

/** GET livechat/config without any auth header. */
function widget(t: TestApp, query = '', headers: Record<string, string> = {}) {
  return t.get<Json>(`/livechat/config${query}`, { as: null, headers });
}

function listedIds(res: ApiResponse<Json>): string[] {
  return res.body.config.departments.map((department: Json) => department._id);
}

async function setSetting(t: TestApp, id: string, value: unknown): Promise<void> {
  const res = await t.post(`/settings/${id}`, { value });
  expect(res.status).toBe(200);
}

/** Polls `check` until it passes or `ms` elapse; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('GET livechat/config (widget)', () => {
  let t: TestApp;
  let agent: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    agent = await t.createAgent({ available: true });
  });
  afterAll(() => t.close());

  it('needs no auth; a fresh service has no department and is offline', async () => {
    const res = await widget(t);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      config: {
        enabled: true,
        settings: DEFAULT_SETTINGS,
        theme: DEFAULT_THEME,
        messages: DEFAULT_MESSAGES,
        departments: [],
        online: false,
      },
      success: true,
    });
    expect(res.headers.get('cache-control')).toBe('public, max-age=5');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('online without ?department follows the agents of enabled departments', async () => {
    const dept = await t.createDepartment({ name: 'aaa-online' }, [{ agentId: agent.userId }]);
    expect((await widget(t)).body.config.online).toBe(true);

    const off = await t.post('/livechat/agent.status', { status: 'not-available' }, { as: agent });
    expect(off.status).toBe(200);
    expect((await widget(t)).body.config.online).toBe(false);

    await t.post('/livechat/agent.status', { status: 'available' }, { as: agent });
    expect((await widget(t)).body.config.online).toBe(true);

    // Disabling the only staffed department takes the widget offline.
    const res = await t.put(`/livechat/department/${dept.department._id}`, {
      department: { ...pick(dept.department), enabled: false },
    });
    expect(res.status).toBe(200);
    const after = await widget(t);
    expect(after.body.config.online).toBe(false);
    expect(listedIds(after)).not.toContain(dept.department._id);
  });

  it('lists enabled departments with agents, sorted by name, with exactly four fields', async () => {
    const zulu = await t.createDepartment(
      { name: 'zulu-desk', showOnRegistration: false, showOnOfflineForm: true },
      [{ agentId: agent.userId }],
    );
    const bravo = await t.createDepartment(
      { name: 'bravo-desk', showOnRegistration: true, showOnOfflineForm: false },
      [{ agentId: agent.userId }],
    );
    const res = await widget(t);
    const departments: Json[] = res.body.config.departments;
    const mine = departments.filter((d) => [zulu, bravo].some((x) => x.department._id === d._id));
    expect(mine).toEqual([
      {
        _id: bravo.department._id,
        name: 'bravo-desk',
        showOnRegistration: true,
        showOnOfflineForm: false,
      },
      {
        _id: zulu.department._id,
        name: 'zulu-desk',
        showOnRegistration: false,
        showOnOfflineForm: true,
      },
    ]);
    for (const department of departments) {
      expect(Object.keys(department).sort()).toEqual([
        '_id',
        'name',
        'showOnOfflineForm',
        'showOnRegistration',
      ]);
    }
    const names = departments.map((d) => d.name);
    expect(names).toEqual([...names].sort());
    expect(JSON.stringify(res.body)).not.toContain('dept@example.com');
  });

  it('leaves out disabled, archived and agentless departments', async () => {
    const disabled = await t.createDepartment({ enabled: false }, [{ agentId: agent.userId }]);
    const archived = await t.createDepartment({}, [{ agentId: agent.userId }]);
    expect((await t.post(`/livechat/department/${archived.department._id}/archive`)).status).toBe(
      200,
    );
    const empty = await t.createDepartment({});
    const listed = listedIds(await widget(t));
    expect(listed).not.toContain(disabled.department._id);
    expect(listed).not.toContain(archived.department._id);
    expect(listed).not.toContain(empty.department._id);
  });

  it('the last agent removed → gone; an agent added → back (next answer)', async () => {
    const dept = await t.createDepartment({}, [{ agentId: agent.userId }]);
    const id = dept.department._id;
    expect(listedIds(await widget(t))).toContain(id);

    const removed = await t.post(`/livechat/department/${id}/agents`, {
      upsert: [],
      remove: [{ agentId: agent.userId }],
    });
    expect(removed.status).toBe(200);
    expect(listedIds(await widget(t))).not.toContain(id);
    expect((await widget(t, `?department=${id}`)).body.config.online).toBe(false);

    const added = await t.post(`/livechat/department/${id}/agents`, {
      upsert: [{ agentId: agent.userId }],
      remove: [],
    });
    expect(added.status).toBe(200);
    expect(listedIds(await widget(t))).toContain(id);
    expect((await widget(t, `?department=${id}`)).body.config.online).toBe(true);
  });

  it('taking the agent role away removes the agent from the widget', async () => {
    const other = await t.createAgent({ available: true });
    const dept = await t.createDepartment({}, [{ agentId: other.userId }]);
    const id = dept.department._id;
    expect((await widget(t, `?department=${id}`)).body.config.online).toBe(true);
    expect((await t.delete(`/livechat/users/agent/${other.userId}`)).status).toBe(200);
    expect((await widget(t, `?department=${id}`)).body.config.online).toBe(false);
    expect(listedIds(await widget(t))).not.toContain(id);
  });

  it('online with ?department counts that department only; an unknown id is offline', async () => {
    const idle = await t.createAgent({ available: false });
    const staffed = await t.createDepartment({}, [{ agentId: agent.userId }]);
    const unstaffed = await t.createDepartment({}, [{ agentId: idle.userId }]);

    const online = await widget(t, `?department=${staffed.department._id}`);
    expect(online.status).toBe(200);
    expect(online.body.config.online).toBe(true);
    // The department list is the same whatever department is asked about.
    expect(listedIds(online)).toContain(unstaffed.department._id);

    expect((await widget(t, `?department=${unstaffed.department._id}`)).body.config.online).toBe(
      false,
    );
    const unknown = await widget(t, '?department=no-such-department');
    expect(unknown.status).toBe(200);
    expect(unknown.body.config.online).toBe(false);
    // The widget's own parameters (token) and an empty department are accepted.
    const withToken = await widget(t, `?token=abc&department=`);
    expect(withToken.status).toBe(200);
    expect(withToken.body.config.online).toBe(true);
  });

  it('?department given twice → 400 invalid-params', async () => {
    expectInvalidParams(await widget(t, '?department=a&department=b'), 'department');
  });

  it('settings changes show in the next answer', async () => {
    await setSetting(t, 'Livechat_title', 'Help desk');
    await setSetting(t, 'Livechat_title_color', '#112233');
    await setSetting(t, 'Livechat_offline_title', 'We are away');
    await setSetting(t, 'Livechat_offline_message', 'Leave your e-mail');
    await setSetting(t, 'Livechat_offline_success_message', 'Thanks!');
    await setSetting(t, 'Livechat_registration_form', false);
    await setSetting(t, 'Livechat_name_field_registration_form', false);
    await setSetting(t, 'Livechat_email_field_registration_form', false);
    await setSetting(t, 'Livechat_display_offline_form', false);
    await setSetting(t, 'Livechat_offline_title_color', '#445566');
    await setSetting(t, 'Livechat_offline_form_unavailable', 'Come back later');
    const res = await widget(t);
    expect(res.body.config.settings).toEqual({
      registrationForm: false,
      nameFieldRegistrationForm: false,
      emailFieldRegistrationForm: false,
      displayOfflineForm: false,
    });
    expect(res.body.config.theme).toEqual({
      title: 'Help desk',
      color: '#112233',
      offlineTitle: 'We are away',
      offlineColor: '#445566',
    });
    expect(res.body.config.messages).toEqual({
      offlineMessage: 'Leave your e-mail',
      offlineSuccessMessage: 'Thanks!',
      offlineUnavailableMessage: 'Come back later',
    });
    // Settings read back through the settings API.
    const title = await t.get('/settings/Livechat_title');
    expect(title.body).toEqual({ _id: 'Livechat_title', value: 'Help desk', success: true });
  });

  it.each([
    ['Livechat_enabled', 'yes'],
    ['Livechat_registration_form', 1],
    ['Livechat_title', 42],
    ['Livechat_title_color', 'url(javascript:alert(1))'],
    ['Livechat_offline_message', 'x'.repeat(10_001)],
  ])('POST settings/%s with a bad value → 400, nothing changes', async (id, value) => {
    const before = await t.get(`/settings/${id}`);
    expectInvalidParams(await t.post(`/settings/${id}`, { value }), 'value');
    expect((await t.get(`/settings/${id}`)).body).toEqual(before.body);
  });

  it('widget settings need edit-privileged-setting (403)', async () => {
    const manager = await t.createUser({ roles: ['livechat-manager'] });
    const res = await t.post('/settings/Livechat_title', { value: 'x' }, { as: manager });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN_403);
  });

  it('If-None-Match with the current ETag → 304; a change gives a new ETag', async () => {
    const first = await widget(t);
    const etag = first.headers.get('etag') as string;
    const again = await widget(t, '', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=5');
    expect((await widget(t, '', { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await widget(t, '', { 'If-None-Match': '"stale"' })).status).toBe(200);

    await setSetting(t, 'Livechat_title', 'Another title');
    const changed = await widget(t, '', { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.config.theme.title).toBe('Another title');
  });

  it('is documented in OpenAPI as public; the business-hour routes are documented too', async () => {
    const doc = (await t.get('!/api/docs-json', { as: null })).body;
    expect(doc.paths['/api/v1/livechat/config'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/livechat/config'].get.parameters).toContainEqual(
      expect.objectContaining({ name: 'department', in: 'query', required: false }),
    );
    expect(doc.paths['/api/v1/livechat/business-hours'].get).toBeDefined();
    expect(doc.paths['/api/v1/livechat/business-hour'].get).toBeDefined();
    expect(doc.paths['/api/v1/livechat/business-hour'].post.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/livechat/business-hour/{_id}'].delete).toBeDefined();
    expect(doc.paths['/api/v1/livechat/business-hours'].get.security).toBeUndefined();
  });

  it('other routes keep Cache-Control: no-store', async () => {
    const res = await t.get('/livechat/department');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('Livechat_enabled false → { config: { enabled: false } }', async () => {
    await setSetting(t, 'Livechat_enabled', false);
    const res = await widget(t);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ config: { enabled: false }, success: true });
    expect((await widget(t, `?department=x`)).body).toEqual({
      config: { enabled: false },
      success: true,
    });
    await setSetting(t, 'Livechat_enabled', true);
    expect((await widget(t)).body.config.enabled).toBe(true);
  });
});

describe('GET livechat/config rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_WIDGET_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the per-IP limit', async () => {
    for (let i = 0; i < 3; i++) expect((await widget(t)).status).toBe(200);
    const limited = await widget(t);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      success: false,
      error: 'Too many requests [error-too-many-requests]',
      errorType: 'error-too-many-requests',
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    // Authenticated routes have their own (per-user) budget.
    expect((await t.get('/me')).status).toBe(200);
  });
});

describe('GET livechat/config across instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await TestApp.start();
    b = await TestApp.start({}, { sameDatabaseAs: a });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('a change through one instance shows through the other within 5 s', async () => {
    // Both instances have answered (and cached) before the change.
    expect(listedIds(await widget(a))).toEqual([]);
    expect(listedIds(await widget(b))).toEqual([]);

    const agent = await a.createAgent({ available: true });
    const dept = await a.createDepartment({ name: 'cross-instance' }, [{ agentId: agent.userId }]);
    const id = dept.department._id;
    // The writing instance shows it at once.
    expect(listedIds(await widget(a))).toEqual([id]);
    await within(5_000, async () => listedIds(await widget(b)).includes(id));
    expect((await widget(b, `?department=${id}`)).body.config.online).toBe(true);

    // A setting changed through b reaches a within 5 s too.
    expect((await b.post('/settings/Livechat_title', { value: 'From b' })).status).toBe(200);
    await within(5_000, async () => (await widget(a)).body.config.theme.title === 'From b');
  }, 30_000);
});

/** The fields of a stored department that PUT accepts back. */
function pick(department: Json): Json {
  const { name, email, enabled, showOnRegistration, showOnOfflineForm } = department;
  return { name, email, enabled, showOnRegistration, showOnOfflineForm };
}
