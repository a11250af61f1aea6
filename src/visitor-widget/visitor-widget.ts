import fastifyStatic from '@fastify/static';
import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApiError } from '../common/api-error';
import { toErrorResponse } from '../common/envelope';
import { ORIGIN_SETTINGS } from '../permissions/defaults';
import { SettingsService } from '../permissions/settings.service';
import { frameAncestors, isAllowedApiOrigin, isAllowedOrigin } from './origin-policy';

/** Rocket.Chat's Live Chat widget as published on npm (a pinned dependency, never copied). */
export const WIDGET_BUILD_DIR = path.join(
  path.dirname(require.resolve('@rocket.chat/livechat/package.json')),
  'build',
);

/** The widget's page names its scripts `livechat/<file>`, relative to `/livechat`. */
const PAGE_PATH = '/livechat';
/** Tells the widget its server before its bundles run (an external script: no inline code). */
const SERVER_URL_SCRIPT = 'server-url.js';
const SERVER_URL_SOURCE = 'window.SERVER_URL = window.location.origin;\n';

/** The public endpoints the widget calls, with CORS by `Livechat_AllowedDomainsList`. */
const WIDGET_API_PATHS: ReadonlySet<string> = new Set([
  '/api/v1/livechat/config',
  '/api/v1/livechat/offline.message',
  '/api/v1/livechat/page.visited',
]);

/** The public endpoints' bodies are small forms: a visitor cannot post a megabyte. */
const WIDGET_BODY_LIMIT = 32 * 1024;

/**
 * A public endpoint's body must declare its length, within the limit (checked before it is
 * read). Browsers always send Content-Length for the widget's requests.
 */
function oversized(request: FastifyRequest): ApiError | undefined {
  const length = request.headers['content-length'];
  if (length === undefined && request.headers['transfer-encoding'] !== undefined) {
    return new ApiError(411, 'error-length-required', 'The request needs a Content-Length');
  }
  if (Number(length ?? 0) > WIDGET_BODY_LIMIT) {
    return new ApiError(413, 'error-payload-too-large', 'The request body is larger than 32 KiB');
  }
  return undefined;
}

const WIDGET_CORS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, X-Visitor-Token, If-None-Match',
  'Access-Control-Max-Age': '600',
};
const API_CORS = {
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'Content-Type, X-User-Id, X-Auth-Token, If-Match, If-None-Match, X-Request-Id',
  'Access-Control-Max-Age': '600',
};
const EXPOSED = { 'Access-Control-Expose-Headers': 'ETag, Retry-After, X-Request-Id' };

/** Hashed bundle names never change content; the loader and page may, with a release. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=300';
const HASHED = /\.[0-9a-f]{5}\.js(\.map)?$|^[0-9a-f]{32}\.png$/;
/** What is served from the package's build: scripts, their maps and images, not its demo page. */
const SERVED_FILE = /\.(js|map|png|svg|css)$/;

/**
 * The widget's page: scripts only from this origin, styles inline (the widget themes itself
 * with style attributes), connections to this origin (REST and its DDP WebSocket).
 */
