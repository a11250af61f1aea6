'use strict';
// Preloaded (node -r) into the service only when profiling (BENCH_PROFILE=1). `node --cpu-prof`
// writes its profile on a normal exit, but NestJS' shutdown hook closes the app and then
// re-raises SIGTERM, which kills the process before the profile is written. This listener turns
// that re-raised SIGTERM into process.exit(0). Without a NestJS listener it exits at once.

let received = 0;
process.on('SIGTERM', () => {
  received += 1;
  if (received >= 2 || process.listenerCount('SIGTERM') === 1) process.exit(0);
  // NestJS is shutting down; exit anyway if it never re-raises the signal.
  setTimeout(() => process.exit(0), 15_000).unref();
});
