// Jest global setup (browser): the console must be built from the current web/ sources
// (built here when web/dist is missing or older than a source), then the e2e database.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import e2eGlobalSetup from '../setup/global-setup';

const ROOT = path.resolve(__dirname, '../..');
const BUILT = path.join(ROOT, 'web/dist/index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export default async function globalSetup(): Promise<void> {
  const sources = Math.max(
    newestSource(path.join(ROOT, 'web')),
    statSync(path.join(ROOT, 'package-lock.json')).mtimeMs,
  );
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < sources) {
    console.log('Building the admin console (web/ changed since the last build)…');
    execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
  }
  // The e2e setup starts the database once per jest process; both projects share it.
  await e2eGlobalSetup();
}
