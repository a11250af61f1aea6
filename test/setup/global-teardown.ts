// Jest global teardown (e2e): stop the embedded database started by global-setup.ts.
import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const handle = globalThis.__TEST_EMBEDDED_DB__;
  if (!handle) return;
  globalThis.__TEST_EMBEDDED_DB__ = undefined;
  await handle.db.stop();
  await rm(handle.dataDir, { recursive: true, force: true });
}
