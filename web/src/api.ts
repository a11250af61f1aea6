// The console's only way to the service: the public REST API under /api/v1, authenticated
// with the X-User-Id / X-Auth-Token headers of the session kept in sessionStorage.

const SESSION_KEY = 'departments-console.session';

export interface Session {
  userId: string;
  authToken: string;
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    return typeof parsed.userId === 'string' && typeof parsed.authToken === 'string'
      ? { userId: parsed.userId, authToken: parsed.authToken }
      : null;
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** Called when the API says the session is no longer valid (expired or revoked token). */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** A failed answer, with the API's own message and error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorType: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }

  /** The API's message without the trailing `[error-code]`. */
  get text(): string {
    return this.message.replace(/\s*\[[\w-]+\]$/, '');
  }
}

/**
 * A fresh `X-Request-Id` (docs/api.md §4.14): the requests of one save share it, so the service
 * records the save as one history entry. getRandomValues works on plain-HTTP origins too.
 */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send without the session headers (login). */
  anonymous?: boolean;
}

export interface ApiAnswer<T> {
  body: T;
  headers: Headers;
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiAnswer<T>> {
  const url = new URL(`/api/v1/${path}`, window.location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const session = options.anonymous ? null : loadSession();
  if (session) {
    headers['X-User-Id'] = session.userId;
    headers['X-Auth-Token'] = session.authToken;
  }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      'The service cannot be reached. Check your connection.',
      undefined,
      undefined,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const message =
      typeof body.error === 'string'
        ? body.error
        : typeof body.message === 'string'
          ? body.message
          : `Request failed (HTTP ${response.status})`;
    const error = new ApiError(
      response.status,
      message,
      typeof body.errorType === 'string' ? body.errorType : undefined,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
    if (response.status === 401 && session) onUnauthorized();
    throw error;
  }
  return { body: body as T, headers: response.headers };
}

export async function get<T>(path: string, query?: Query): Promise<T> {
  return (await request<T>('GET', path, { query })).body;
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  return (await request<T>('POST', path, { body })).body;
}

/** A message for the user, from any error a request may throw. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfterSeconds
        ? `Too many requests. Try again in ${error.retryAfterSeconds} seconds.`
        : 'Too many requests. Try again in a minute.';
    }
    if (error.status === 403) return 'You do not have permission to do this.';
    if (error.status === 503) return 'The service is temporarily unavailable. Try again shortly.';
    return error.text;
  }
  return 'Something went wrong.';
}
