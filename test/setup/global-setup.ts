// Jest global setup (e2e): use MONGO_URL if set, otherwise start an embedded database on a
// random port with a temporary data folder. Test workers read TEST_MONGO_URL (ends with '/').
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedDb, startEmbeddedDb } from '../../src/database/embedded-db';
import { buildIfStale } from './build-if-stale';

declare global {
  // Read by global-teardown.ts (same process).
  var __TEST_EMBEDDED_DB__: { db: EmbeddedDb; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  buildIfStale();
  // The e2e and browser projects both call this in one jest process: start one database,
  // or the second would replace the first's handle and the first would never be stopped
  // (its pipes then keep jest from exiting).
  if (globalThis.__TEST_EMBEDDED_DB__) return;
  if (process.env.MONGO_URL) {
    process.env.TEST_MONGO_URL = process.env.MONGO_URL;
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'departments-test-db-'));
  const db = await startEmbeddedDb({ dataDir, log: (msg) => console.log(msg) });
  globalThis.__TEST_EMBEDDED_DB__ = { db, dataDir };
  process.env.TEST_MONGO_URL = db.url;
}
