import { Logger } from '@nestjs/common';
import { MongoNetworkError } from 'mongodb';
import type { Socket } from 'node:net';

/** The parts of the driver's internal connection class the guard touches. */
interface DriverConnection {
  readonly id: number | '<monitor>';
  readonly address: string;
  readonly socket: Socket;
  onError(error: Error): void;
  writeCommand(...args: unknown[]): Promise<void>;
}

const GUARDED = Symbol('departments.writeGuard');

/**
 * Makes a command written to a pooled connection whose socket is already destroyed fail, as
 * the driver's own write errors do, instead of hanging for good.
 *
 * Why: when the database dies, Node destroys the socket at once but reports it (the 'close'
 * event the driver listens for) only an event-loop turn later. A command written in between
 * gets `false` from `socket.write`, and the driver (7.8) then waits for a 'drain' event that a
 * destroyed socket never emits, with no socket timeout left to end the wait. The request
 * never gets an answer and the pooled connection is never returned: each such outage would
 * leak one of the pool's connections. Seen about once in a hundred kills of the embedded
 * database under load (test/process.e2e-spec.ts).
 *
 * Without wire compression (ours is off; `compressors` in MONGO_URL would turn it on) the
 * driver serialises a command synchronously, so nothing can destroy the socket between this
 * check and the driver's write. With compression, a socket destroyed while zlib runs is
 * still not caught.
 */
export function guardDriverWrites(logger = new Logger('Database')): boolean {
  let proto: DriverConnection & { [GUARDED]?: true };
  try {
    // Internal: the driver exports no hook around its socket writes.
    proto = require('mongodb/lib/cmap/connection').Connection.prototype;
  } catch {
    proto = {} as typeof proto;
  }
  if (proto[GUARDED]) return true;
  const write = proto.writeCommand;
  if (typeof write !== 'function' || typeof proto.onError !== 'function') {
    logger.warn('The MongoDB driver changed: writes to a closed connection are not guarded');
    return false;
  }
  proto.writeCommand = function (this: DriverConnection, ...args: unknown[]) {
    if (this.socket.destroyed) {
      const error = new MongoNetworkError(`connection ${this.id} to ${this.address} closed`);
      this.onError(error);
      return Promise.reject(error);
    }
    return write.apply(this, args);
  };
  proto[GUARDED] = true;
  return true;
}
