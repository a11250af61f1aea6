// The process-level suites run `node dist/main.js`, as the container image does. The build
// happens once here, before any suite runs (suites building it themselves would delete
// dist/ under each other's feet), and only when a source is newer than the build.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function newestMtime(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newestMtime(path.join(file, name))));
}

export function buildIfStale(): void {
  let built = 0;
  try {
    built = statSync(path.join(ROOT, 'dist/main.js')).mtimeMs;
  } catch {
    // not built yet
  }
  const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
  if (Math.max(...sources.map((name) => newestMtime(path.join(ROOT, name)))) <= built) return;
  execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
