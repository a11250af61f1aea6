'use strict';
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per category —
// the service's own code (dist/), the framework (NestJS, Fastify, validation, rxjs), logging &
// metrics, the database layer (Mongoose, driver, BSON), Node internals, native code, GC.
// CLI: node bench/lib/profile.js <file.cpuprofile> [top N]

const fs = require('node:fs');
const path = require('node:path');

const DATABASE =
  /^(mongoose|mongodb|bson|kareem|mpath|mquery|sift|@nestjs\/mongoose|mongodb-connection-string-url|whatwg-url|@mongodb-js\/.*)$/;
const LOGGING =
  /^(pino|pino-.*|nestjs-pino|sonic-boom|thread-stream|fast-redact|on-exit-leak-free|prom-client|tdigest|bintrees|@pinojs\/.*)$/;
const FRAMEWORK =
  /^(@nestjs\/.*|fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|fast-uri|fast-decode-uri-component|secure-json-parse|toad-cache|ret|safe-regex2|abstract-logging|process-warning|rfdc|rxjs|tslib|class-validator|class-transformer|validator|libphonenumber-js|reflect-metadata|qs|side-channel.*|iterare|path-to-regexp|uid|fast-safe-stringify|json-schema-ref-resolver|content-type|proxy-addr|forwarded|ipaddr\.js|@lukeed\/.*)$/;

