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
