// API.md §1: `Content-Type: application/json` with an empty body is a request without a body,
// on every method (Rocket.Chat's REST client sends exactly that on archive, unarchive and
// logout; many HTTP libraries do on DELETE). A non-empty body that is not JSON stays a 400.
import * as http from 'node:http';
import { expectInvalidParams, expectMatchError, TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
type Json = any;

describe('empty JSON bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  const stored = (id: string) =>
    t.db.collection<{ _id: string }>('rocketchat_livechat_department').findOne({ _id: id });

  /** The request Rocket.Chat's REST client sends: JSON content type, `Content-Length: 0`. */
  const emptyJson = (method: string, path: string, contentType = 'application/json') =>
    t.request(method, path, { rawBody: '', headers: { 'content-type': contentType } });

  /** The same with `Transfer-Encoding: chunked` and no chunk at all. */
  function emptyChunked(method: string, path: string): Promise<{ status: number; body: Json }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${t.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          'x-user-id': t.admin.userId,
          'x-auth-token': t.admin.authToken,
        },
      });
      req.once('error', reject);
      req.once('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.end();
    });
  }

  it('POST archive and unarchive: 200, and the department is archived, then not', async () => {
    const { department } = await t.createDepartment();

    const archived = await emptyJson('POST', `/livechat/department/${department._id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ success: true });
    expect(await stored(department._id)).toMatchObject({ archived: true, enabled: false });

    const unarchived = await emptyJson(
      'POST',
      `/livechat/department/${department._id}/unarchive`,
      'application/json; charset=utf-8',
    );
    expect(unarchived.status).toBe(200);
    expect((await stored(department._id)) as Json).not.toHaveProperty('archived', true);
  });

  it('a chunked body with no chunk is empty too', async () => {
    const { department } = await t.createDepartment();
    const res = await emptyChunked('POST', `/livechat/department/${department._id}/archive`);
    expect(res).toEqual({ status: 200, body: { success: true } });
    expect(await stored(department._id)).toMatchObject({ archived: true });
  });

  it('POST logout: 200, and the token no longer works', async () => {
    const user = await t.createUser();
    const res = await t.request('POST', '/logout', {
      as: user,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'success',
      data: { message: "You've been logged out!" },
      success: true,
    });
    expect((await t.get('/me', { as: user })).status).toBe(401);
  });

  describe('DELETE department (removal enabled)', () => {
    beforeAll(async () => {
      const res = await t.post('/settings/Omnichannel_enable_department_removal', { value: true });
      expect(res.status).toBe(200);
    });

    afterAll(async () => {
      await t.post('/settings/Omnichannel_enable_department_removal', { value: false });
    });

    it('Content-Length: 0 → 200, and the department is gone', async () => {
      const { department } = await t.createDepartment();
      const res = await emptyJson('DELETE', `/livechat/department/${department._id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(await stored(department._id)).toBeNull();
    });

    it('chunked with no chunk → 200, and the department is gone', async () => {
      const { department } = await t.createDepartment();
      const res = await emptyChunked('DELETE', `/livechat/department/${department._id}`);
      expect(res.status).toBe(200);
      expect(await stored(department._id)).toBeNull();
    });
  });

  it('a whitespace-only body is empty as well', async () => {
    const { department } = await t.createDepartment();
    const res = await t.request('POST', `/livechat/department/${department._id}/archive`, {
      rawBody: ' \r\n\t ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await stored(department._id)).toMatchObject({ archived: true });
  });

  describe('endpoints that need a body still require it', () => {
    it('POST department with an empty body → 400 naming the missing field, nothing written', async () => {
      const count = await t.db.collection('rocketchat_livechat_department').countDocuments();
      const res = await emptyJson('POST', '/livechat/department');
      expectInvalidParams(res, 'department');
      expect(await t.db.collection('rocketchat_livechat_department').countDocuments()).toBe(count);
    });

    it('PUT department with an empty body → 400 naming the missing field, nothing changed', async () => {
      const { department } = await t.createDepartment();
      const before = await stored(department._id);
      const res = await emptyJson('PUT', `/livechat/department/${department._id}`);
      expectInvalidParams(res, 'department');
      expect(await stored(department._id)).toEqual(before);
    });

    it('POST department agents with a blank body → 400 naming the missing key', async () => {
      const { department } = await t.createDepartment();
      const res = await t.request('POST', `/livechat/department/${department._id}/agents`, {
        rawBody: '\n',
        headers: { 'content-type': 'application/json' },
      });
      expectMatchError(res, "Match error: Missing key 'upsert'");
    });

    it('POST login with an empty body → 400 invalid-params', async () => {
      const res = await t.request('POST', '/login', {
        as: null,
        rawBody: '',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });
  });

  describe('a non-empty body that is not JSON is still a 400', () => {
    it.each([['{'], ['not json'], ['  {"a": 1'], ['\u0000'], ['{"a":1} trailing']])(
      '%j → 400 invalid-params, nothing changed',
      async (rawBody) => {
        const { department } = await t.createDepartment();
        const res = await t.request('POST', `/livechat/department/${department._id}/archive`, {
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'The request body is not valid JSON [invalid-params]',
          errorType: 'invalid-params',
        });
        expect((await stored(department._id)) as Json).not.toHaveProperty('archived', true);
      },
    );

    it('prototype poisoning is still refused', async () => {
      for (const rawBody of [
        '{"__proto__": {"x": 1}}',
        '{"constructor": {"prototype": {"x": 1}}}',
      ]) {
        const res = await t.request('POST', '/login', {
          as: null,
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
        expect(res.body.errorType).toBe('invalid-params');
      }
    });
  });
});
