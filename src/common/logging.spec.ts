import type { FastifyReply, FastifyRequest } from 'fastify';
import { OneLinePerRequest, RouteFlags } from './logging';

/** A request whose logger records the level of each line. */
function requestOn(config: RouteFlags | undefined) {
  const levels: string[] = [];
  const log = Object.fromEntries(
    ['info', 'debug', 'error', 'warn'].map((level) => [level, () => levels.push(level)]),
  );
  const request = { log, routeOptions: { config } } as unknown as FastifyRequest;
  return { request, levels };
}

const reply = { elapsedTime: 1.23 } as FastifyReply;

describe('OneLinePerRequest', () => {
  it('logs a completed request at info', () => {
    const { request, levels } = requestOn({});
    new OneLinePerRequest().requestCompleted(null, request, reply);
    expect(levels).toEqual(['info']);
  });

  it('logs a quiet route (the public widget config) at debug only', () => {
    const { request, levels } = requestOn({ quietRequestLog: true });
    new OneLinePerRequest().requestCompleted(null, request, reply);
    expect(levels).toEqual(['debug']);
  });

  it('still logs errors of a quiet route at error', () => {
    const { request, levels } = requestOn({ quietRequestLog: true });
    new OneLinePerRequest().requestCompleted(new Error('boom'), request, reply);
    expect(levels).toEqual(['error']);
  });
});
