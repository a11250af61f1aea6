import { MongoNetworkError } from 'mongodb';
import { once } from 'node:events';
import { AddressInfo, Socket, connect, createServer } from 'node:net';
import { guardDriverWrites } from './driver-write-guard';

// The driver's own connection class, as its pool creates them (internal, see the guard).
const { Connection } = require('mongodb/lib/cmap/connection');
const { MongoDBNamespace } = require('mongodb/lib/utils');

/** A driver connection whose socket Node has destroyed, before the 'close' event reports it. */
function connectionOnDestroyedSocket() {
  const socket = new Socket();
  socket.destroy();
  const connection = new Connection(socket, { id: 7, generation: 0 });
  return { connection, socket };
}

const ping = (connection: { command: (...args: unknown[]) => Promise<unknown> }) =>
  connection.command(MongoDBNamespace.fromString('admin.$cmd'), { ping: 1 }, {});

/** The promise's outcome, or 'pending' when it has none after `ms` (it waits on no timer). */
async function outcomeWithin(promise: Promise<unknown>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('guardDriverWrites', () => {
  // First, unguarded: when this stops hanging, the driver fixed it and the guard can go.
  it('without it, the driver waits for good on a command written to a destroyed socket', async () => {
    const { connection } = connectionOnDestroyedSocket();
    expect(await outcomeWithin(ping(connection), 300)).toBe('pending');
  });

  it('with it, that command fails with a network error and the connection is closed', async () => {
    expect(guardDriverWrites()).toBe(true);
    const { connection } = connectionOnDestroyedSocket();
    const outcome = await outcomeWithin(ping(connection), 5_000);
    expect(outcome).toBeInstanceOf(MongoNetworkError);
    expect((outcome as Error).message).toMatch(/^connection 7 to .+ closed$/);
    // Closed: the pool discards it when the operation checks it back in.
    expect(connection.closed).toBe(true);
  });

  it('is installed once, and leaves writes to a live socket to the driver', async () => {
    const guarded = Connection.prototype.writeCommand;
    expect(guardDriverWrites()).toBe(true);
    expect(Connection.prototype.writeCommand).toBe(guarded);

    // A server that reads what it is sent and never answers.
    let received = 0;
    const server = createServer((peer) => peer.on('data', (chunk) => (received += chunk.length)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    const connection = new Connection(socket, { id: 8, generation: 0 });
    const pinged = ping(connection);
    try {
      while (received === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(received).toBeGreaterThan(16); // the whole command (header and body) went out
    } finally {
      socket.destroy();
      server.close();
    }
    // Then the driver's own close handling ends the wait for the answer.
    expect(await outcomeWithin(pinged, 5_000)).toBeInstanceOf(MongoNetworkError);
  });
});
