// Serving the admin console: cache and security headers, the client-route fallback, and a
// clear answer when the console has not been built. Uses a console folder made here, so it
// does not depend on `npm run build:web`; the API's own headers are checked on the real app.
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONSOLE_CSP, registerAdminConsole } from '../src/admin-console/admin-console';
import { TestApp } from './support/test-app';

describe('admin console serving', () => {
  let dir: string;
  let server: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'console-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(dir, 'assets/index-abc123.js'), 'console.log(1)');
    server = Fastify();
    await registerAdminConsole(server, dir);
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at /admin and client routes, never cached, with the CSP', async () => {
    for (const url of ['/admin', '/admin/', '/admin/departments/abc', '/admin/agents']) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.body).toContain('<div id="root">');
    }
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('caches hashed assets for a year; an unknown asset is a 404, not index.html', async () => {
    const asset = await server.inject({ method: 'GET', url: '/admin/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toBe('console.log(1)');
    const missing = await server.inject({ method: 'GET', url: '/admin/assets/missing-0000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
  });

  it('redirects / to /admin/', async () => {
    const res = await server.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/admin/');
  });

  it('answers 503 with what to run when the console is not built', async () => {
    const bare = Fastify();
    await registerAdminConsole(bare, path.join(dir, 'not-built'));
    const res = await bare.inject({ method: 'GET', url: '/admin/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });

  it('leaves the API answers of the real app as they were (no-store, no CSP)', async () => {
    const app = await TestApp.start();
    try {
      const res = await app.get('/me');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBeNull();
      const root = await fetch(`${app.baseUrl}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/admin/');
    } finally {
      await app.close();
    }
  });
});
