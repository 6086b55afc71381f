'use strict';
// Constant-rate HTTP/1.1 load generator (wrk2 is not in Debian): sends GETs at a fixed rate over a
// small pool of keep-alive sockets, one request in flight per socket, and times each request with
// process.hrtime from the moment its bytes are written to the moment its last response byte
// arrives. It speaks raw HTTP over node:net (Content-Length or chunked bodies) so that the
// client's own cost per request stays small and the same for every target.
//
//   node constant-rate.js --url http://127.0.0.1:18080/bench/hello [--rate 500] [--duration 10]
//        [--warmup 2] [--connections 16] [--header 'name: value']...
//
// Prints a human line and one `CRJSON {...}` line: sent, measured, errors, non-2xx, p50/p90/p99/max
// of the send-to-last-byte latency in microseconds, the same from the scheduled send time
// (coordinated-omission corrected, as wrk2 reports it), and how many sends were late by >1 ms.
// Traffic goes only to the URL given, which must be on the loopback.
const net = require('node:net');

function parseArgs(argv) {
  const args = { rate: 500, duration: 10, warmup: 2, connections: 16, headers: [] };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--url') args.url = value;
    else if (key === '--rate') args.rate = Number(value);
    else if (key === '--duration') args.duration = Number(value);
    else if (key === '--warmup') args.warmup = Number(value);
    else if (key === '--connections') args.connections = Number(value);
    else if (key === '--header') args.headers.push(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.url) throw new Error('--url is required');
  for (const k of ['rate', 'duration', 'warmup', 'connections']) {
    if (!Number.isFinite(args[k]) || args[k] < 0) throw new Error(`--${k} must be a non-negative number`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const url = new URL(args.url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && !url.hostname.startsWith('127.')) {
  throw new Error(`refusing to send load to ${url.hostname}: loopback only`);
}
const port = Number(url.port || 80);
const host = url.hostname.replace(/^\[|\]$/g, '');
const REQUEST = Buffer.from(
  `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n${args.headers.map((h) => `${h}\r\n`).join('')}\r\n`,
  'latin1',
);
const INTERVAL_NS = BigInt(Math.round(1e9 / args.rate));
const WARMUP_NS = BigInt(Math.round(args.warmup * 1e9));
const TOTAL_NS = WARMUP_NS + BigInt(Math.round(args.duration * 1e9));
const now = () => process.hrtime.bigint();

const stats = { sent: 0, completed: 0, errors: 0, non2xx: 0, late: 0, queuedMax: 0, reconnects: 0 };
const latencies = []; // send -> last byte, us, measured window only
const corrected = []; // scheduled send -> last byte, us
const idle = [];
const pending = []; // scheduled times waiting for a free socket
let open = 0;
let start = 0n;
let stopping = false;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function openSocket() {
  open++;
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  const state = { socket, busy: false, sentAt: 0n, scheduledAt: 0n, buf: Buffer.alloc(0), ready: false };
  socket.on('connect', () => {
    state.ready = true;
    release(state);
  });
  socket.on('data', (chunk) => onData(state, chunk));
  const gone = () => {
    if (state.dead) return;
    state.dead = true;
    open--;
    const i = idle.indexOf(state);
    if (i >= 0) idle.splice(i, 1);
    if (state.busy) stats.errors++;
    state.busy = false;
    if (!stopping) {
      stats.reconnects++;
      openSocket();
    }
  };
  socket.on('error', gone);
  socket.on('close', gone);
}

function release(state) {
  if (stopping) return state.socket.destroy();
  if (pending.length > 0) return send(state, pending.shift());
  idle.push(state);
}

function send(state, scheduledAt) {
  state.busy = true;
  state.buf = Buffer.alloc(0);
  state.scheduledAt = scheduledAt;
  state.sentAt = now();
  stats.sent++;
  state.socket.write(REQUEST);
}

// Returns the byte length of a complete response at the start of buf, or 0 when more is needed.
function completeLength(buf) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return 0;
  const head = buf.toString('latin1', 0, headEnd);
  const bodyStart = headEnd + 4;
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) {
    const total = bodyStart + Number(cl[1]);
    return buf.length >= total ? total : 0;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
    return end >= 0 ? end + 7 : 0;
  }
  return bodyStart; // no body (e.g. 204/304)
}

function onData(state, chunk) {
  if (!state.busy) return; // unsolicited bytes: ignore
  state.buf = state.buf.length === 0 ? chunk : Buffer.concat([state.buf, chunk]);
  const length = completeLength(state.buf);
  if (length === 0) return;
  const done = now();
  const status = Number(state.buf.toString('latin1', 9, 12));
  const closing = /\r\nconnection:\s*close/i.test(state.buf.toString('latin1', 0, state.buf.indexOf('\r\n\r\n')));
  state.busy = false;
  stats.completed++;
  if (status < 200 || status > 299) stats.non2xx++;
  if (state.scheduledAt - start >= WARMUP_NS) {
    latencies.push(Number(done - state.sentAt) / 1000);
    corrected.push(Number(done - state.scheduledAt) / 1000);
  }
  if (closing) state.socket.destroy();
  else release(state);
}

let nextDue = 0n;
function tick() {
  const t = now();
  if (t - start >= TOTAL_NS) return finish();
  while (nextDue <= t && nextDue - start < TOTAL_NS) {
    if (t - nextDue > 1_000_000n) stats.late++;
    const state = idle.pop();
    if (state) send(state, nextDue);
    else {
      pending.push(nextDue);
      stats.queuedMax = Math.max(stats.queuedMax, pending.length);
      if (open < args.connections) openSocket();
    }
    nextDue += INTERVAL_NS;
  }
  const waitMs = Number(nextDue - now()) / 1e6;
  setTimeout(tick, waitMs > 1 ? Math.floor(waitMs) : 0);
}

function finish() {
  stopping = true;
  const deadline = Date.now() + 2000;
  const wait = () => {
    if (stats.completed + stats.errors >= stats.sent || Date.now() > deadline) report();
    else setTimeout(wait, 10);
  };
  wait();
}

function report() {
  for (const s of idle.splice(0)) s.socket.destroy();
  const lat = Float64Array.from(latencies).sort();
  const cor = Float64Array.from(corrected).sort();
  const out = {
    url: args.url,
    rate: args.rate,
    duration_s: args.duration,
    sent: stats.sent,
    measured: lat.length,
    errors: stats.errors + (stats.sent - stats.completed - stats.errors),
    non2xx: stats.non2xx,
    late_sends: stats.late,
    reconnects: stats.reconnects,
    p50_us: +percentile(lat, 50).toFixed(1),
    p90_us: +percentile(lat, 90).toFixed(1),
    p99_us: +percentile(lat, 99).toFixed(1),
    max_us: +(lat.length ? lat[lat.length - 1] : NaN).toFixed(1),
    corrected_p50_us: +percentile(cor, 50).toFixed(1),
    corrected_p99_us: +percentile(cor, 99).toFixed(1),
  };
  console.log(
    `${args.url} @ ${args.rate} req/s for ${args.duration}s: ${out.measured} measured, p50 ${out.p50_us} us, p99 ${out.p99_us} us, ` +
      `errors ${out.errors}, non-2xx ${out.non2xx}, late sends ${out.late_sends}`,
  );
  console.log(`CRJSON ${JSON.stringify(out)}`);
  process.exit(out.errors > 0 || out.non2xx > 0 ? 1 : 0);
}

// Hard stop whatever happens.
setTimeout(() => {
  console.error('constant-rate: hard timeout');
  process.exit(2);
}, Number(TOTAL_NS / 1_000_000n) + 10_000).unref();

for (let i = 0; i < Math.min(args.connections, 4); i++) openSocket();
// Start once the first sockets are connected (or after 1 s at most).
const begin = Date.now();
(function waitConnected() {
  if (idle.length >= Math.min(args.connections, 4) || Date.now() - begin > 1000) {
    start = now();
    nextDue = start;
    tick();
  } else setTimeout(waitConnected, 5);
})();
