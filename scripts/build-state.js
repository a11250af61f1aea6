'use strict';
// Whether the build (dist/, and the console's web build when web/ exists) is older than its
// sources: shared by `npm start` (scripts/start.js) and `npm run bench`.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');
/** Files outside src/ that change what the server build produces. */
const BUILD_INPUTS = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
/** Where the console's build may land (the web/ package decides). */
const WEB_OUTPUTS = ['web/dist', 'dist/web'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.cache', 'coverage']);

/** The newest mtime (ms) of the files under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) newest = Math.max(newest, newestMtime(full));
    } else if (entry.isFile()) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Why the build in `root` is needed, or null when its outputs are newer than every input. */
function staleReason(root = ROOT) {
  const builtAt = mtimeOf(path.join(root, 'dist', 'main.js'));
  if (!builtAt) return 'dist/main.js is missing';
  if (newestMtime(path.join(root, 'src')) > builtAt) return 'src/ changed since the last build';
  const changed = BUILD_INPUTS.find((file) => mtimeOf(path.join(root, file)) > builtAt);
  if (changed) return `${changed} changed since the last build`;
  const web = path.join(root, 'web');
  if (fs.existsSync(web)) {
    const webBuiltAt = Math.max(...WEB_OUTPUTS.map((dir) => newestMtime(path.join(root, dir))));
    if (!webBuiltAt) return 'the console (web/) has not been built';
    if (newestMtime(web) > webBuiltAt) return 'web/ changed since the last build';
  }
  return null;
}

module.exports = { ROOT, MAIN, staleReason };
