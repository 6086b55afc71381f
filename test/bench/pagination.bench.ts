/**
 * Admin API keyset pagination benchmark (issue 2): a deep page must cost no more than twice the first.
 *
 *   npm run bench:pagination
 *
 * Starts a control plane in-process on a fresh schema of the `test` database, bulk-loads 250,000
 * consumers by SQL, then over HTTP:
 *   1. walks the whole collection with size=1000, twice (cold, then warm), and reports per-page
 *      latency by depth bucket (every page should be flat, whatever its depth);
 *   2. times GET /consumers?size=100 at depth 0 (the first page) and at depth 200,000 (the page
 *      after the 200,000th id), interleaved, after a warm-up, and prints p50/p99 and deep/first.
 * Stops the control plane and drops the schema at the end; a watchdog bounds the whole run.
 */
import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';
import { performance } from 'node:perf_hooks';

const CONSUMERS = 250_000;
const DEEP_DEPTH = 200_000;
const TARGET_PAGE_SIZE = 100;
const WALK_PAGE_SIZE = 1000;
const WALK_BUCKET_ROWS = 25_000;
const WARMUP_REQUESTS = 50;
const MEASURED_REQUESTS = 200;
const MAX_RATIO = 2;
/** The brief allows < 3 min; past this the run is abandoned (cleanup is still attempted). */
const WATCHDOG_MS = 150_000;
/** Hard stop if even the cleanup hangs. */
const HARD_EXIT_MS = 170_000;

interface ConsumerPage {
  data: { id: string }[];
  offset?: string;
  next: string | null;
}

/**
 * The same encoding as `encodeOffset` in apps/control-plane/src/entities/pagination.ts (not exported
 * from a lib): base64url of JSON `[lastId]`. The walk below cross-checks it against the offsets the
 * API hands out.
 */
function encodeOffset(lastId: string): string {
  return Buffer.from(JSON.stringify([lastId])).toString('base64url');
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function ms(value: number): string {
  return value.toFixed(2);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

async function timedGet(url: string): Promise<{ elapsed: number; page: ConsumerPage }> {
  const start = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const elapsed = performance.now() - start;
  if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return { elapsed, page: JSON.parse(text) as ConsumerPage };
}

function log(message: string): void {
  process.stdout.write(message + '\n');
}

async function bulkLoad(cp: TestControlPlane): Promise<void> {
  const started = performance.now();
  await cp.schema.query(
    `INSERT INTO consumers (id, created_at, updated_at, username, custom_id, tags)
     SELECT gen_random_uuid(), extract(epoch FROM now())::int, extract(epoch FROM now())::int,
            'bench-user-' || n, 'bench-custom-' || n, ARRAY['bench', 'bucket-' || (n % 10)]
       FROM generate_series(1, $1::int) AS n`,
    [CONSUMERS],
  );
  await cp.schema.query('ANALYZE consumers');
  const [{ count }] = await cp.schema.query<{ count: string }>('SELECT count(*) AS count FROM consumers');
  if (Number(count) !== CONSUMERS) throw new Error(`expected ${CONSUMERS} consumers, found ${count}`);
  log(`loaded ${CONSUMERS.toLocaleString('en')} consumers by SQL + ANALYZE in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Walks every page with size=1000; returns the offset the API handed out after DEEP_DEPTH rows. */
async function walk(cp: TestControlPlane, label: string): Promise<string | undefined> {
  const buckets = new Map<number, number[]>();
  let url: string | null = `${cp.adminUrl}/consumers?size=${WALK_PAGE_SIZE}`;
  let depth = 0;
  let previousLast = '';
  let offsetAtDeep: string | undefined;
  const started = performance.now();
  while (url) {
    const { elapsed, page }: { elapsed: number; page: ConsumerPage } = await timedGet(url);
    const bucket = Math.floor(depth / WALK_BUCKET_ROWS);
    if (!buckets.has(bucket)) buckets.set(bucket, []);
    buckets.get(bucket)!.push(elapsed);
    if (page.data.length > 0 && !(page.data[0]!.id > previousLast)) throw new Error(`walk: ids not increasing at depth ${depth}`);
    if (page.data.length > 0) previousLast = page.data[page.data.length - 1]!.id;
    depth += page.data.length;
    if (depth === DEEP_DEPTH) offsetAtDeep = page.offset;
    url = page.next ? `${cp.adminUrl}${page.next}` : null;
  }
  const seconds = (performance.now() - started) / 1000;
  if (depth !== CONSUMERS) throw new Error(`walk saw ${depth} consumers, expected ${CONSUMERS}`);

  const rows = [...buckets.entries()].map(([bucket, samples]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    const from = bucket * WALK_BUCKET_ROWS;
    return [
      `${from.toLocaleString('en')} – ${(from + WALK_BUCKET_ROWS).toLocaleString('en')}`,
      String(samples.length),
      ms(sorted[0]!),
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 99)),
    ];
  });
  log(`\nWalk ${label}: all ${CONSUMERS.toLocaleString('en')} consumers, size=${WALK_PAGE_SIZE}, following \`next\` (${Math.ceil(CONSUMERS / WALK_PAGE_SIZE)} pages in ${seconds.toFixed(1)} s)`);
  log(table(['depth (rows)', 'pages', 'min ms', 'median ms', 'p99 ms'], rows));
  return offsetAtDeep;
}

async function explainDeep(cp: TestControlPlane, afterId: string): Promise<string> {
  const plan = await cp.schema.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) SELECT * FROM consumers WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, TARGET_PAGE_SIZE + 1],
  );
  return plan.map((r) => '    ' + r['QUERY PLAN']).join('\n');
}

