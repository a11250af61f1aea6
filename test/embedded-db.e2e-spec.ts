import { spawn } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Collection, MongoClient } from 'mongodb';
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
    // FerretDB's own socket, behind the front, is private too.
    expect(statSync(path.join(dataDir, 'ferretdb.sock')).mode & 0o777).toBe(0o600);
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

  // FerretDB applies an update as read, modify, write back; the front in embedded-db/ serializes
  // each collection's writes so that no client's update is lost, as on MongoDB.
  describe('single-document atomicity, from many connections', () => {
    type Doc = { _id: string; n?: number; v?: number; items?: number[] };
    const CLIENTS = 10;
    let db: EmbeddedDb;
    let clients: MongoClient[];
    let collections: Collection<Doc>[];

    beforeAll(async () => {
      db = await start(await tempDir());
      // Ten clients, each with its own pool: at least ten connections at once.
      clients = Array.from({ length: CLIENTS }, () => new MongoClient(db.url + 'atomic'));
      await Promise.all(clients.map((client) => client.connect()));
      collections = clients.map((client) => client.db().collection<Doc>('docs'));
    });

    afterAll(async () => {
      await Promise.all(clients.map((client) => client.close()));
    });

    /** `count` operations at once, spread over the clients. */
    const parallel = <T>(
      count: number,
      operation: (docs: Collection<Doc>, i: number) => Promise<T>,
    ): Promise<T[]> =>
      Promise.all(Array.from({ length: count }, (_, i) => operation(collections[i % CLIENTS], i)));

    it('200 parallel $inc of one document all count', async () => {
      await collections[0].insertOne({ _id: 'inc', n: 0 });
      const results = await parallel(200, (docs) =>
        docs.updateOne({ _id: 'inc' }, { $inc: { n: 1 } }),
      );
      expect(results.every((result) => result.modifiedCount === 1)).toBe(true);
      expect(await collections[0].findOne({ _id: 'inc' })).toEqual({ _id: 'inc', n: 200 });
    });

    it('of N contenders setting v from 0 to 1, exactly one modifies the document', async () => {
      for (let round = 0; round < 5; round++) {
        const _id = `claim-${round}`;
        await collections[0].insertOne({ _id, v: 0 });
        const results = await parallel(20, (docs) =>
          docs.updateOne({ _id, v: 0 }, { $set: { v: 1 } }),
        );
        expect(results.map((result) => result.modifiedCount).sort()).toEqual([
          ...Array<number>(19).fill(0),
          1,
        ]);
      }
    });

    it('of N contenders deleting one document by a filter, exactly one deletes it', async () => {
      for (let round = 0; round < 5; round++) {
        const _id = `delete-${round}`;
        await collections[0].insertOne({ _id, v: 0 });
        const results = await parallel(20, (docs) => docs.deleteOne({ _id, v: 0 }));
        expect(results.reduce((sum, result) => sum + result.deletedCount, 0)).toBe(1);
      }
    });

    it('50 parallel $push of distinct values all land', async () => {
      await collections[0].insertOne({ _id: 'push', items: [] });
      await parallel(50, (docs, i) => docs.updateOne({ _id: 'push' }, { $push: { items: i } }));
      const doc = await collections[0].findOne({ _id: 'push' });
      expect([...(doc?.items as number[])].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
    });

    it('parallel findOneAndUpdate $inc return distinct values, one per call', async () => {
      await collections[0].insertOne({ _id: 'counter', n: 0 });
      const results = await parallel(60, (docs) =>
        docs.findOneAndUpdate({ _id: 'counter' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      );
      expect(results.map((doc) => doc?.n as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
    });

    it('parallel $pull and $addToSet of one array lose nothing', async () => {
      const all = Array.from({ length: 40 }, (_, i) => i);
      await collections[0].insertOne({ _id: 'set', items: all });
      // The even values pulled and 100..139 added, all at once.
      await parallel(60, (docs, i) =>
        docs.updateOne(
          { _id: 'set' },
          i < 20 ? { $pull: { items: 2 * i } } : { $addToSet: { items: 80 + i } },
        ),
      );
      const doc = await collections[0].findOne({ _id: 'set' });
      expect([...(doc?.items as number[])].sort((a, b) => a - b)).toEqual([
        ...all.filter((i) => i % 2 === 1),
        ...Array.from({ length: 40 }, (_, i) => 100 + i),
      ]);
    });

    /**
     * The write path's fenced filter (`{_id, _fence: {$not: {$gt: epoch}}}`) is read by `_id` and
     * compared in the front (embedded-db/fenced.go): it must give what the filter gives.
     */
    describe('fenced writes by _id', () => {
      type Fenced = { _id: string; _fence?: number | string | null; n?: number };
      const fenced = (_id: string, epoch: number) => ({
        _id,
        _fence: { $not: { $gt: epoch } },
      });
      let docs: Collection<Fenced>;
      beforeAll(() => {
        docs = clients[0].db().collection<Fenced>('fenced');
      });

      it('applies an update, findOneAndUpdate and delete only where the stamp is not greater', async () => {
        await docs.insertMany([
          { _id: 'stamped', _fence: 5, n: 0 },
          { _id: 'unstamped', n: 0 },
          { _id: 'text', _fence: 'x', n: 0 },
          { _id: 'gone-soon', _fence: 2 },
        ]);
        expect((await docs.updateOne(fenced('stamped', 4), { $inc: { n: 1 } })).modifiedCount).toBe(
          0,
        );
        expect((await docs.updateOne(fenced('stamped', 5), { $inc: { n: 1 } })).modifiedCount).toBe(
          1,
        );
        // No stamp, or one that is not a number: not greater (MongoDB's type bracketing).
        expect(
          (await docs.updateOne(fenced('unstamped', 1), { $set: { _fence: 1 } })).modifiedCount,
        ).toBe(1);
        expect((await docs.updateOne(fenced('text', 0), { $inc: { n: 1 } })).modifiedCount).toBe(1);
        expect((await docs.updateOne(fenced('missing', 9), { $inc: { n: 1 } })).matchedCount).toBe(
          0,
        );
        expect(
          await docs.findOneAndUpdate(fenced('stamped', 4.5), { $set: { _fence: 4.5 } }),
        ).toBeNull();
        expect(await docs.findOneAndUpdate(fenced('stamped', 6), { $set: { _fence: 6 } })).toEqual({
          _id: 'stamped',
          _fence: 5,
          n: 1,
        });
        expect((await docs.deleteOne(fenced('gone-soon', 1))).deletedCount).toBe(0);
        expect((await docs.deleteOne(fenced('gone-soon', 2))).deletedCount).toBe(1);
        expect(await docs.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
          { _id: 'stamped', _fence: 6, n: 1 },
          { _id: 'text', _fence: 'x', n: 1 },
          { _id: 'unstamped', _fence: 1, n: 0 },
        ]);
      });

      it('of writers with distinct epochs racing on one document, the highest one wins', async () => {
        for (let round = 0; round < 5; round++) {
          const _id = `race-${round}`;
          await docs.insertOne({ _id, _fence: 0, n: 0 });
          const epochs = Array.from({ length: 30 }, (_, i) => ((i * 7 + round) % 30) + 1);
          const results = await parallel(epochs.length, (_c, i) =>
            clients[i % CLIENTS]
              .db()
              .collection<Fenced>('fenced')
              .updateOne(fenced(_id, epochs[i]), { $set: { _fence: epochs[i] }, $inc: { n: 1 } }),
          );
          const applied = results.filter((result) => result.modifiedCount === 1).length;
          // Each applied write raised the stamp, so the stamps applied form a rising sequence
          // that ends at the highest epoch, and every write counted once.
          expect(await docs.findOne({ _id })).toEqual({ _id, _fence: 30, n: applied });
          expect(applied).toBeGreaterThanOrEqual(1);
        }
      });
    });

    it('stays in step on one connection after unacknowledged (w:0) writes', async () => {
      // One connection: FerretDB answers even a w:0 write, which the driver does not read.
      const single = new MongoClient(db.url + 'atomic', { maxPoolSize: 1 });
      try {
        const docs = single.db().collection<{ _id: string; i: number }>('unacknowledged');
        for (let i = 0; i < 10; i++) {
          await docs.insertOne({ _id: `w0-${i}`, i }, { writeConcern: { w: 0 } });
          expect(await docs.countDocuments()).toBe(i + 1);
          expect(await docs.findOne({ _id: `w0-${i}` })).toEqual({ _id: `w0-${i}`, i });
        }
      } finally {
        await single.close();
      }
    });

    it('offers no compression, and serves a client that asks for it', async () => {
      const compressing = new MongoClient(db.url + 'atomic', { compressors: ['zlib'] });
      try {
        const hello = await compressing.db('admin').command({ hello: 1 });
        expect(hello.compression).toBeUndefined();
        const docs = compressing.db().collection<{ _id: string; text: string }>('compressible');
        const text = 'compress me '.repeat(1000);
        await docs.insertOne({ _id: 'big', text });
        expect(await docs.findOne({ _id: 'big' })).toEqual({ _id: 'big', text });
      } finally {
        await compressing.close();
      }
    });

    it('keeps a cursor across batches (getMore on the same FerretDB connection)', async () => {
      const docs = clients[0].db().collection<{ _id: number }>('cursor');
      await docs.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i })));
      const found = await docs.find({}, { batchSize: 7 }).sort({ _id: 1 }).toArray();
      expect(found.map((doc) => doc._id)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('serializes writes from two processes contending for one document', async () => {
      await collections[0].insertOne({ _id: 'processes', n: 0 });
      // The other process connects, says "ready", and fires its 100 $inc when told "go".
      const script = `
        const { MongoClient } = require('mongodb');
        const clients = Array.from({ length: 5 }, () => new MongoClient(process.argv[1]));
        (async () => {
          await Promise.all(clients.map((client) => client.connect()));
          console.log('ready');
          await new Promise((resolve) => process.stdin.once('data', resolve));
          await Promise.all(Array.from({ length: 100 }, (_, i) =>
            clients[i % 5].db().collection('docs').updateOne({ _id: 'processes' }, { $inc: { n: 1 } })));
          await Promise.all(clients.map((client) => client.close()));
          console.log('done');
        })().catch((err) => { console.error(err); process.exit(1); });`;
      const child = spawn(process.execPath, ['-e', script, db.url + 'atomic'], {
        cwd: path.resolve(__dirname, '..'),
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let output = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}): ${output}`)));
      });
      try {
        child.stdin.end('go\n'); // and end of file, which lets it exit
        await parallel(100, (docs) => docs.updateOne({ _id: 'processes' }, { $inc: { n: 1 } }));
        expect(await exited).toBe(0);
        expect(output).toContain('done');
      } finally {
        child.kill();
      }
      expect(await collections[0].findOne({ _id: 'processes' })).toEqual({
        _id: 'processes',
        n: 200,
      });
    });
  });
});
