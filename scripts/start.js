'use strict';
// npm start: builds only when the build is missing or older than its sources, then runs the
// service in this very process (so SIGTERM/SIGINT reach its own handlers and its exit code is
// the process's). `node dist/main.js` alone is ready in about a second; `nest build` takes
// several, and an up-to-date build need not pay for it.

const { spawnSync } = require('node:child_process');
const { MAIN, ROOT, staleReason } = require('./build-state');

const reason = staleReason();
if (reason) {
  console.error(`${reason}: running npm run build…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`npm run build failed (${build.error?.message ?? `exit ${build.status}`})`);
    process.exit(1);
  }
}
require(MAIN);
