/**
 * Subscriptions at marketplace scale (issue 12): snapshot size and data-plane apply time of a
 * config holding N subscriptions (N consumers, one plan), full and after one subscription changed.
 *
 *   node --max-old-space-size=6144 -r ./tools/register.js test/bench/marketplace-subscriptions.bench.ts   (SUBSCRIPTIONS= to resize)
 */
import { ConfigHash, emptyEntities, type ConfigEntities, type Consumer, type Plan, type Subscription } from '@tollgate/config';
import { applyEntityChanges, readDataPlaneSettings, startDataPlane } from '@tollgate/data-plane';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.env.SUBSCRIPTIONS ?? 1_000_000);
const uuid = (kind: number, i: number) => `00000000-0000-4${kind.toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;

function entities(): ConfigEntities {
  const service = { id: uuid(1, 0), created_at: 1, updated_at: 1, tags: null, name: 'api', retries: 5, protocol: 'http', host: '127.0.0.1', port: 9, path: null, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, client_certificate: null, tls_verify: null, tls_verify_depth: null, ca_certificates: null, enabled: true, regions: [] };
  const plan: Plan = { id: uuid(2, 0), created_at: 1, updated_at: 1, tags: null, name: 'basic', services: [{ id: service.id }], currency: 'USD', price: 1900, interval: 'month', interval_count: 1, quota: { limit: 10000, per: 'interval' }, overage: 'block', rate_limit: { second: 10, minute: null, hour: null }, bill_5xx: false, public: true, terms_version: 1, terms_effective_at: 1, terms_history: [] };
  const consumers: Consumer[] = [];
  const subscriptions: Subscription[] = [];
  for (let i = 0; i < N; i++) {
    consumers.push({ id: uuid(3, i), created_at: 1, updated_at: 1, tags: null, username: `c${i}`, custom_id: null });
    subscriptions.push({ id: uuid(4, i), created_at: 1, updated_at: 1, tags: null, consumer: { id: uuid(3, i) }, plan: { id: plan.id }, status: 'active', current_period_start: 1764633600, current_period_end: 1767312000, canceled_at: null, cancel_at_period_end: false });
  }
  return { ...emptyEntities(), services: [service as ConfigEntities['services'][number]], plans: [plan], consumers, subscriptions };
}

async function main(): Promise<void> {
  const all = entities();
  const subscriptionBytes = all.subscriptions.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s)), 0);
  const consumerBytes = all.consumers.reduce((n, c) => n + Buffer.byteLength(JSON.stringify(c)), 0);
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-mkt-bench-'));
  const settings = readDataPlaneSettings({ TOLLGATE_NODE_NAME: 'mkt-bench', TOLLGATE_WORKERS: '0', TOLLGATE_USAGE: 'off', TOLLGATE_LOG_LEVEL: 'silent' });
  const dp = await startDataPlane({ ...settings, proxyListen: { host: '127.0.0.1', port: 0 }, proxySslListen: null, statusListen: null, prefix });
  try {
    let started = performance.now();
    const full = await dp.applySnapshot({ version: 1, hash: ConfigHash.of(all).hex(), entities: all });
    const fullMs = performance.now() - started;
    const times: number[] = [];
    let current = all;
    for (let i = 0; i < 5; i++) {
      const changed = { ...current.subscriptions[i]!, status: 'canceled' as const, canceled_at: 1764700000 };
      current = applyEntityChanges(current, { subscriptions: { upserts: [changed], deletes: [] } } as Parameters<typeof applyEntityChanges>[1]);
      started = performance.now();
      const outcome = await dp.applySnapshot({ version: 2 + i, hash: 'bench', entities: current }, new Set(['subscriptions']));
      times.push(performance.now() - started);
      if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    }
    console.log(`subscriptions: ${N}`);
    console.log(`snapshot JSON: subscriptions ${(subscriptionBytes / 1048576).toFixed(1)} MiB (${Math.round(subscriptionBytes / N)} B each), consumers ${(consumerBytes / 1048576).toFixed(1)} MiB`);
    console.log(`full apply: ${fullMs.toFixed(0)} ms (ok=${full.ok})`);
    console.log(`one subscription changed, apply: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  } finally {
    await dp.close();
    rmSync(prefix, { recursive: true, force: true });
  }
}

void main();
