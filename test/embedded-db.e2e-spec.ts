import { chmodSync, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { DataDirInUseError, EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';

describe('embedded database', () => {
  const dirs: string[] = [];
  const running: EmbeddedDb[] = [];
  const log = (): void => undefined;

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'embedded-db-spec-'));
    dirs.push(dir);
    return dir;
  }

  async function start(dataDir: string): Promise<EmbeddedDb> {
    const db = await startEmbeddedDb({ dataDir, log });
    running.push(db);
    return db;
  }

  afterAll(async () => {
    await Promise.all(running.map((db) => db.stop()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps data across a restart on the same data folder', async () => {
    const dataDir = await tempDir();

    const first = await start(dataDir);
    // A Unix socket inside the data folder, percent-encoded as the driver wants it.
    expect(first.url).toBe(`mongodb://${encodeURIComponent(path.join(dataDir, 'db.sock'))}/`);
    const writer = new MongoClient(first.url + 'persist');
    try {
      await writer
        .db()
        .collection('things')
        .insertOne({ _id: 'a' as never, value: 42 });
    } finally {
      await writer.close();
    }
    await first.stop();
    await first.stop(); // idempotent

    const second = await start(dataDir);
    const reader = new MongoClient(second.url + 'persist');
    try {
      const doc = await reader.db().collection('things').findOne({ value: 42 });
      expect(doc).toEqual({ _id: 'a', value: 42 });
    } finally {
      await reader.close();
      await second.stop();
    }
  });

  it('puts the socket in a private temporary folder when DATA_DIR is too long for a socket path', async () => {
    const dataDir = path.join(await tempDir(), 'a-rather-long-folder-name'.repeat(4));
    const db = await start(dataDir);
    expect(path.dirname(db.socketPath)).not.toBe(dataDir);
    expect(Buffer.byteLength(db.socketPath)).toBeLessThanOrEqual(107);
    expect(statSync(path.dirname(db.socketPath)).mode & 0o777).toBe(0o700);
    expect(statSync(db.socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const client = new MongoClient(db.url + 'long');
    try {
      await client.db().collection('things').insertOne({ value: 1 });
      expect(await client.db().collection('things').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }
    await db.stop();
    expect(existsSync(path.dirname(db.socketPath))).toBe(false);
  });

  it('tightens a data folder an earlier version created 0755', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await first.stop();
    chmodSync(dataDir, 0o755);
    const second = await start(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    await second.stop();
  });

  it('refuses connections after stop()', async () => {
    const db = await start(await tempDir());
    await db.stop();

    const client = new MongoClient(db.url, { serverSelectionTimeoutMS: 1000 });
    try {
      await expect(client.db('admin').command({ ping: 1 })).rejects.toThrow();
    } finally {
      await client.close();
    }
  });

  it('refuses a second database on the same data folder until the first is gone, even by a crash', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);

    const second = startEmbeddedDb({ dataDir, log });
    await expect(second).rejects.toThrow(DataDirInUseError);
    // The one line the service prints; the pid is the first database's parent: this process.
    await expect(second).rejects.toThrow(
      `DATA_DIR ${dataDir} is in use by another running service (pid ${process.pid})`,
    );
    // The first one is untouched.
    const client = new MongoClient(first.url + 'still');
    try {
      await client.db().command({ ping: 1 });
    } finally {
      await client.close();
    }

    // SIGKILL leaves no stale lock: the kernel drops it with the process.
    await first.crash();
    const third = await start(dataDir);
    await third.stop();
  });
});
