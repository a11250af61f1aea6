// Starts the real application (real Fastify server on a loopback port, real database)
// for one e2e test file, with its own database, and offers a small HTTP client.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Db, MongoClient } from 'mongodb';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';

export const ADMIN = { username: 'admin', password: 'admin-pass-1' };

export interface Session {
  userId: string;
  authToken: string;
}

export interface TestUser extends Session {
  username: string;
  password: string;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (for malformed JSON). */
  rawBody?: string;
  as?: Session | null;
  headers?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
type Json = any;

export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly baseUrl: string,
    /** Direct database access, for asserting what was (not) written. */
    readonly db: Db,
    private readonly client: MongoClient,
    readonly admin: Session,
    /** The database's connection string; a second instance started with `sameDatabaseAs` shares it. */
    readonly mongoUrl: string,
    /** False for a second instance: the first one drops the database. */
    private readonly ownsDatabase: boolean,
  ) {}

  /**
   * Starts an app on a fresh database, or, with `sameDatabaseAs`, a second instance on
   * that app's database (as several replicas behind a load balancer would run).
   */
  static async start(
    env: Record<string, string> = {},
    options: { sameDatabaseAs?: TestApp; consoleDir?: string } = {},
  ): Promise<TestApp> {
    const base = process.env.TEST_MONGO_URL;
    if (!base) throw new Error('TEST_MONGO_URL is not set (jest global setup did not run)');
    const url = new URL(options.sameDatabaseAs?.mongoUrl ?? base);
    if (!options.sameDatabaseAs) url.pathname = `/t_${randomBytes(6).toString('hex')}`;
    const config = loadConfig({
      MONGO_URL: url.toString(),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASS: ADMIN.password,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    });
    const client = await MongoClient.connect(url.toString());
    if (!options.sameDatabaseAs) await raiseFailedLoginLimits(client.db());
    const app = await createApp(config, { consoleDir: options.consoleDir });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('no listening address');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const admin = await TestApp.loginAt(baseUrl, ADMIN.username, ADMIN.password);
    return new TestApp(
      app,
      baseUrl,
      client.db(),
      client,
      admin,
      url.toString(),
      !options.sameDatabaseAs,
    );
  }

  private static async loginAt(baseUrl: string, user: string, password: string): Promise<Session> {
    const res = await fetch(`${baseUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, password }),
    });
    const body = (await res.json()) as Json;
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
    return { userId: body.data.userId, authToken: body.data.authToken };
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.db.dropDatabase().catch(() => undefined);
    await this.client.close();
    await this.app.close();
  }

  /**
   * After a test wrote departments, agents or schedules straight into the database: bumps the
   * livechat version, as any write made past the service must, so the service's in-memory
   * answers (department lists, the widget) are rebuilt before the next read.
   */
  async wrotePastTheService(): Promise<void> {
    await this.db
      .collection<{ _id: string; v: number }>('livechat_version')
      .updateOne({ _id: 'livechat' }, { $inc: { v: 1 } }, { upsert: true });
  }

  /** An HTTP request to `/api/v1<path>` (or to `path` itself when it starts with `!`). */
  async request<T = Json>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const as = options.as === undefined ? this.admin : options.as;
    const headers: Record<string, string> = { ...options.headers };
    if (as) {
      headers['x-user-id'] = as.userId;
      headers['x-auth-token'] = as.authToken;
    }
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const url = path.startsWith('!')
      ? `${this.baseUrl}${path.slice(1)}`
      : `${this.baseUrl}/api/v1${path}`;
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, docs): keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }

  post<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }

  delete<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }

  async login(user: string, password: string): Promise<Session> {
    return TestApp.loginAt(this.baseUrl, user, password);
  }

  /** Creates a user through the API (as admin) and logs it in. */
  async createUser(options: { roles?: string[]; username?: string } = {}): Promise<TestUser> {
    const username = options.username ?? `user-${randomBytes(5).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const res = await this.post('/users.create', {
      username,
      email: `${username}@example.com`,
      password,
      name: username,
      roles: options.roles,
    });
    if (res.status !== 200)
      throw new Error(`users.create: ${res.status} ${JSON.stringify(res.body)}`);
    const session = await this.login(username, password);
    return { ...session, username, password };
  }

  /** A user holding the livechat-agent role, given through the API. */
  async createAgent(options: { available?: boolean } = {}): Promise<TestUser> {
    const user = await this.createUser();
    const res = await this.post('/livechat/users/agent', { username: user.username });
    if (res.status !== 200)
      throw new Error(`make agent: ${res.status} ${JSON.stringify(res.body)}`);
    if (options.available) {
      const status = await this.post(
        '/livechat/agent.status',
        { status: 'available' },
        { as: user },
      );
      if (status.status !== 200) throw new Error(`agent.status: ${JSON.stringify(status.body)}`);
    }
    return user;
  }

  /** Creates a department through the API; returns the response body. */
  async createDepartment(
    fields: Record<string, unknown> = {},
    agents?: { agentId: string; count?: number; order?: number }[],
  ): Promise<Json> {
    const res = await this.post('/livechat/department', {
      department: {
        name: `dept-${randomBytes(4).toString('hex')}`,
        email: 'dept@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
        ...fields,
      },
      ...(agents ? { agents } : {}),
    });
    if (res.status !== 200)
      throw new Error(`create department: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/**
 * Tests log in from 127.0.0.1 many times, with wrong passwords too (as the rate limits are
 * raised through the environment): the failed-login limits, settings seeded only where
 * missing, are raised before the app starts. Tests of those limits set them through the API.
 */
async function raiseFailedLoginLimits(db: Db): Promise<void> {
  for (const id of [
    'Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User',
    'Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip',
  ]) {
    await db
      .collection<{ _id: string; value: unknown }>('rocketchat_settings')
      .insertOne({ _id: id, value: 1_000_000 });
  }
}

/** The exact 400 `invalid-params` envelope whose error names `fieldPath`. */
export function expectInvalidParams(res: ApiResponse, fieldPath: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(
      new RegExp(`^${fieldPath.replace(/[.[\]$]/g, '\\$&')}\\b.* \\[invalid-params\\]$`),
    ),
    errorType: 'invalid-params',
  });
}

/** A 400 worded as Rocket.Chat's check() words it (API.md §1): `error` is the text alone. */
export function expectMatchError(res: ApiResponse, text: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ success: false, error: text, errorType: 'invalid-params' });
}

export const UNAUTHORIZED_401 = {
  success: false,
  status: 'error',
  message: 'You must be logged in to do this.',
  error: 'You must be logged in to do this.',
};

export const FORBIDDEN_403 = {
  success: false,
  error: 'User does not have the permissions required for this action [error-unauthorized]',
  errorType: 'error-unauthorized',
};
