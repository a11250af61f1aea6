// GET livechat/config at browser conditions: the answer prepared once per change in every
// content coding, ETags and 304s, and the widget version that tells other instances of a write.
import { get as httpGet, IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { TestApp, TestUser } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Json = any;

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as sent (fetch would decode them). */
  bytes: Buffer;
}

/** GET livechat/config without credentials, undecoded (`prefix`: the served widget's). */
function raw(
  t: TestApp,
  query = '',
  headers: Record<string, string> = {},
  prefix = '',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    httpGet(`${t.baseUrl}${prefix}/api/v1/livechat/config${query}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

function decoded(answer: RawAnswer): Json {
  const coding = answer.headers['content-encoding'];
  const bytes =
    coding === 'br'
      ? brotliDecompressSync(answer.bytes)
      : coding === 'gzip'
        ? gunzipSync(answer.bytes)
        : answer.bytes;
  return JSON.parse(bytes.toString('utf8'));
}

const BROWSER = { 'Accept-Encoding': 'gzip, deflate, br' };

async function etagOf(t: TestApp, query = ''): Promise<string> {
  const answer = await raw(t, query, BROWSER);
  expect(answer.status).toBe(200);
  return answer.headers.etag as string;
}

/** A counter of `/metrics` (0 when not there yet). */
async function metric(t: TestApp, name: string): Promise<number> {
  const text = String((await t.get('!/metrics', { as: null })).body);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Polls `check` until it passes or `ms` elapse; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The contract's bound for another instance's change (docs/several-instances.md: 1 s + a rebuild). */
const CROSS_INSTANCE_MS = 5_000;

describe('GET livechat/config: content codings and ETags', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
    const agent = await t.createAgent({ available: true });
    for (let i = 0; i < 30; i++) {
      await t.createDepartment({ name: `coding-${String(i).padStart(2, '0')}` }, [
        { agentId: agent.userId },
      ]);
    }
  });
  afterAll(() => t.close());

  it('gzip and br decode to the same JSON as identity; Vary and Content-Encoding say so', async () => {
    const identity = await raw(t);
    expect(identity.status).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    const json = decoded(identity);
    expect(json.config.departments).toHaveLength(30);
    expect(json.success).toBe(true);

    const br = await raw(t, '', BROWSER);
    expect(br.headers['content-encoding']).toBe('br');
    const gzip = await raw(t, '', { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    for (const encoded of [br, gzip]) {
      expect(encoded.status).toBe(200);
      expect(encoded.headers.vary).toBe('Accept-Encoding');
      expect(encoded.headers['content-type']).toBe('application/json');
      expect(encoded.headers['cache-control']).toBe('public, max-age=5');
      expect(Number(encoded.headers['content-length'])).toBe(encoded.bytes.length);
      expect(encoded.bytes.length).toBeLessThan(identity.bytes.length / 3);
      expect(decoded(encoded)).toEqual(json);
    }
    // One strong ETag per coding: they are different bytes.
    const tags = [identity, gzip, br].map((answer) => answer.headers.etag);
    expect(new Set(tags).size).toBe(3);
    for (const tag of tags) expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it.each([
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br', 'br'],
    ['gzip;q=0, br;q=0', undefined],
    ['*;q=0, identity', undefined],
    ['br;q=0.5, gzip;q=0.9', 'gzip'],
    ['deflate', undefined],
  ])('Accept-Encoding: %s → %s (q=0 refuses a coding)', async (header, coding) => {
    const answer = await raw(t, '', { 'Accept-Encoding': header });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe(coding);
    expect(decoded(answer).config.departments).toHaveLength(30);
  });

  it('If-None-Match with the ETag of the coding sent → 304, no body, the same ETag', async () => {
    const first = await raw(t, '', BROWSER);
    const etag = first.headers.etag as string;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await raw(t, '', { ...BROWSER, 'If-None-Match': ifNoneMatch });
      expect(again.status).toBe(304);
      expect(again.bytes.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers.vary).toBe('Accept-Encoding');
      expect(again.headers['content-encoding']).toBeUndefined();
    }
    // The br ETag names br bytes: a client asking for identity gets the identity answer.
    const identity = await raw(t, '', { 'If-None-Match': etag });
    expect(identity.status).toBe(200);
    expect(identity.headers.etag).not.toBe(etag);
    expect(decoded(identity).config.departments).toHaveLength(30);
  });

  it('the served widget (always offline) gets its own prepared, compressed answer', async () => {
    const served = await raw(t, '', BROWSER, '/livechat');
    expect(served.status).toBe(200);
    expect(served.headers['content-encoding']).toBe('br');
    const json = decoded(served);
    expect(json.config.online).toBe(false);
    expect(json.config.departments).toHaveLength(30);
    const direct = await raw(t, '', BROWSER);
    expect(decoded(direct).config.online).toBe(true);
    expect(served.headers.etag).not.toBe(direct.headers.etag);
    const again = await raw(
      t,
      '',
      { ...BROWSER, 'If-None-Match': served.headers.etag as string },
      '/livechat',
    );
    expect(again.status).toBe(304);
  });

  it('a cross-origin request keeps Vary: Origin beside Accept-Encoding', async () => {
    const answer = await raw(t, '', { ...BROWSER, Origin: 'https://shop.example.com' });
    expect(answer.status).toBe(200);
    expect(answer.headers.vary).toBe('Origin, Accept-Encoding');
  });

  it('the ETag stays while nothing changes', async () => {
    const etag = await etagOf(t);
    for (let i = 0; i < 5; i++) expect(await etagOf(t)).toBe(etag);
  });
});

describe('GET livechat/config across instances: the widget version', () => {
  let a: TestApp;
  let b: TestApp;
  let agent: TestUser;
  let department: Json;
  let unitId: string;

  beforeAll(async () => {
    a = await TestApp.start();
    b = await TestApp.start({}, { sameDatabaseAs: a });
    agent = await b.createAgent({ available: true });
    department = (await b.createDepartment({ name: 'versioned' }, [{ agentId: agent.userId }]))
      .department;
    const unit = await b.post('/livechat/units', {
      unitData: { name: 'versioned unit', visibility: 'public' },
      unitMonitors: [],
      unitDepartments: [{ departmentId: department._id }],
    });
    expect(unit.status).toBe(200);
    unitId = unit.body._id;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  /** The ETag once a has caught up with b's earlier writes (they agree). */
  async function settled(query = ''): Promise<string> {
    let etag = '';
    await within(CROSS_INSTANCE_MS, async () => {
      etag = await etagOf(a, query);
      return etag === (await etagOf(b, query));
    });
    return etag;
  }

  /**
   * Runs `write` through b: b's own next answer already differs (read-your-writes), and a's
   * does within the bound, which only the version in the database can tell it.
   */
  async function seenThroughA(query: string, write: () => Promise<void>): Promise<void> {
    const before = await settled(query);
    await write();
    expect(await etagOf(b, query)).not.toBe(before);
    await within(CROSS_INSTANCE_MS, async () => (await etagOf(a, query)) !== before);
  }

  const ok = async (response: Promise<{ status: number; body: unknown }>) => {
    const res = await response;
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: expect.anything(),
    });
  };

  it('a department write on b reaches a', async () => {
    await seenThroughA('', () =>
      ok(
        b.put(`/livechat/department/${department._id}`, {
          department: {
            name: 'versioned (renamed)',
            email: 'dept@example.com',
            enabled: true,
            showOnRegistration: true,
            showOnOfflineForm: true,
          },
        }),
      ),
    );
    expect(decoded(await raw(a)).config.departments[0].name).toBe('versioned (renamed)');
  }, 30_000);

  it("an agent's status on b reaches a", async () => {
    await seenThroughA('', () =>
      ok(b.post('/livechat/agent.status', { status: 'not-available' }, { as: agent })),
    );
    expect(decoded(await raw(a)).config.online).toBe(false);
    await seenThroughA('', () =>
      ok(b.post('/livechat/agent.status', { status: 'available' }, { as: agent })),
    );
    expect(decoded(await raw(a)).config.online).toBe(true);
  }, 30_000);

  it('a setting on b reaches a', async () => {
    await seenThroughA('', () => ok(b.post('/settings/Livechat_title', { value: 'Versioned' })));
    expect(decoded(await raw(a)).config.theme.title).toBe('Versioned');
  }, 30_000);

  it('a schedule saved on b reaches a', async () => {
    // All day open, in a zone where it is not 23:59 now (the one closed minute of the day).
    const zone = new Date().getUTCHours() === 23 ? 'Asia/Kolkata' : 'UTC';
    const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const schedule = (open: boolean) =>
      b.post('/livechat/business-hour', {
        name: '',
        active: true,
        type: 'default',
        timezone: zone,
        workHours: days.map((day) => ({ day, start: '00:00', finish: '23:59', open })),
      });
    await ok(schedule(true));
    await ok(b.post('/settings/Livechat_enable_business_hours', { value: true }));
    await within(CROSS_INSTANCE_MS, async () => decoded(await raw(a)).config.online === true);

    await seenThroughA('', () => ok(schedule(false)));
    expect(decoded(await raw(a)).config.online).toBe(false);

    await ok(schedule(true));
    await ok(b.post('/settings/Livechat_enable_business_hours', { value: false }));
  }, 30_000);

  it('a unit saved on b reaches a', async () => {
    const other = (await b.createDepartment({ name: 'versioned too' }, [{ agentId: agent.userId }]))
      .department;
    const query = `?businessUnit=${unitId}`;
    await seenThroughA(query, () =>
      ok(
        b.post(`/livechat/units/${unitId}`, {
          unitData: { name: 'versioned unit', visibility: 'public' },
          unitMonitors: [],
          unitDepartments: [{ departmentId: department._id }, { departmentId: other._id }],
        }),
      ),
    );
    const listed = decoded(await raw(a, query)).config.departments.map((d: Json) => d._id);
    expect(listed.sort()).toEqual([department._id, other._id].sort());
  }, 30_000);

  it('while nothing changes, a reads the version but never rebuilds', async () => {
    const etag = await settled();
    const builds = await metric(a, 'widget_config_builds_total');
    const checks = await metric(a, 'widget_config_version_checks_total');
    expect(builds).toBeGreaterThan(0);
    // Requests keep coming; at least three version reads happen meanwhile (about 1 s apart).
    await within(30_000, async () => {
      expect(await etagOf(a)).toBe(etag);
      expect((await raw(a, '', { ...BROWSER, 'If-None-Match': etag })).status).toBe(304);
      return (await metric(a, 'widget_config_version_checks_total')) >= checks + 3;
    });
    expect(await metric(a, 'widget_config_builds_total')).toBe(builds);
  }, 40_000);
});
