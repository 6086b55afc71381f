/**
 * What checking an admin token adds to an admin request (issue 11): target under 0.1 ms at p50.
 *
 *   npm run bench:admin-token
 *
 * Two control planes in-process on fresh schemas of the `test` database: `open` has no admin
 * token (the loopback API needs none, but still asks whether one exists), `token` has one and
 * every request carries it. Over keep-alive HTTP it times `GET /status` (no database work) on
 * each, one request to each in turn so machine noise hits both alike, and prints p50/p90/p99 of each
 * and the p50 difference. It also times the verifier's cached path directly (hash + lookup).
 */
import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';
import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AdminTokenVerifier } from '../../apps/control-plane/src/access/admin-tokens/admin-token-verifier';

const ROUNDS = 20;
const PER_ROUND = 250;
const WARMUP = 500;
const DIRECT_CALLS = 200_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function get(agent: Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const open = await startTestControlPlane('bench-token-open', { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
  const secured = await startTestControlPlane('bench-token-on', { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
  let planes: TestControlPlane[] = [open, secured];
  try {
    const issued = await fetch(`${secured.adminUrl}/admin-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', role: 'read-only' }) });
    const { token } = (await issued.json()) as { token: string };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const targets = [
      { name: 'open (no token exists)', url: new URL(`${open.adminUrl}/status`), headers: {} as Record<string, string>, samples: [] as number[] },
      { name: 'token (Authorization: Bearer)', url: new URL(`${secured.adminUrl}/status`), headers: { authorization: `Bearer ${token}` }, samples: [] as number[] },
    ];
    for (const t of targets) for (let i = 0; i < WARMUP; i++) await get(agent, t.url, t.headers);
    // One request to each in turn (order flipped every time), so a noisy moment hits both alike.
    const pairDiffs: number[] = [];
    for (let i = 0; i < ROUNDS * PER_ROUND; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      const taken: number[] = [];
      for (const k of order) taken[k] = await get(agent, targets[k]!.url, targets[k]!.headers);
      targets[0]!.samples.push(taken[0]!);
      targets[1]!.samples.push(taken[1]!);
      pairDiffs.push(taken[1]! - taken[0]!);
    }
    const p50s: number[] = [];
    console.log(`GET /status, ${ROUNDS * PER_ROUND} requests each, keep-alive, one connection, interleaved`);
    for (const t of targets) {
      const sorted = [...t.samples].sort((a, b) => a - b);
      p50s.push(percentile(sorted, 50));
      console.log(`  ${t.name.padEnd(32)} p50 ${percentile(sorted, 50).toFixed(3)} ms  p90 ${percentile(sorted, 90).toFixed(3)} ms  p99 ${percentile(sorted, 99).toFixed(3)} ms`);
    }
    console.log(`  p50 added by the token check: ${(p50s[1]! - p50s[0]!).toFixed(3)} ms (target < 0.100)`);
    console.log(`  median of per-pair differences (token - open): ${percentile([...pairDiffs].sort((a, b) => a - b), 50).toFixed(3)} ms`);

    const verifier = secured.app.get(AdminTokenVerifier);
    await verifier.verify(token, null);
    let started = performance.now();
    let checked = 0;
    for (let i = 0; i < DIRECT_CALLS; i++) {
      // Re-read once the cache entry ages out (every 500 ms), as a real replica does.
      if ((await verifier.verify(token, null)) !== null) checked++;
    }
    const perCall = ((performance.now() - started) * 1000) / DIRECT_CALLS;
    console.log(`AdminTokenVerifier.verify, ${DIRECT_CALLS} calls of a valid token: ${perCall.toFixed(2)} µs per call (${checked} accepted)`);
    started = performance.now();
    for (let i = 0; i < 2000; i++) await verifier.verify(`tgk_${i.toString().padStart(43, 'x')}`, null);
    console.log(`  unknown tokens (each a database lookup): ${(((performance.now() - started) * 1000) / 2000).toFixed(1)} µs per call`);
    agent.destroy();
  } finally {
    for (const cp of planes) await cp.stop();
    planes = [];
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
