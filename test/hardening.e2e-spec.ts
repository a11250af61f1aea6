// What a probe of the running service found (issue 16), each answered here over real HTTP:
// slow clients cannot hold a connection, odd static paths answer a 4xx envelope (never a 500
// or an error log), and a body that is not UTF-8 is refused.
import { Logger } from '@nestjs/common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

/** A GET with the path sent exactly as given (fetch would normalise `..` and `\`). */
function rawGet(baseUrl: string, pathname: string): Promise<{ status: number; body: Json }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: pathname, method: 'GET', agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: Json = text;
          try {
            body = JSON.parse(text);
          } catch {
            // asserted by the caller
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${pathname}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a raw connection, writes `data`, and waits until the server answers and closes, or
 * closes without answering. Returns what it sent back and how long that took.
 */
function stall(port: number, data: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('close', () => resolve({ text, ms: Date.now() - started }));
    socket.once('error', () => undefined);
    socket.setTimeout(30_000, () => {
      socket.destroy();
      reject(new Error('the server kept the stalled connection open for 30 s'));
    });
    if (data) socket.write(data);
  });
}

describe('slow clients are cut off (REQUEST_TIMEOUT_MS=2000, CONNECTION_TIMEOUT_MS=3000)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await TestApp.start({ REQUEST_TIMEOUT_MS: '2000', CONNECTION_TIMEOUT_MS: '3000' });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(() => t.close());

  it('a body that never finishes: 408 envelope and the connection closed, within the limit', async () => {
    const head =
      'POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100\r\n\r\n';
    const { text, ms } = await stall(port, `${head}{"user":"a"`);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Json;
    expect(body).toEqual({
      success: false,
      error: 'The request did not arrive in time [error-request-timeout]',
      errorType: 'error-request-timeout',
    });
    // The limit, plus Node's one-second check interval, plus slack for a busy machine.
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(4_500);
  }, 40_000);

  it('headers that never finish: closed within the limit', async () => {
    const { text, ms } = await stall(port, 'GET /api/info HTTP/1.1\r\nHost: localhost\r\n');
    expect(text === '' || /^HTTP\/1\.1 408 /.test(text)).toBe(true);
    expect(ms).toBeLessThan(4_500);
  }, 40_000);

  it('a connection that sends nothing: closed within the limits', async () => {
    const { ms } = await stall(port, '');
    expect(ms).toBeLessThan(4_500);
  }, 40_000);

  it('a complete request is still answered, and the timeouts are validated at start', async () => {
    expect((await t.get('!/api/info')).status).toBe(200);
    for (const name of ['REQUEST_TIMEOUT_MS', 'CONNECTION_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS']) {
      for (const value of ['0', '-1', 'soon', '600001']) {
        expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
        expect(() => loadConfig({ [name]: value })).toThrow(name);
      }
    }
    expect(loadConfig({}).timeouts).toEqual({
      request: 30_000,
      connection: 60_000,
      keepAlive: 65_000,
    });
  });
});

describe('odd /admin/assets paths', () => {
  let t: TestApp;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = await mkdtemp(path.join(os.tmpdir(), 'console-odd-'));
    await mkdir(path.join(consoleDir, 'assets', 'nested'), { recursive: true });
    await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(consoleDir, 'assets', 'index-abc123.js'), 'console.log(1)');
    t = await TestApp.start({}, { consoleDir });
  });
  afterAll(async () => {
    await t.close();
    await rm(consoleDir, { recursive: true, force: true });
  });

  it('answer a 4xx envelope, never a 500, and log no error', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const paths = [
        '/admin/assets/..',
        '/admin/assets/%2e%2e',
        '/admin/assets/..\\',
        '/admin/assets/..%5c',
        '/admin/assets/',
        '/admin/assets/.',
        '/admin/assets/%00',
        '/admin/assets/nested',
        '/admin/assets/nested/',
        '/admin/assets/%2e%2e/index.html',
        '/admin/assets/..%2f..%2fpackage.json',
        '/admin/assets/index-abc123.js%00.png',
      ];
      const seen: string[] = [];
      for (const pathname of paths) {
        const res = await rawGet(t.baseUrl, pathname);
        seen.push(`${pathname} ${res.status}`);
        expect({ pathname, is4xx: res.status >= 400 && res.status < 500 }).toEqual({
          pathname,
          is4xx: true,
        });
        expect(res.body).toEqual({
          success: false,
          error: expect.stringMatching(/ \[error-[a-z-]+\]$/) as string,
          errorType: expect.stringMatching(/^error-[a-z-]+$/) as string,
        });
      }
      console.log(`odd static paths: ${seen.join(', ')}`);
      expect(errors).not.toHaveBeenCalled();
      // The real asset is still served.
      const asset = await rawGet(t.baseUrl, '/admin/assets/index-abc123.js');
      expect(asset.status).toBe(200);
      expect(asset.body).toBe('console.log(1)');
    } finally {
      errors.mockRestore();
    }
  });
});

describe('bodies that are not UTF-8', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('are refused with 400 invalid-params, and nothing is written', async () => {
    const departments = t.db.collection('rocketchat_livechat_department');
    const before = await departments.countDocuments();
    const name = 'caf\u00e9';
    const valid = JSON.stringify({
      department: {
        name,
        email: 'utf8@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    // Latin-1 "é" (0xE9), an overlong "/" (0xC0 0xAF), a lone continuation byte, a surrogate
    // encoded in UTF-8 (0xED 0xA0 0x80), and a truncated sequence.
    const broken = [[0xe9], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]].map((bytes) => {
      const [head, tail] = valid.split('\u00e9');
      return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
    });
    for (const body of broken) {
      const res = await fetch(`${t.baseUrl}/api/v1/livechat/department`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-user-id': t.admin.userId,
          'x-auth-token': t.admin.authToken,
        },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        success: false,
        error: 'The request body is not valid UTF-8 [invalid-params]',
        errorType: 'invalid-params',
      });
    }
    expect(await departments.countDocuments()).toBe(before);

    // Well-formed UTF-8 is read.
    const ok = await t.request('POST', '/livechat/department', { rawBody: valid });
    expect(ok.status).toBe(200);
    expect(ok.body.department.name).toBe(name);
  });
});
