// Start-up time to ready and resident memory of each app, run from source (TypeScript through the
// swc require hook, as `npm start` does) against the build (`node dist/apps/<app>/main.js`).
// Variants alternate round by round so machine noise falls on both. Prints a markdown table.
//
//   npm run build && node -r ./tools/register.js test/bench/startup.bench.ts [rounds]
import { createTestSchema, freePort } from '@tollgate/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.argv[2] ?? 5);

type App = 'control-plane' | 'data-plane';
interface Variant {
  readonly name: string;
  readonly app: App;
  readonly built: boolean;
  readonly env: Record<string, string>;
}
interface Sample {
  readonly readyMs: number;
  readonly rssMb: number;
}

function rssOfTree(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  let kb = 0;
  const tree = [pid, ...[...parents].filter(([, parent]) => parent === pid).map(([child]) => child)];
  for (const member of tree) {
    const status = readFileSync(`/proc/${member}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

async function untilOk(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error(`${url}: not ready in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function measure(variant: Variant): Promise<Sample> {
  const main = variant.built ? [join(ROOT, 'dist', 'apps', variant.app, 'main.js')] : ['-r', join(ROOT, 'tools', 'register.js'), join(ROOT, 'apps', variant.app, 'src', 'main.ts')];
  const port = await freePort();
  const env =
    variant.app === 'control-plane'
      ? { TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${port}`, TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${await freePort()}` }
      : { TOLLGATE_STATUS_LISTEN: `127.0.0.1:${port}`, TOLLGATE_PROXY_LISTEN: `127.0.0.1:${await freePort()}` };
  const url = variant.app === 'control-plane' ? `http://127.0.0.1:${port}/status` : `http://127.0.0.1:${port}/status/ready`;
  const started = performance.now();
  const child = spawn(process.execPath, main, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', TOLLGATE_LOG_LEVEL: 'warn', ...variant.env, ...env }, stdio: 'ignore' });
  try {
    const readyMs = await untilOk(url, child, started);
    // Settle: RSS right at ready still moves while lazy work (JIT, first GC) runs.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { readyMs, rssMb: rssOfTree(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const schema = await createTestSchema('bench_startup');
  const work = mkdtempSync(join(tmpdir(), 'tollgate-startup-'));
  const declarative = join(work, 'kong.yml');
  writeFileSync(declarative, '_format_version: "3.0"\nservices:\n- name: echo\n  url: http://127.0.0.1:9/\n  routes:\n  - name: echo\n    paths: [/echo]\n');
  const cp = { DATABASE_URL: schema.databaseUrl, TOLLGATE_DATABASE_SCHEMA: schema.name, TOLLGATE_CLUSTER_MTLS: 'off', TOLLGATE_USAGE_WORKER_CONCURRENCY: '1' };
  const dp = (workers: number) => ({ TOLLGATE_CONTROL_PLANE: 'off', TOLLGATE_DECLARATIVE_CONFIG: declarative, TOLLGATE_PROXY_SSL_LISTEN: 'off', TOLLGATE_PREFIX: join(work, `dp-${workers}`), TOLLGATE_WORKERS: String(workers) });
  const variants: Variant[] = [];
  for (const built of [false, true]) {
    variants.push({ name: 'control plane', app: 'control-plane', built, env: cp });
    variants.push({ name: 'data plane, TOLLGATE_WORKERS=0', app: 'data-plane', built, env: dp(0) });
    variants.push({ name: 'data plane, TOLLGATE_WORKERS=2 (primary + 2 workers)', app: 'data-plane', built, env: dp(2) });
  }
  const samples = new Map<Variant, Sample[]>(variants.map((variant) => [variant, []]));
  try {
    await measure(variants[0]); // migrates the schema, so every measured start finds it migrated
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) samples.get(variant)!.push(await measure(variant));
    }
  } finally {
    await schema.drop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`| app | run from | ready ms (median of ${ROUNDS}) | min–max | RSS MB (median) | min–max |`);
  console.log('|---|---|---:|---:|---:|---:|');
  for (const variant of variants) {
    const ready = samples.get(variant)!.map((s) => s.readyMs);
    const rss = samples.get(variant)!.map((s) => s.rssMb);
    const from = variant.built ? '`node dist/…/main.js`' : 'source (swc hook)';
    console.log(`| ${variant.name} | ${from} | ${median(ready).toFixed(0)} | ${Math.min(...ready).toFixed(0)}–${Math.max(...ready).toFixed(0)} | ${median(rss).toFixed(0)} | ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} |`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
