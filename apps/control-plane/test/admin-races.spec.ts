import { countRows, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * Two operators at once: concurrent admin writes over real HTTP on a real Postgres, 100 rounds
 * each. Every round sends its requests together and checks what both callers and the rows say.
 */

const ROUNDS = 100;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function send(cp: TestControlPlane, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(cp.adminUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function statuses(answers: Answer[]): string {
  return answers.map((a) => `${a.status} ${a.status >= 300 ? JSON.stringify(a.body) : ''}`).join(' | ');
}

describe('admin API: concurrent writes', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('admin-races');
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('two PATCHes of different fields of one service both land (no lost update), 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `patched-${round}`;
      expect((await send(cp, 'POST', '/services', { name, host: 'before.internal', retries: 1 })).status).toBe(201);
      const answers = await Promise.all([
        send(cp, 'PATCH', `/services/${name}`, { host: `after-${round}.internal` }),
        send(cp, 'PATCH', `/services/${name}`, { retries: 9 }),
      ]);
      expect(statuses(answers)).toBe('200  | 200 ');
      const rows = await cp.schema.query('SELECT host, retries FROM services WHERE name = $1', [name]);
      expect(rows).toEqual([{ host: `after-${round}.internal`, retries: 9 }]);
      // The later PATCH answered with the merged entity: it saw the earlier one's change.
      const last = answers.find((a) => a.body.host === `after-${round}.internal` && a.body.retries === 9);
      expect(last).toBeDefined();
    }
  });

  it('a PATCH racing a DELETE answers 200 or 404 and the DELETE 204, never 500, 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `doomed-${round}`;
      expect((await send(cp, 'POST', '/services', { name, host: 'doomed.internal' })).status).toBe(201);
      const [patched, deleted] = await Promise.all([
        send(cp, 'PATCH', `/services/${name}`, { retries: 2 }),
        send(cp, 'DELETE', `/services/${name}`),
      ]);
      expect([200, 404]).toContain(patched.status);
      if (patched.status === 404) expect(patched.body).toMatchObject({ code: 6, name: 'not found' });
      expect(deleted.status).toBe(204);
      expect(await countRows(cp, 'services', 'name = $1', [name])).toBe(0);
    }
  });

  it('two identical PUTs to a new name both succeed and make one service, 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `put-${round}`;
      const body = { host: 'upserted.internal', port: 8080 };
      const answers = await Promise.all([send(cp, 'PUT', `/services/${name}`, body), send(cp, 'PUT', `/services/${name}`, body)]);
      expect(statuses(answers)).toBe('200  | 200 ');
      expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
      expect(answers[0]!.body).toMatchObject({ name, host: 'upserted.internal', port: 8080 });
      expect(await countRows(cp, 'services', 'name = $1', [name])).toBe(1);
    }
  });

  it('two identical PUTs to a new id both succeed and make one consumer, 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = crypto.randomUUID();
      const body = { username: `put-consumer-${round}` };
      const answers = await Promise.all([send(cp, 'PUT', `/consumers/${id}`, body), send(cp, 'PUT', `/consumers/${id}`, body)]);
      expect(statuses(answers)).toBe('200  | 200 ');
      expect(await countRows(cp, 'consumers', 'id = $1', [id])).toBe(1);
    }
  });

  it('a plugin POSTed under a service racing the service DELETE: 201 or 404, 204, no orphan, 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `parent-${round}`;
      expect((await send(cp, 'POST', '/services', { name, host: 'parent.internal' })).status).toBe(201);
      const [created, deleted] = await Promise.all([
        send(cp, 'POST', `/services/${name}/plugins`, { name: 'key-auth' }),
        send(cp, 'DELETE', `/services/${name}`),
      ]);
      expect([201, 404]).toContain(created.status);
      expect(deleted.status).toBe(204);
      // The plugin cascaded with its service, or was never made.
      if (created.status === 201) expect(await countRows(cp, 'plugins', 'id = $1', [created.body.id])).toBe(0);
      expect(await countRows(cp, 'services', 'name = $1', [name])).toBe(0);
    }
  });

  it('a key-auth credential POSTed under a consumer racing its DELETE and a PATCH: never 500, 100 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const username = `holder-${round}`;
      expect((await send(cp, 'POST', '/consumers', { username })).status).toBe(201);
      const [created, patched, deleted] = await Promise.all([
        send(cp, 'POST', `/consumers/${username}/key-auth`, { key: `key-${round}` }),
        send(cp, 'PATCH', `/consumers/${username}`, { custom_id: `custom-${round}` }),
        send(cp, 'DELETE', `/consumers/${username}`),
      ]);
      expect([201, 404]).toContain(created.status);
      expect([200, 404]).toContain(patched.status);
      expect(deleted.status).toBe(204);
      expect(await countRows(cp, 'keyauth_credentials', 'key = $1', [`key-${round}`])).toBe(0);
    }
  });

  it('concurrent PATCH and DELETE of a nested route and its plugin never answer 500, 100 rounds', async () => {
    expect((await send(cp, 'POST', '/services', { name: 'route-home', host: 'home.internal' })).status).toBe(201);
    for (let round = 0; round < ROUNDS; round++) {
      const route = await send(cp, 'POST', '/services/route-home/routes', { name: `r-${round}`, paths: [`/r${round}`] });
      expect(route.status).toBe(201);
      const answers = await Promise.all([
        send(cp, 'POST', `/routes/r-${round}/plugins`, { name: 'cors' }),
        send(cp, 'PATCH', `/services/route-home/routes/r-${round}`, { paths: [`/s${round}`] }),
        send(cp, 'DELETE', `/services/route-home/routes/r-${round}`),
      ]);
      expect([201, 404]).toContain(answers[0]!.status);
      expect([200, 404]).toContain(answers[1]!.status);
      expect(answers[2]!.status).toBe(204);
      expect(await countRows(cp, 'routes', 'name = $1', [`r-${round}`])).toBe(0);
    }
  });

  it('two POST /config imports at once both succeed and leave the file as the config, 20 rounds', async () => {
    for (let round = 0; round < 20; round++) {
      const file = (n: number) => ({
        _format_version: '3.0',
        services: [{ name: `imported-${round}`, host: `i${n}.internal`, routes: [{ name: `imported-route-${round}`, paths: ['/i'] }] }],
        consumers: [{ username: `imported-${round}` }],
      });
      const answers = await Promise.all([send(cp, 'POST', '/config', file(1)), send(cp, 'POST', '/config', file(2))]);
      expect(statuses(answers)).toBe('201  | 201 ');
      const rows = await cp.schema.query<{ host: string }>('SELECT host FROM services');
      expect(rows).toHaveLength(1);
      expect(['i1.internal', 'i2.internal']).toContain(rows[0]!.host);
      expect(await countRows(cp, 'routes')).toBe(1);
    }
  });
});
