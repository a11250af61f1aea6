import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

/** Where `npm run build:web` writes the console (same depth from src/ and dist/). */
export const CONSOLE_DIR = path.resolve(__dirname, '../../web/dist');

/**
 * Only this origin: no inline or foreign scripts, no framing. Styles allow 'unsafe-inline'
 * because Mantine sets its CSS variables through `<style>` elements and style attributes;
 * scripts stay strictly 'self'.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT =
  'The admin console is not built. Run `npm run build` (or `npm run build:web`) and reload.\n';

/**
 * Serves the console built from web/: `/admin/assets/*` are content-hashed files cached for
 * a year; every other `/admin` path is the single-page app's index.html (client routes),
 * never cached. `/` redirects to `/admin/`. The API routes are untouched.
 */
export async function registerAdminConsole(
  server: FastifyInstance,
  consoleDir: string = CONSOLE_DIR,
): Promise<void> {
  await server.register(async (fastify: FastifyInstance) => {
    // Runs after the application's own onSend hook (parent hooks first), so these headers win
    // over its `Cache-Control: no-store` for the hashed assets only.
    fastify.addHook('onSend', async (request, reply) => {
      void reply.header('Content-Security-Policy', CONSOLE_CSP);
      const isAsset = request.url.startsWith('/admin/assets/');
      void reply.header(
        'Cache-Control',
        isAsset && reply.statusCode === 200 ? IMMUTABLE : 'no-store',
      );
    });

    await fastify.register(fastifyStatic, {
      root: path.join(consoleDir, 'assets'),
      prefix: '/admin/assets/',
      decorateReply: false,
      index: false,
      // Asset names carry their content hash: the ETag and Last-Modified add nothing.
      etag: false,
      lastModified: false,
    });

    const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) => {
      let html: string;
      try {
        html = await readFile(path.join(consoleDir, 'index.html'), 'utf8');
      } catch {
        return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      }
      return reply.type('text/html; charset=utf-8').send(html);
    };
    fastify.get('/admin', sendIndex);
    fastify.get('/admin/*', sendIndex);
    fastify.get('/', (_request, reply) => reply.redirect('/admin/', 302));
  });
}
