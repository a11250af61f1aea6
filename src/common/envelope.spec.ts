import {
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { databaseUnavailable, toErrorResponse } from './envelope';

const UNAVAILABLE = {
  status: 503,
  body: {
    success: false,
    error: 'The database is unavailable [error-database-unavailable]',
    errorType: 'error-database-unavailable',
  },
  headers: { 'Retry-After': '5' },
};

describe('toErrorResponse: an unreachable or hung database is a 503', () => {
  it.each([
    ['a network timeout (a hung database)', new MongoNetworkTimeoutError('connection 3 timed out')],
    ['a client-side operation timeout', new MongoOperationTimeoutError('timed out')],
    [
      'a server selection timeout',
      new MongoServerSelectionError('server selection timed out', {} as never),
    ],
    ['a closed topology (shutting down)', new MongoTopologyClosedError()],
    ['the circuit (database known to be away)', databaseUnavailable()],
  ])('%s', (_name, error) => {
    expect(toErrorResponse(error)).toEqual(UNAVAILABLE);
  });

  it('a bulk write whose network error is wrapped', () => {
    const wrapped = new MongoServerError({ message: 'bulk write failed' });
    (wrapped as unknown as { errorResponse: unknown }).errorResponse = new MongoNetworkTimeoutError(
      'interrupted due to server monitor timeout',
    );
    expect(toErrorResponse(wrapped)).toEqual(UNAVAILABLE);
  });

  it('the database refusing an operation is not a 503', () => {
    expect(toErrorResponse(new MongoServerError({ message: 'E11000', code: 11000 })).status).toBe(
      500,
    );
  });
});

describe('toErrorResponse: client errors raised by frameworks keep their status', () => {
  const withStatus = (statusCode: number) => Object.assign(new Error('raw'), { statusCode });

  it.each([
    [403, 'error-forbidden', 'Forbidden'],
    [416, 'error-range-not-satisfiable', 'Range Not Satisfiable'],
    [411, 'error-length-required', 'Length Required'],
  ])('%i (e.g. from @fastify/send)', (status, errorType, text) => {
    expect(toErrorResponse(withStatus(status))).toEqual({
      status,
      body: { success: false, error: `${text} [${errorType}]`, errorType },
    });
  });

  it('a framework 400 is invalid-params, and its message is not echoed', () => {
    const { status, body } = toErrorResponse(withStatus(400));
    expect(status).toBe(400);
    expect(body).toEqual({
      success: false,
      error: 'The request is malformed [invalid-params]',
      errorType: 'invalid-params',
    });
  });

  it('a framework 5xx stays an internal error', () => {
    expect(toErrorResponse(withStatus(500)).status).toBe(500);
    expect(toErrorResponse(withStatus(502)).status).toBe(500);
  });
});