async function run(cp: TestControlPlane): Promise<boolean> {
  log(`control plane at ${cp.adminUrl}, schema ${cp.schema.name}`);
  await bulkLoad(cp);

  // The 200,000th id in id order: the page after it starts at row 200,001.
  const [deepRow] = await cp.schema.query<{ id: string }>('SELECT id::text AS id FROM consumers ORDER BY id OFFSET $1 LIMIT 1', [DEEP_DEPTH - 1]);
  const [expectedDeepFirst] = await cp.schema.query<{ id: string }>('SELECT id::text AS id FROM consumers ORDER BY id OFFSET $1 LIMIT 1', [DEEP_DEPTH]);
  const deepOffset = encodeOffset(deepRow!.id);

  // The first walk is cold (JIT, caches): its first bucket pays for that, not for its depth.
  const walkedOffset = await walk(cp, '1 (cold)');
  await walk(cp, '2 (warm)');
  if (walkedOffset !== deepOffset) throw new Error(`computed offset ${deepOffset} differs from the walked one ${walkedOffset}`);
  log(`computed offset for depth ${DEEP_DEPTH.toLocaleString('en')} matches the one the walk was handed: ${deepOffset}`);

  const firstUrl = `${cp.adminUrl}/consumers?size=${TARGET_PAGE_SIZE}`;
  const deepUrl = `${cp.adminUrl}/consumers?size=${TARGET_PAGE_SIZE}&offset=${deepOffset}`;

  // Sanity: each target page is a full page, and the deep page starts where it should.
  const first = await timedGet(firstUrl);
  const deep = await timedGet(deepUrl);
  if (first.page.data.length !== TARGET_PAGE_SIZE || deep.page.data.length !== TARGET_PAGE_SIZE) throw new Error('target pages are not full');
  if (deep.page.data[0]!.id !== expectedDeepFirst!.id) throw new Error(`deep page starts at ${deep.page.data[0]!.id}, expected ${expectedDeepFirst!.id}`);

  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    await timedGet(firstUrl);
    await timedGet(deepUrl);
  }
  // Interleaved, so that machine noise lands on both pages alike.
  const firstSamples: number[] = [];
  const deepSamples: number[] = [];
  for (let i = 0; i < MEASURED_REQUESTS; i++) {
    const deepFirstThisRound = i % 2 === 1;
    if (deepFirstThisRound) deepSamples.push((await timedGet(deepUrl)).elapsed);
    firstSamples.push((await timedGet(firstUrl)).elapsed);
    if (!deepFirstThisRound) deepSamples.push((await timedGet(deepUrl)).elapsed);
  }
  firstSamples.sort((a, b) => a - b);
  deepSamples.sort((a, b) => a - b);
  const stats = (s: number[]) => ({ min: s[0]!, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]! });
  const f = stats(firstSamples);
  const d = stats(deepSamples);
  const ratio50 = d.p50 / f.p50;
  const ratio99 = d.p99 / f.p99;

  log(`\nTarget pages: GET /consumers?size=${TARGET_PAGE_SIZE}, ${MEASURED_REQUESTS} requests each (interleaved) after ${WARMUP_REQUESTS} warm-up each, keep-alive, wall time to full body`);
  log(
    table(
      ['page', 'requests', 'min ms', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['depth 0 (first page)', String(firstSamples.length), ms(f.min), ms(f.p50), ms(f.p99), ms(f.max)],
        [`depth ${DEEP_DEPTH.toLocaleString('en')}`, String(deepSamples.length), ms(d.min), ms(d.p50), ms(d.p99), ms(d.max)],
        ['ratio deep / first', '', ms(d.min / f.min), ms(ratio50), ms(ratio99), ms(d.max / f.max)],
      ],
    ),
  );

  log(`\nPostgres plan of the deep page's query (EXPLAIN ANALYZE):\n${await explainDeep(cp, deepRow!.id)}`);

  const holds = ratio50 <= MAX_RATIO;
  log(
    `\nTarget (deep page p50 <= ${MAX_RATIO}x first page p50): ${holds ? 'HOLDS' : 'FAILS'} ` +
      `(p50 ratio ${ratio50.toFixed(2)}, p99 ratio ${ratio99.toFixed(2)})`,
  );
  return holds;
}

async function main(): Promise<number> {
  const started = performance.now();
  // Cleanup is attempted on timeout; a second, unconditional exit follows if it hangs.
  const hardExit = setTimeout(() => {
    process.stderr.write('pagination bench: hard timeout, exiting\n');
    process.exit(3);
  }, HARD_EXIT_MS);
  hardExit.unref();

  const cp = await startTestControlPlane('bench_pagination');
  let code = 0;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => reject(new Error(`timed out after ${WATCHDOG_MS / 1000} s`)), WATCHDOG_MS);
    });
    const holds = await Promise.race([run(cp), timeout]);
    code = holds ? 0 : 1;
  } catch (err) {
    process.stderr.write(`pagination bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    code = 2;
  } finally {
    clearTimeout(watchdog);
    await cp.stop();
    log(`\ncontrol plane stopped, schema ${cp.schema.name} dropped; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pagination bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