function packageOf(url) {
  const i = url.lastIndexOf('node_modules/');
  if (i < 0) return null;
  const rest = url.slice(i + 'node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

function categoryOf(frame) {
  const url = frame.url || '';
  const name = frame.functionName;
  if (!url) {
    if (name === '(garbage collector)') return 'gc';
    if (name === '(idle)') return 'idle';
    return 'native (V8 builtins, I/O)';
  }
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node internals';
  const pkg = packageOf(url);
  if (pkg) {
    if (DATABASE.test(pkg)) return 'database (mongoose/driver/bson)';
    if (LOGGING.test(pkg)) return 'logging & metrics (pino/prom-client)';
    if (FRAMEWORK.test(pkg)) return 'framework (nest/fastify/validation/rxjs)';
    return 'other packages';
  }
  if (/[\\/]dist[\\/]/.test(url)) return 'service (dist/)';
  return 'other';
}

/** Categories whose time is better charged to the JS code that called them. */
const LOW_LEVEL = new Set(['native (V8 builtins, I/O)', 'node internals']);

function shortLocation(frame) {
  const url = (frame.url || '').replace(/^file:\/\//, '');
  if (!url) return '';
  const i = url.lastIndexOf('node_modules/');
  const short =
    i >= 0
      ? url.slice(i + 'node_modules/'.length)
      : url.includes('/dist/')
        ? url.slice(url.indexOf('/dist/') + 1)
        : url;
  return `${short}:${frame.lineNumber + 1}`;
}

/**
 * Summarises a profile. `windows`: optional [[startUs, endUs], …] on the monotonic clock
 * (process.hrtime in any process of the machine, like V8's profile timestamps): only samples
 * inside them count, so start-up and shutdown are left out.
 */
function summarise(file, { top = 25, windows } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes)
    for (const child of node.children || []) parentOf.set(child, node.id);
  const inWindow = (t) => !windows || windows.some(([from, to]) => t >= from && t <= to);

  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  let kept = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time elapsed since the previous sample; charged to sample i.
    t += timeDeltas[i] || 0;
    if (!inWindow(t)) continue;
    kept++;
    selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + Math.max(0, timeDeltas[i] || 0));
  }

  // The category a node's time is charged to when native/node-internal time goes to its JS caller.
  const ownerCache = new Map();
  const ownerOf = (id) => {
    if (ownerCache.has(id)) return ownerCache.get(id);
    const own = categoryOf(byId.get(id).callFrame);
    let owner = own;
    if (LOW_LEVEL.has(own)) {
      const parent = parentOf.get(id);
      const up = parent === undefined ? own : ownerOf(parent);
      owner = up === 'other' || up === '(root)' ? own : up;
    }
    if (byId.get(id).callFrame.functionName === '(root)') owner = '(root)';
    ownerCache.set(id, owner);
    return owner;
  };

  const functions = new Map();
  const categories = new Map();
  const attributed = new Map();
  const packages = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const category = categoryOf(frame);
    totalUs += us;
    if (category === 'idle') {
      idleUs += us;
      continue;
    }
    const key = `${frame.functionName || '(anonymous)'}\u0000${shortLocation(frame)}`;
    const entry = functions.get(key) || {
      fn: frame.functionName || '(anonymous)',
      at: shortLocation(frame),
      category,
      us: 0,
    };
    entry.us += us;
    functions.set(key, entry);
    categories.set(category, (categories.get(category) || 0) + us);
    const owner = ownerOf(id) === '(root)' ? category : ownerOf(id);
    attributed.set(owner, (attributed.get(owner) || 0) + us);
    const pkg = packageOf(frame.url || '') || category;
    packages.set(pkg, (packages.get(pkg) || 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const pct = (us) => Math.round((us / busyUs) * 1000) / 10;
  const ms = (us) => Math.round(us / 100) / 10;
  const sorted = (map) => [...map.entries()].sort((x, y) => y[1] - x[1]);
  return {
    file: path.relative(process.cwd(), file),
    samples: kept,
    windowed: Boolean(windows),
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    categories: sorted(categories).map(([category, us]) => ({
      category,
      ms: ms(us),
      pct: pct(us),
    })),
    attributed: sorted(attributed).map(([category, us]) => ({
      category,
      ms: ms(us),
      pct: pct(us),
    })),
    packages: sorted(packages)
      .slice(0, 15)
      .map(([pkg, us]) => ({ package: pkg, ms: ms(us), pct: pct(us) })),
    functions: [...functions.values()]
      .sort((x, y) => y.us - x.us)
      .slice(0, top)
      .map((f) => ({ fn: f.fn, at: f.at, category: f.category, ms: ms(f.us), pct: pct(f.us) })),
    serviceFunctions: [...functions.values()]
      .filter((f) => f.category.startsWith('service'))
      .sort((x, y) => y.us - x.us)
      .slice(0, 12)
      .map((f) => ({ fn: f.fn, at: f.at, ms: ms(f.us), pct: pct(f.us) })),
  };
}

function format(summary) {
  const lines = [];
  const row = (p, text) => `  ${String(p).padStart(5)}%  ${text}`;
  lines.push(
    `CPU profile ${summary.file}: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle` +
      (summary.windowed ? ' (only while load was applied)' : ''),
  );
  lines.push('', 'Self time by category (% of busy time):');
  for (const c of summary.categories) if (c.pct >= 0.1) lines.push(row(c.pct, c.category));
  lines.push(
    '',
    'Same, with native and node-internal time charged to the JS caller (socket writes, JSON, crypto…):',
  );
  for (const c of summary.attributed) if (c.pct >= 0.1) lines.push(row(c.pct, c.category));
  lines.push('', 'Self time by package:');
  for (const p of summary.packages) if (p.pct >= 0.1) lines.push(row(p.pct, p.package));
  lines.push('', 'Top self-time functions:');
  for (const f of summary.functions) lines.push(row(f.pct, `${f.fn}  [${f.category}]  ${f.at}`));
  lines.push('', "Top self-time functions in the service's own code (dist/):");
  for (const f of summary.serviceFunctions) lines.push(row(f.pct, `${f.fn}  ${f.at}`));
  return lines.join('\n');
}

/**
 * The call stacks (up to `depth` frames, innermost first) leading to functions named `name`,
 * weighted by their self time: who calls a hot native or node-internal function.
 */
function callers(file, name, { depth = 6, top = 8 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes)
    for (const child of node.children || []) parentOf.set(child, node.id);
  const selfUs = new Map();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i] || 0)),
  );
  const stacks = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    if (byId.get(id).callFrame.functionName !== name) continue;
    total += us;
    const frames = [];
    for (let at = id; at !== undefined && frames.length < depth; at = parentOf.get(at)) {
      const frame = byId.get(at).callFrame;
      if (frame.functionName === '(root)') break;
      frames.push(`${frame.functionName || '(anonymous)'} ${shortLocation(frame)}`.trim());
    }
    const key = frames.join('\n      ← ');
    stacks.set(key, (stacks.get(key) || 0) + us);
  }
  const lines = [`${name}: ${Math.round(total / 1000)} ms self time; top call stacks:`];
  for (const [stack, us] of [...stacks.entries()].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    lines.push(`  ${Math.round((us / Math.max(1, total)) * 100)}%  ${stack}`);
  }
  return lines.join('\n');
}

/** A few lines: where the time went (charged to JS callers), top functions, our own top functions. */
function formatShort(summary, title) {
  const lines = [`${title} — ${summary.busyMs} ms busy:`];
  lines.push(
    `  by category: ${summary.attributed
      .filter((c) => c.pct >= 1)
      .map((c) => `${c.category} ${c.pct}%`)
      .join(', ')}`,
  );
  lines.push('  top functions:');
  for (const f of summary.functions) {
    lines.push(`    ${String(f.pct).padStart(5)}%  ${f.fn}  [${f.category}]  ${f.at}`);
  }
  const own = summary.serviceFunctions.slice(0, 5);
  if (own.length) {
    lines.push(`  service code: ${own.map((f) => `${f.fn} ${f.pct}% (${f.at})`).join(', ')}`);
  }
  return lines.join('\n');
}

module.exports = { summarise, format, formatShort, callers };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--callers');
  const name = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const [file, top] = args;
  if (!file) {
    console.error(
      'usage: node bench/lib/profile.js <file.cpuprofile> [top N] [--callers <function name>]',
    );
    process.exit(2);
  }
  console.log(
    name
      ? callers(path.resolve(file), name)
      : format(summarise(path.resolve(file), { top: Number(top) || 25 })),
  );
}
