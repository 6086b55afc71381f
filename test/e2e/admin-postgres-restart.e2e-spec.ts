import { startControlPlane, type RunningControlPlane } from '@tollgate/control-plane';
import { testControlPlaneSettings, waitFor, type TestSchema } from '@tollgate/testing';
import { Client } from 'pg';
import { PrivatePostgres } from './support/private-postgres';

/**
 * Postgres restarts under a load of admin writes. While it is away every admin route answers 503
 * in Kong's shape with `Retry-After` (never a 500, never a hang); once it is back the same control
 * plane serves again without a restart of its own, and every write it acknowledged is there.
 * The Postgres is the test's own (a temp dir, a free port), stopped with a fast shutdown.
 */

jest.setTimeout(120_000);

const WRITERS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly what: string;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

describe('admin API: Postgres restarted under writes', () => {
  let pg: PrivatePostgres;
  let cp: RunningControlPlane;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    await pg.start();
    const schema = { name: 'public', databaseUrl: pg.url('tollgate') } as TestSchema;
    cp = await startControlPlane({ ...testControlPlaneSettings(schema, { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 }), logLevel: 'error' }, {
      coalescing: { quietMs: 5, maxDelayMs: 50 },
    });
  });

  afterAll(async () => {
    await cp?.close();
    await pg?.remove();
  });

  async function call(what: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Outcome> {
    const res = await fetch(cp.adminUrl + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { what, status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : {}, at: Date.now() };
  }

  it('answers 503 with Retry-After during the outage, on reads and writes, and serves again after', async () => {
    const outcomes: Outcome[] = [];
    const created: string[] = [];
    const refusedNames: string[] = [];
    let running = true;
    let serial = 0;
    const writer = async (w: number) => {
      while (running) {
        const name = `w${w}-${serial++}`;
        const post = await call('POST /services', 'POST', '/services', { name, host: 'load.internal' }, { 'idempotency-key': `k-${name}` });
        outcomes.push(post);
        if (post.status === 201) created.push(name);
        if (post.status === 503) refusedNames.push(name);
        outcomes.push(await call('PATCH /services', 'PATCH', `/services/${created[created.length - 1] ?? 'none'}`, { retries: 3 }));
        outcomes.push(await call('GET /services', 'GET', '/services?size=5'));
        outcomes.push(await call('PUT /consumers', 'PUT', `/consumers/c-${w}`, { custom_id: `c-${w}-${serial}` }));
        outcomes.push(await call('DELETE /routes', 'DELETE', `/routes/${crypto.randomUUID()}`));
        await sleep(5);
      }
    };
    const load = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    await waitFor('writes before the outage', () => created.length >= 20, 30_000);
    const stoppedAt = Date.now();
    await pg.stop();
    await waitFor('503s during the outage', () => outcomes.filter((o) => o.status === 503 && o.at > stoppedAt).length >= 20, 30_000);
    const status = await call('GET /status', 'GET', '/status');
    await sleep(1000);
    await pg.start();
    const restartedAt = Date.now();
    await waitFor('writes after the restart', () => outcomes.filter((o) => o.what === 'POST /services' && o.status === 201 && o.at > restartedAt).length >= 20, 30_000);
    running = false;
    await load;

    // /status needs the database too (is any admin token set up?), unless that answer is still
    // cached from the last half second: then it is Kong's 200 saying the database is unreachable.
    if (status.status === 200) expect(status.body.database).toEqual({ reachable: false });
    else expect(status).toMatchObject({ status: 503, retryAfter: '5', body: { code: 115 } });

    const statuses = new Set(outcomes.map((o) => `${o.what} ${o.status}`));
    const unexpected = [...statuses].filter((s) => !/ (200|201|204|404|503)$/.test(s));
    expect(unexpected).toEqual([]);
    const unavailable = outcomes.filter((o) => o.status === 503);
    for (const what of ['POST /services', 'PATCH /services', 'GET /services', 'PUT /consumers', 'DELETE /routes']) {
      expect(unavailable.some((o) => o.what === what)).toBe(true);
    }
    for (const o of unavailable) {
      expect(o.retryAfter).toBe('5');
      expect(o.body).toEqual({ code: 115, name: 'database unavailable', message: expect.stringMatching(/database is unavailable.*retry in 5 seconds/), fields: {} });
    }

    // Every write acknowledged with 201 is in the database, once.
    const client = new Client({ connectionString: pg.url('tollgate') });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM services WHERE name = ANY($1)', [created]);
      expect(rows.map((r) => r.name).sort()).toEqual([...created].sort());
    } finally {
      await client.end();
    }

    // Each POST answered 503, retried with its key after the restart, leaves exactly one service.
    expect(refusedNames.length).toBeGreaterThan(0);
    for (const name of refusedNames.slice(0, 20)) {
      const retried = await call('retry', 'POST', '/services', { name, host: 'load.internal' }, { 'idempotency-key': `k-${name}` });
      expect(retried.status).toBe(201);
      expect((await call('GET', 'GET', `/services/${name}`)).status).toBe(200);
    }
    const fresh = await call('GET /status', 'GET', '/status');
    expect(fresh.body.database).toEqual({ reachable: true });
  });
});
