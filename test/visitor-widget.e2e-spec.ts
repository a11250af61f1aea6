// The visitor's side as a browser sees it: Rocket.Chat's widget served at /livechat, who may
// frame it, CORS of the public widget endpoints and (opt-in) of the API, the settings that
// rule them, and page.visited.
import { TestApp } from './support/test-app';

const SHOP = 'https://shop.example';

describe('the Live Chat widget at /livechat', () => {
  let app: TestApp;

  const setSetting = async (id: string, value: unknown) => {
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
    return res;
  };
  const preflight = (path: string, origin: string, method = 'POST') =>
    app.request('OPTIONS', path, {
      as: null,
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'content-type',
      },
    });

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app?.close());

  it('serves the widget page, telling it its server without inline script', async () => {
    const res = await app.get('!/livechat', { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = res.body as unknown as string;
    expect(page).toMatch(
      /<script src="livechat\/server-url\.js"><\/script><script src="livechat\/[^"]+\.js">/,
    );
    expect(page).not.toMatch(/<script>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();

    const serverUrl = await app.get('!/livechat/server-url.js', { as: null });
    expect(serverUrl.body).toContain("window.SERVER_URL = window.location.origin + '/livechat';");
    for (const script of page.match(/livechat\/[^"]+\.js/g) ?? []) {
      const asset = await fetch(`${app.baseUrl}/${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    }
  });

  it("serves the embed loader that Rocket.Chat's install snippet loads", async () => {
    const res = await fetch(`${app.baseUrl}/livechat/rocketchat-livechat.min.js?_=201903270000`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await res.text()).toContain('rocketchat-iframe');
    // The package's own demo page (inline script, another server) is not served.
    expect((await fetch(`${app.baseUrl}/livechat/widget-demo.html`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/livechat/../package.json`)).status).toBe(404);
  });

  it('lets only the allowed origins frame /livechat; the console and the API refuse frames', async () => {
    await setSetting('Livechat_AllowedDomainsList', 'shop.example, https://partner.example:8443');
    const res = await app.get('!/livechat', { as: null });
    expect(res.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'self' shop.example:* https://partner.example:8443",
    );
    expect(res.headers.get('x-frame-options')).toBeNull();
    for (const path of ['!/admin/', '!/api/info', '/livechat/config']) {
      const other = await app.get(path, { as: null });
      expect(other.headers.get('x-frame-options')).toBe('DENY');
    }
    expect(
      (await app.get('!/admin/', { as: null })).headers.get('content-security-policy'),
    ).toContain("frame-ancestors 'none'");
    await setSetting('Livechat_AllowedDomainsList', '');
  });

  it('answers CORS preflights of the public widget endpoints by the same list', async () => {
    for (const path of [
      '/livechat/config',
      '/livechat/offline.message',
      '/livechat/page.visited',
    ]) {
      const res = await preflight(path, SHOP);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(res.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
      expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    }
    const config = await app.get('/livechat/config', { as: null, headers: { origin: SHOP } });
    expect(config.status).toBe(200);
    expect(config.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(config.headers.get('vary')).toMatch(/Origin/);

    await setSetting('Livechat_AllowedDomainsList', 'shop.example');
    const allowed = await preflight('/livechat/offline.message', 'http://shop.example:8080');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://shop.example:8080');
    const refused = await preflight('/livechat/offline.message', 'https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const refusedGet = await app.get('/livechat/config', {
      as: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(refusedGet.headers.get('access-control-allow-origin')).toBeNull();
    await setSetting('Livechat_AllowedDomainsList', '');
  });

  it('gives the authenticated API no CORS unless API_Enable_CORS allows the origin', async () => {
    const closed = await preflight('/livechat/department', SHOP, 'GET');
    expect(closed.status).toBe(404);
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await app.get('/livechat/department', { headers: { origin: SHOP } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();

    await setSetting('API_CORS_Origin', 'https://tools.example');
    await setSetting('API_Enable_CORS', true);
    const open = await preflight('/livechat/department', 'https://tools.example', 'GET');
    expect(open.status).toBe(204);
    expect(open.headers.get('access-control-allow-origin')).toBe('https://tools.example');
    expect(open.headers.get('access-control-allow-headers')).toMatch(/X-Auth-Token/);
    const other = await preflight('/livechat/department', SHOP, 'GET');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const read = await app.get('/livechat/department', {
      headers: { origin: 'https://tools.example' },
    });
    expect(read.headers.get('access-control-allow-origin')).toBe('https://tools.example');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    await setSetting('API_Enable_CORS', false);
  });

  it("caps the public endpoints' bodies at 32 KiB, declared up front", async () => {
    const big = await app.post('/livechat/page.visited', { pad: 'x'.repeat(40_000) }, { as: null });
    expect(big.status).toBe(413);
    expect(big.body.errorType).toBe('error-payload-too-large');
    const chunked = await fetch(`${app.baseUrl}/api/v1/livechat/offline.message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"name":"A"}'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(((await chunked.json()) as { errorType: string }).errorType).toBe(
      'error-length-required',
    );
  });

  it('answers page.visited with 200 and stores nothing', async () => {
    const counts = async () => {
      const collections = await app.db.listCollections().toArray();
      const result: Record<string, number> = {};
      for (const { name } of collections) {
        result[name] = await app.db.collection(name).countDocuments();
      }
      return result;
    };
    const before = await counts();
    const res = await app.post(
      '/livechat/page.visited',
      {
        token: 'visitor-token',
        rid: 'room',
        pageInfo: { change: 'url', title: 'Shop', location: { href: SHOP } },
      },
      { as: null },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(await counts()).toEqual(before);
  });
});

describe('mail and origin settings', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app?.close());

  it("has Rocket.Chat's ids and defaults", async () => {
    const defaults: Record<string, unknown> = {
      SMTP_Protocol: 'smtp',
      SMTP_Host: '',
      SMTP_Port: '',
      SMTP_IgnoreTLS: true,
      SMTP_AllowCleartextAuth: false,
      SMTP_Username: '',
      From_Email: '',
      Livechat_offline_email: '',
      Livechat_AllowedDomainsList: '',
      API_Enable_CORS: false,
      API_CORS_Origin: '*',
    };
    for (const [id, value] of Object.entries(defaults)) {
      const res = await app.get(`/settings/${id}`);
      expect(res.body).toEqual({ _id: id, value, success: true });
    }
  });

  it('never shows SMTP_Password in an answer', async () => {
    const set = await app.post('/settings/SMTP_Password', { value: 's3cret-smtp-pass' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ _id: 'SMTP_Password', value: '', isSet: true, success: true });
    const read = await app.get('/settings/SMTP_Password');
    expect(read.body).toEqual({ _id: 'SMTP_Password', value: '', isSet: true, success: true });
    expect(JSON.stringify(read.body)).not.toContain('s3cret');
    const stored = await app.db
      .collection('rocketchat_settings')
      .findOne({ _id: 'SMTP_Password' as never });
    expect(stored?.value).toBe('s3cret-smtp-pass');
  });

  it.each([
    ['SMTP_Port', 'abc'],
    ['SMTP_Port', 25.5],
    ['SMTP_Port', 0],
    ['SMTP_Host', 'mail.example.com\r\nX: y'],
    ['SMTP_Protocol', 'pop3'],
    ['SMTP_Username', 'a\nb'],
    ['From_Email', 'not an address'],
    ['Livechat_offline_email', 'nobody'],
    ['Livechat_AllowedDomainsList', "shop.example; script-src 'unsafe-inline'"],
    ['Livechat_AllowedDomainsList', 'https://shop.example/path'],
    ['API_Enable_CORS', 'yes'],
    ['API_CORS_Origin', 'shop.example'],
  ])('refuses %s = %j with 400 and keeps the value', async (id, value) => {
    const before = await app.get(`/settings/${id}`);
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(400);
    expect(res.body.errorType).toBe('invalid-params');
    expect((await app.get(`/settings/${id}`)).body).toEqual(before.body);
  });

  it('accepts the forms Rocket.Chat admins type', async () => {
    for (const [id, value] of [
      ['From_Email', 'Support <support@example.com>'],
      ['From_Email', 'support@example.com'],
      ['SMTP_Port', '587'],
      ['Livechat_AllowedDomainsList', 'example.com, *.example.org, https://shop.example:8443'],
      ['API_CORS_Origin', 'https://a.example, http://localhost:3000'],
    ] as const) {
      const res = await app.post(`/settings/${id}`, { value });
      expect(res.status).toBe(200);
    }
  });

  it('stores a port sent as a number, and an origin copied with its trailing slash, normalised', async () => {
    for (const [id, value, stored] of [
      ['SMTP_Port', 4825, '4825'],
      [
        'Livechat_AllowedDomainsList',
        'https://shop.example/, partner.example:8080/',
        'https://shop.example, partner.example:8080',
      ],
    ] as const) {
      const res = await app.post(`/settings/${id}`, { value });
      expect(res.body).toEqual({ _id: id, value: stored, success: true });
      expect((await app.get(`/settings/${id}`)).body.value).toBe(stored);
    }
  });

  it('names the entry of the allowed list that is not a domain or origin', async () => {
    const res = await app.post('/settings/Livechat_AllowedDomainsList', {
      value: 'good.example, https://shop.example/path, other.example',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('"https://shop.example/path" is not one');
  });
});
