import fastifyStatic from '@fastify/static';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import { ApiError } from '../common/api-error';
import { toErrorResponse } from '../common/envelope';
import { ORIGIN_SETTINGS } from '../settings/setting-definitions';
import { SettingsService } from '../settings/settings.service';
import { DdpKeepalive } from './ddp-keepalive';
import { frameAncestors, isAllowedApiOrigin, isAllowedOrigin } from './origin-policy';
import { RefusedOrigins } from './refused-origins';
import {
  EMBED_CHECK_SCRIPT,
  SERVED_WIDGET_PREFIX,
  WIDGET_PAGE_SCRIPT,
  WIDGET_PAGE_STYLE,
} from './widget-scripts';

/** Rocket.Chat's Live Chat widget as published on npm (a pinned dependency, never copied). */
export const WIDGET_BUILD_DIR = path.join(
  path.dirname(require.resolve('@rocket.chat/livechat/package.json')),
  'build',
);

/** The widget's page names its scripts `livechat/<file>`, relative to `/livechat`. */
const PAGE_PATH = '/livechat';
/** Tells the widget its server before its bundles run (an external script: no inline code). */
const SERVER_URL_SCRIPT = 'server-url.js';
/** Our overrides of the widget's styles (contrast), after its own. */
const STYLE_SHEET = 'contrast.css';
/** The embed script the customer's page loads, with our origin check appended. */
const EMBED_SCRIPT = 'rocketchat-livechat.min.js';
/** The served widget's DDP socket (`SERVER_URL` + `/websocket`). */
const WIDGET_SOCKET_PATH = `${SERVED_WIDGET_PREFIX}/websocket`;

/** The public endpoints the widget calls, with CORS by `Livechat_AllowedDomainsList`. */
const WIDGET_API_PATHS: ReadonlySet<string> = new Set([
  '/api/v1/livechat/config',
  '/api/v1/livechat/offline.message',
  '/api/v1/livechat/page.visited',
]);
/** Whether the calling page's origin may show the widget: readable from any origin. */
export const WIDGET_CHECK_PATH = '/api/v1/livechat/widget.check';

/**
 * Fastify's `rewriteUrl`: the served widget's API calls (`/livechat/api/v1/…`, see
 * widget-scripts.ts) reach the API's routes; `request.originalUrl` keeps the prefix, by which
 * `livechat/config` knows it answers the served widget.
 */
export function rewriteServedWidgetUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  return url.startsWith(`${SERVED_WIDGET_PREFIX}/api/`)
    ? url.slice(SERVED_WIDGET_PREFIX.length)
    : url;
}

/** Whether `origin` is this service's own (the served widget's same-origin requests). */
function isOwnOrigin(origin: string, request: FastifyRequest): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Whether the request came from the widget served here (through its /livechat prefix). */
export function fromServedWidget(request: FastifyRequest): boolean {
  return request.originalUrl.startsWith(`${SERVED_WIDGET_PREFIX}/api/`);
}

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
export class VisitorWidget implements OnModuleInit, OnModuleDestroy {
  private page?: string;
  private embedScript?: string;
  private readonly ddp = new DdpKeepalive();
  readonly refused = new RefusedOrigins();
  private unsubscribe?: () => void;

  constructor(private readonly settings: SettingsService) {}

  onModuleInit(): void {
    this.unsubscribe = this.settings.onChange((id) => {
      if (id === ORIGIN_SETTINGS.livechatAllowedDomains) this.refused.clear();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.ddp.close();
  }

  /** The package's embed script, then our check (its source map still fits: lines are appended). */
  private embed(): string {
    this.embedScript ??=
      readFileSync(path.join(WIDGET_BUILD_DIR, EMBED_SCRIPT), 'utf8') + EMBED_CHECK_SCRIPT;
    return this.embedScript;
  }

  /** `{ origin, allowed, setting }` for the calling page; a refusal is recorded. */
  async checkOrigin(
    origin: string | undefined,
  ): Promise<{ origin: string | null; allowed: boolean; setting: string }> {
    const setting = ORIGIN_SETTINGS.livechatAllowedDomains;
    if (origin === undefined) return { origin: null, allowed: true, setting };
    const allowed = isAllowedOrigin(origin, await this.settings.value(setting));
    if (!allowed) this.refused.record(origin, 'embed script');
    return { origin, allowed, setting };
  }

  /**
   * The widget's frame is requested by a page the list does not allow (the browser will
   * refuse to show it: frame-ancestors): recorded, so the owner can see which page it was.
   */
  private async recordRefusedFrame(request: FastifyRequest): Promise<void> {
    const referer = request.headers.referer;
    if (request.headers['sec-fetch-dest'] !== 'iframe' || typeof referer !== 'string') return;
    let origin: string;
    try {
      origin = new URL(referer).origin;
    } catch {
      return;
    }
    if (isOwnOrigin(origin, request)) return;
    const list = await this.settings.value(ORIGIN_SETTINGS.livechatAllowedDomains);
    if (!isAllowedOrigin(origin, list)) this.refused.record(origin, 'widget frame');
  }

  /** The widget's index.html with our stylesheet and the server-URL script ahead of its bundles. */
  private widgetPage(): string {
    if (this.page === undefined) {
      const html = readFileSync(path.join(WIDGET_BUILD_DIR, 'index.html'), 'utf8').replace(
        '</head>',
        `<link rel="stylesheet" href="livechat/${STYLE_SHEET}"></head>`,
      );
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
    server.server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
      if (request.url?.split('?')[0] === WIDGET_SOCKET_PATH)
        return this.ddp.upgrade(request, socket, head);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    server.addHook('onRequest', (request, reply, done) => {
      // The matched route, whatever the request target's form (origin-form, absolute-form
      // `http://host/api/…`, or the served widget's /livechat prefix); the path for no route.
      const pathName = request.routeOptions.url ?? request.url.split('?')[0];
      if (!pathName.startsWith('/api/')) return done();
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
      fastify.get(PAGE_PATH, async (request, reply) => {
        await this.recordRefusedFrame(request);
        return reply.type('text/html; charset=utf-8').send(this.widgetPage());
      });
      fastify.get(`${PAGE_PATH}/${SERVER_URL_SCRIPT}`, (_request, reply) =>
        reply.type('application/javascript; charset=utf-8').send(WIDGET_PAGE_SCRIPT),
      );
      fastify.get(`${PAGE_PATH}/${STYLE_SHEET}`, (_request, reply) =>
        reply.type('text/css; charset=utf-8').send(WIDGET_PAGE_STYLE),
      );
      fastify.get(`${PAGE_PATH}/${EMBED_SCRIPT}`, (_request, reply) =>
        reply.type('application/javascript; charset=utf-8').send(this.embed()),
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
    if (pathName === WIDGET_CHECK_PATH) {
      // It only tells a page about its own origin: any page may read it, without credentials.
      void reply.header('Access-Control-Allow-Origin', '*');
      if (!preflight) return false;
      void reply.headers(WIDGET_CORS).status(204).send();
      return true;
    }
    if (WIDGET_API_PATHS.has(pathName)) {
      const list = await this.settings.value(ORIGIN_SETTINGS.livechatAllowedDomains);
      if (isAllowedOrigin(origin, list)) headers = WIDGET_CORS;
      else if (!isOwnOrigin(origin, request)) this.refused.record(origin, `CORS on ${pathName}`);
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
