'use strict';
// Small helpers shared by the harness and the baseline: ids, ports, HTTP, process memory.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const zlib = require('node:zlib');

/** Meteor's id alphabet, as the service uses (src/common/ids.ts). */
const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const UNBIASED_LIMIT = 256 - (256 % ID_ALPHABET.length);

/** A random 17-character Meteor-style id (no modulo bias). */
function randomId(length = 17) {
  let id = '';
  while (id.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < UNBIASED_LIMIT) {
        id += ID_ALPHABET[byte % ID_ALPHABET.length];
        if (id.length === length) break;
      }
    }
  }
  return id;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * One HTTP request to 127.0.0.1; resolves { status, headers, body (parsed JSON or text) }.
 * Never rejects on HTTP status, only on transport errors / timeout.
 */
function request(port, method, path, { headers = {}, body, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          let bytes = Buffer.concat(chunks);
          try {
            if (res.headers['content-encoding'] === 'br') bytes = zlib.brotliDecompressSync(bytes);
            if (res.headers['content-encoding'] === 'gzip') bytes = zlib.gunzipSync(bytes);
          } catch (error) {
            return reject(new Error(`${method} ${path}: undecodable body: ${error.message}`));
          }
          const text = bytes.toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Keeps the last lines a child printed (its pipes must be drained anyway). */
class LogTail {
  constructor(max = 60) {
    this.max = max;
    this.lines = [];
    this.partial = '';
  }

  push(chunk) {
    const parts = (this.partial + chunk.toString()).split(/\r?\n/);
    this.partial = parts.pop() || '';
    for (const line of parts) if (line) this.add(line);
    if (this.partial.length > 8192) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  add(line) {
    this.lines.push(line.length > 2000 ? line.slice(0, 2000) + '…' : line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  text() {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
  }
}

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc (Linux); null elsewhere. */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
    };
    return { rssMiB: kib('VmRSS'), peakRssMiB: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks on every mainstream arch. */
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time (user + system, all threads: JS, GC helpers, libuv) a process has used so far, in ms,
 * from /proc (Linux); null elsewhere. Unlike throughput, CPU time per request barely moves when
 * other processes compete for the cores.
 */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

module.exports = { randomId, sleep, freePort, request, LogTail, memoryOf, cpuMsOf, ID_ALPHABET };
