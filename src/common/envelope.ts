import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { ApiError, UnauthenticatedError } from './api-error';

export interface ErrorResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const LOGGED_OUT = 'You must be logged in to do this.';

/** 503 `error-database-unavailable`: the database cannot be reached (or is hung). */
export function databaseUnavailable(): ApiError {
  return new ApiError(503, 'error-database-unavailable', 'The database is unavailable', undefined, {
    'Retry-After': '5',
  });
}

/** The one mapping from anything thrown to a Rocket.Chat error envelope. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    const body: Record<string, unknown> = {
      success: false,
      error:
        error.text === null
          ? error.errorType
          : error.textOnly
            ? error.text
            : `${error.text} [${error.errorType}]`,
      errorType: error.errorType,
    };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: error.headers };
  }
  if (error instanceof UnauthenticatedError) {
    return error.kind === 'login-failed'
      ? {
          status: 401,
          body: { success: false, status: 'error', error: 'Unauthorized', message: 'Unauthorized' },
        }
      : {
          status: 401,
          body: { success: false, status: 'error', message: LOGGED_OUT, error: LOGGED_OUT },
        };
  }
  // Before the database check: Node marks a client's abort ECONNRESET, like a driver's socket.
  if (isRequestAborted(error)) {
    return toErrorResponse(
      new ApiError(400, 'error-request-aborted', 'The request was aborted before its body arrived'),
    );
  }
  if (
    isDatabaseUnavailable(error) ||
    (error instanceof HttpException && error.getStatus() === 503)
  ) {
    return toErrorResponse(databaseUnavailable());
  }
  const fromFramework = frameworkError(error);
  if (fromFramework) return toErrorResponse(fromFramework);
  return { status: 500, body: { success: false, error: 'Internal server error' } };
}

/**
 * The client-error status a framework error carries: Nest's HttpExceptions, and the
 * `statusCode` of Fastify's errors and of http-errors (@fastify/static, @fastify/send).
 */
function frameworkStatus(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (!(error instanceof Error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Errors raised before our code runs: Fastify's router errors, the body-parsing errors and
 * unknown routes that Nest turns into HttpExceptions, and any other 4xx a framework or
 * plugin raises (e.g. a static file path @fastify/send refuses with 403). Their messages
 * are not echoed back.
 */
function frameworkError(error: unknown): ApiError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_BAD_URL') return ApiError.invalidParams('The URL is malformed');
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new ApiError(414, 'error-uri-too-long', 'A path parameter is too long');
  }
  const status = frameworkStatus(error);
  if (status === undefined) return undefined;
  if (!(error instanceof HttpException)) {
    // Not Nest's: a 400 here is about the request line or headers, not a JSON body.
    return status === 400
      ? ApiError.invalidParams('The request is malformed')
      : clientErrorOf(status);
  }
  switch (status) {
    case 400:
      return ApiError.invalidParams('The request body is not valid JSON');
    case 404:
    case 405:
      return new ApiError(404, 'error-not-found', 'API endpoint not found');
    case 413:
      return new ApiError(413, 'error-payload-too-large', 'The request body is larger than 1 MiB');
    case 415:
      return new ApiError(
        415,
        'error-unsupported-media-type',
        'The request body must be application/json',
      );
    default:
      return clientErrorOf(status);
  }
}

/** A 4xx by its HTTP name: 403 → `error-forbidden` "Forbidden"; other statuses are left alone. */
function clientErrorOf(status: number): ApiError | undefined {
  if (status < 400 || status >= 500) return undefined;
  if (status === 404 || status === 405) {
    return new ApiError(404, 'error-not-found', 'API endpoint not found');
  }
  const name = STATUS_CODES[status] ?? 'Client Error';
  const slug = name
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')
    .replace(/^-|-$/g, '');
  return new ApiError(status, `error-${slug}`, name);
}

/**
 * The client's request stream ended early: it closed the connection mid-body, or the body
 * did not arrive within the request timeout (Node then answers 408 and closes it). Node's
 * error for both is `aborted` with code ECONNRESET.
 */
export function isRequestAborted(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.message === 'aborted' &&
    (error as { code?: unknown }).code === 'ECONNRESET'
  );
}

/** Socket errors the driver can pass on unwrapped when the database dies mid-request. */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

/**
 * The driver could not reach the database, or it did not answer in time (as opposed to
 * the database refusing an operation). Network timeouts and cleared pools are network
 * errors. Bulk writes wrap the network error in `errorResponse`.
 */
function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoOperationTimeoutError ||
    error.name === 'MongoWaitQueueTimeoutError' ||
    error.name === 'MongooseServerSelectionError' ||
    SOCKET_ERROR_CODES.has((error as { code?: unknown }).code as string)
  ) {
    return true;
  }
  const wrapped = error instanceof MongoServerError ? error.errorResponse : undefined;
  return isDatabaseUnavailable(wrapped, depth + 1) || isDatabaseUnavailable(error.cause, depth + 1);
}

/** A raw HTTP response for errors Node raises before Fastify has a request (e.g. 431). */
export function rawErrorResponse(
  error: ApiError,
  headers: Readonly<Record<string, string>>,
): string {
  const { status, body } = toErrorResponse(error);
  const json = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}
