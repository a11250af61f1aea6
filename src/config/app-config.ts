import { resolve } from 'node:path';

/** Typed configuration, read once from the environment at start. */
export interface AppConfig {
  port: number;
  host: string;
  /** Unset: the service starts its embedded FerretDB under `dataDir`. */
  mongoUrl?: string;
  dataDir: string;
  admin?: { username: string; password: string; email?: string; name?: string };
  /** Initial value of the `Accounts_LoginExpiration` setting (days). */
  loginExpirationDays: number;
  /** Login tokens kept per user; the oldest go first. */
  maxLoginTokensPerUser: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Default of the `Omnichannel_enable_department_removal` setting. */
  departmentRemovalEnabled: boolean;
  /**
   * `widgetPerMinute`: `GET livechat/config` and `POST livechat/page.visited` (public) per
   * client IP; `offlineMessagePerIp` / `offlineMessagePerAddress`: `POST livechat/offline.message`
   * per client IP and per visitor e-mail address.
   */
  rateLimit: {
    loginPerMinute: number;
    requestsPerMinute: number;
    widgetPerMinute: number;
    offlineMessagePerIp: number;
    offlineMessagePerAddress: number;
  };
  /** The offline-message outbox (see src/livechat/offline-messages). */
  offlineMessages: {
    /** Sent and failed messages older than this are deleted. */
    retentionDays: number;
    /** Delay before the first retry; each later one doubles it (capped at an hour). */
    firstRetryMs: number;
    /** Attempts before a message is marked failed (a console retry grants as many again). */
    maxAttempts: number;
    /** How often each instance looks for due messages (new ones are tried at once). */
    pollMs: number;
    /**
     * An attempt another instance has seen in flight this long, on its own monotonic clock, is
     * given up on (its instance died or paused) and counts as made.
     */
    attemptLeaseMs: number;
  };
  /**
   * A PEM file of certificate authorities trusted for the SMTP server's certificate, besides
   * the system's (a mail server with a private CA).
   */
  smtpCaFile?: string;
  /** Department history entries older than this are pruned. */
  historyRetentionDays: number;
  /**
   * How department writes are serialised: `local` (one process owns the database: the
   * embedded one) or `shared` (stored leases, for several instances on MONGO_URL).
   */
  writeCoordination: 'local' | 'shared';
  /** A write lease whose holder shows no heartbeat for this long is taken over. */
  writeLeaseTtlMs: number;
  /**
   * HTTP limits, in ms: a whole request (headers and body) must arrive within `request`
   * (408 otherwise); a connection silent for `connection` is closed; an idle keep-alive
   * connection is closed after `keepAlive`.
   */
  timeouts: { request: number; connection: number; keepAlive: number };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Thrown with a one-line message naming the offending variable. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  };

  const mongoUrl = text('MONGO_URL');
  if (mongoUrl !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongoUrl)) {
    throw new ConfigError('MONGO_URL must start with mongodb:// or mongodb+srv://');
  }

  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const adminUsername = text('ADMIN_USERNAME');
  const adminPassword = env.ADMIN_PASS;
  if ((adminUsername === undefined) !== (adminPassword === undefined || adminPassword === '')) {
    throw new ConfigError('ADMIN_USERNAME and ADMIN_PASS must be set together');
  }

  const writeCoordination = text('WRITE_COORDINATION') ?? (mongoUrl ? 'shared' : 'local');
  if (writeCoordination !== 'local' && writeCoordination !== 'shared') {
    throw new ConfigError(
      `WRITE_COORDINATION must be local or shared (got "${writeCoordination}")`,
    );
  }

  return {
    port: integer('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    mongoUrl,
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    admin:
      adminUsername !== undefined && adminPassword
        ? {
            username: adminUsername,
            password: adminPassword,
            email: text('ADMIN_EMAIL'),
            name: text('ADMIN_NAME'),
          }
        : undefined,
    loginExpirationDays: integer('LOGIN_EXPIRATION_DAYS', 90, 1, 3650),
    maxLoginTokensPerUser: integer('MAX_LOGIN_TOKENS_PER_USER', 50, 1, 1000),
    logLevel: logLevel as AppConfig['logLevel'],
    departmentRemovalEnabled: boolean('DEPARTMENT_REMOVAL_ENABLED', false),
    historyRetentionDays: integer('HISTORY_RETENTION_DAYS', 365, 1, 36500),
    smtpCaFile: text('SMTP_CA_FILE'),
    writeCoordination,
    writeLeaseTtlMs: integer('WRITE_LEASE_TTL_MS', 5_000, 200, 600_000),
    rateLimit: {
      loginPerMinute: integer('RATE_LIMIT_LOGIN_PER_MINUTE', 60, 1, 1_000_000),
      requestsPerMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
      widgetPerMinute: integer('RATE_LIMIT_WIDGET_PER_MINUTE', 6000, 1, 10_000_000),
      offlineMessagePerIp: integer('RATE_LIMIT_OFFLINE_MESSAGE_PER_IP', 20, 1, 1_000_000),
      offlineMessagePerAddress: integer('RATE_LIMIT_OFFLINE_MESSAGE_PER_ADDRESS', 5, 1, 1_000_000),
    },
    offlineMessages: {
      retentionDays: integer('OFFLINE_MESSAGE_RETENTION_DAYS', 30, 1, 36500),
      firstRetryMs: integer('OFFLINE_MESSAGE_FIRST_RETRY_MS', 30_000, 10, 3_600_000),
      maxAttempts: integer('OFFLINE_MESSAGE_MAX_ATTEMPTS', 10, 1, 100),
      pollMs: integer('OFFLINE_MESSAGE_POLL_MS', 5_000, 50, 600_000),
      attemptLeaseMs: integer('OFFLINE_MESSAGE_ATTEMPT_LEASE_MS', 120_000, 1_000, 3_600_000),
    },
    timeouts: {
      request: integer('REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
      connection: integer('CONNECTION_TIMEOUT_MS', 60_000, 1_000, 600_000),
      keepAlive: integer('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
    },
  };
}