function widgetCsp(ancestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

/**
 * Serves Rocket.Chat's Live Chat widget at `/livechat` (its page, bundles and the embed
 * loader `rocketchat-livechat.min.js`), and answers the browser's cross-origin questions:
 * framing of `/livechat` and CORS of the widget's public endpoints by
 * `Livechat_AllowedDomainsList`; CORS of the rest of the API only with `API_Enable_CORS`.
 */
@Injectable()
export class VisitorWidget {
  private page?: string;

  constructor(private readonly settings: SettingsService) {}

  /** The widget's index.html with the server-URL script ahead of its bundles. */
  private widgetPage(): string {
    if (this.page === undefined) {
      const html = readFileSync(path.join(WIDGET_BUILD_DIR, 'index.html'), 'utf8');
      const tag = `<script src="livechat/${SERVER_URL_SCRIPT}"></script>`;
      const at = html.indexOf('<script');
      this.page =
        at < 0
          ? html.replace('</body>', `${tag}</body>`)
          : html.slice(0, at) + tag + html.slice(at);
    }
    return this.page;
  }

  async register(server: FastifyInstance): Promise<void> {
    server.addHook('onRequest', (request, reply, done) => {
      if (!request.url.startsWith('/api/')) return done();
      const pathName = request.url.split('?')[0];
      const refused = WIDGET_API_PATHS.has(pathName) ? oversized(request) : undefined;
      if (refused) {
        const { status, body } = toErrorResponse(refused);
        return void reply.status(status).send(body);
      }
      const origin = request.headers.origin;
      if (typeof origin !== 'string') return done();
      this.cors(request, reply, origin, pathName).then(
        (answered) => (answered ? undefined : done()),
        (error: unknown) => done(error as Error),
      );
    });

    await server.register(async (fastify: FastifyInstance) => {
      // After the application's onSend (parent hooks run first): only here is framing allowed.
      fastify.addHook('onSend', async (request, reply) => {
        reply.removeHeader('X-Frame-Options');
        const list = await this.settings.value(ORIGIN_SETTINGS.livechatAllowedDomains);
        void reply.header('Content-Security-Policy', widgetCsp(frameAncestors(list)));
        const file = request.url.split('?')[0].slice(PAGE_PATH.length + 1);
        if (reply.statusCode === 200 && file !== '') {
          void reply.header('Cache-Control', HASHED.test(file) ? IMMUTABLE : SHORT);
        }
      });
      fastify.get(PAGE_PATH, (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(this.widgetPage()),
      );
      fastify.get(`${PAGE_PATH}/${SERVER_URL_SCRIPT}`, (_request, reply) =>
        reply.type('application/javascript; charset=utf-8').send(SERVER_URL_SOURCE),
      );
      await fastify.register(fastifyStatic, {
        root: WIDGET_BUILD_DIR,
        prefix: `${PAGE_PATH}/`,
        decorateReply: false,
        index: false,
        allowedPath: (pathName) => SERVED_FILE.test(pathName) && !pathName.slice(1).includes('/'),
      });
    });
  }

  /**
   * Adds the CORS headers the origin is entitled to; answers a preflight itself (returns
   * true then). An origin that is not allowed gets no CORS header: the browser refuses.
   */
  private async cors(
    request: FastifyRequest,
    reply: FastifyReply,
    origin: string,
    pathName: string,
  ): Promise<boolean> {
    const preflight =
      request.method === 'OPTIONS' &&
      request.headers['access-control-request-method'] !== undefined;
    let headers: Record<string, string> | undefined;
    let known = true;
    if (WIDGET_API_PATHS.has(pathName)) {
      const list = await this.settings.value(ORIGIN_SETTINGS.livechatAllowedDomains);
      if (isAllowedOrigin(origin, list)) headers = WIDGET_CORS;
    } else if ((await this.settings.value(ORIGIN_SETTINGS.apiCorsEnabled)) === true) {
      const allowed = await this.settings.value(ORIGIN_SETTINGS.apiCorsOrigin);
      if (isAllowedApiOrigin(origin, allowed)) headers = API_CORS;
    } else {
      known = false;
    }
    void reply.header('Vary', 'Origin');
    if (headers) {
      void reply.header('Access-Control-Allow-Origin', origin);
      void reply.headers(preflight ? headers : EXPOSED);
    }
    if (!preflight) return false;
    if (!known) {
      // No CORS on the authenticated API: the preflight finds nothing, as before.
      const { status, body } = toErrorResponse(
        new ApiError(404, 'error-not-found', 'API endpoint not found'),
      );
      void reply.status(status).send(body);
      return true;
    }
    void reply.status(204).send();
    return true;
  }
}
