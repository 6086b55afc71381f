// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema, testControlPlaneSettings, type TestSchema } from '@tollgate/testing';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane';
import { countRows, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * A page in the operator's browser must not drive the loopback admin API: not by DNS rebinding
 * (its requests carry the attacker's name as Host) nor by a cross-site form or fetch (they carry
 * the page's Origin). Raw HTTP, so every header is exactly what a browser would send.
 */

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function send(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

describe('admin API: Host and Origin', () => {
  let cp: TestControlPlane;
  let own: string;

  beforeAll(async () => {
    cp = await startTestControlPlane('host-origin');
    own = new URL(cp.adminUrl).host; // 127.0.0.1:port
  });

  afterAll(async () => {
    await cp.stop();
  });

  const port = () => new URL(cp.adminUrl).port;

  describe('DNS rebinding: a Host that is not a name of the admin API', () => {
    it('a form POST with Host evil.example:8001 is a 421 in Kong shape and creates nothing', async () => {
      const reply = await send(cp.adminUrl, 'POST', '/services', { host: 'evil.example:8001', 'content-type': FORM, origin: 'http://evil.example:8001' }, 'name=rebound&host=x.internal');
      expect(reply.status).toBe(421);
      expect(reply.body).toEqual({
        code: 110,
        name: 'host not allowed',
        message: "Host 'evil.example:8001' is not a name of this admin API: add it to TOLLGATE_ADMIN_HOSTS to serve it",
        fields: { host: 'evil.example:8001' },
      });
      expect(await countRows(cp, 'services', `name = 'rebound'`)).toBe(0);
    });

    it('reads are refused too: a rebinding page could read the answer as same-origin', async () => {
      const reply = await send(cp.adminUrl, 'GET', '/consumers', { host: `evil.example:${port()}` });
      expect(reply.status).toBe(421);
      expect(reply.body.code).toBe(110);
    });

    it('a name that merely ends like a loopback name is refused', async () => {
      for (const host of ['localhost.evil.example', 'evil-localhost', '127.0.0.1.nip.io', '10.1.2.3']) {
        expect((await send(cp.adminUrl, 'GET', '/status', { host: `${host}:${port()}` })).status).toBe(421);
      }
    });

    it('loopback names and the listen address are served, with any case and a trailing dot', async () => {
      for (const host of [own, `localhost:${port()}`, `LocalHost.:${port()}`, `[::1]:${port()}`, '127.0.0.1', 'localhost']) {
        const reply = await send(cp.adminUrl, 'GET', '/status', { host });
        expect({ host, status: reply.status }).toEqual({ host, status: 200 });
      }
    });

    it('an HTTP/1.0 request without Host (never a browser) is served', async () => {
      const url = new URL(cp.adminUrl);
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /status HTTP/1.0\r\n\r\n'));
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', reject);
      });
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
    });
  });

  describe('CSRF: a write whose Origin is another site', () => {
    it('a form POST with Origin http://evil.example is a 403 in Kong shape and creates nothing', async () => {
      const reply = await send(cp.adminUrl, 'POST', '/services', { host: own, 'content-type': FORM, origin: 'http://evil.example' }, 'name=forged&host=x.internal');
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({
        code: 111,
        name: 'origin not allowed',
        message: "Origin 'http://evil.example' may not write to this admin API: add it to TOLLGATE_ADMIN_ALLOW_ORIGINS to allow a dashboard served there",
        fields: { origin: 'http://evil.example' },
      });
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expect(await countRows(cp, 'services', `name = 'forged'`)).toBe(0);
    });

    it('PATCH, PUT and DELETE from another origin are refused and change nothing', async () => {
      const created = await send(cp.adminUrl, 'POST', '/services', { host: own, 'content-type': 'application/json' }, JSON.stringify({ name: 'kept', host: 'kept.internal' }));
      expect(created.status).toBe(201);
      const evil = { host: own, 'content-type': 'application/json', origin: 'https://evil.example' };
      expect((await send(cp.adminUrl, 'PATCH', '/services/kept', evil, '{"host":"stolen.example"}')).status).toBe(403);
      expect((await send(cp.adminUrl, 'PUT', '/services/kept', evil, '{"host":"stolen.example"}')).status).toBe(403);
      expect((await send(cp.adminUrl, 'DELETE', '/services/kept', evil)).status).toBe(403);
      expect(await cp.schema.query('SELECT host FROM services WHERE name = $1', ['kept'])).toEqual([{ host: 'kept.internal' }]);
    });

    it('Origin null (a sandboxed frame or a file: page) and another local port are refused', async () => {
      for (const origin of ['null', `http://127.0.0.1:${Number(port()) + 1}`, `http://localhost:${port()}`, 'ftp://127.0.0.1']) {
        const reply = await send(cp.adminUrl, 'POST', '/consumers', { host: own, 'content-type': FORM, origin }, 'username=framed');
        expect({ origin, status: reply.status }).toEqual({ origin, status: 403 });
      }
      expect(await countRows(cp, 'consumers', `username = 'framed'`)).toBe(0);
    });

    it('a browser fetch without Origin but marked cross-site by Sec-Fetch-Site is refused', async () => {
      const reply = await send(cp.adminUrl, 'POST', '/consumers', { host: own, 'content-type': FORM, 'sec-fetch-site': 'cross-site' }, 'username=fetched');
      expect(reply.status).toBe(403);
      expect(reply.body.message).toMatch(/a cross-site page/);
    });

    it('a page of the admin API itself (same origin) and a client without Origin may write', async () => {
      const same = await send(cp.adminUrl, 'POST', '/consumers', { host: own, 'content-type': FORM, origin: `http://${own}`, 'sec-fetch-site': 'same-origin' }, 'username=same-origin');
      expect(same.status).toBe(201);
      const viaLocalhost = await send(cp.adminUrl, 'POST', '/consumers', { host: `localhost:${port()}`, 'content-type': FORM, origin: `http://localhost:${port()}` }, 'username=via-localhost');
      expect(viaLocalhost.status).toBe(201);
      expect((await send(cp.adminUrl, 'POST', '/consumers', { host: own, 'content-type': FORM }, 'username=curl')).status).toBe(201);
    });

    it('a read from another origin is answered (the browser keeps it from the page: no CORS headers)', async () => {
      const reply = await send(cp.adminUrl, 'GET', '/consumers', { host: own, origin: 'http://evil.example' });
      expect(reply.status).toBe(200);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('TOLLGATE_ADMIN_HOSTS and TOLLGATE_ADMIN_ALLOW_ORIGINS', () => {
    let schema: TestSchema;
    let configured: RunningControlPlane;

    beforeAll(async () => {
      schema = await createTestSchema('host-origin-configured');
      const settings = {
        ...testControlPlaneSettings(schema, { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 }),
        adminHosts: ['admin.internal'],
        adminAllowOrigins: ['https://dashboard.example.com'],
      };
      configured = await startControlPlane(settings);
    });

    afterAll(async () => {
      await configured.close();
      await schema.drop();
    });

    it('a listed host name is served; others still are not', async () => {
      const port = new URL(configured.adminUrl).port;
      expect((await send(configured.adminUrl, 'GET', '/status', { host: `admin.internal:${port}` })).status).toBe(200);
      expect((await send(configured.adminUrl, 'GET', '/status', { host: `Admin.Internal` })).status).toBe(200);
      expect((await send(configured.adminUrl, 'GET', '/status', { host: `other.internal:${port}` })).status).toBe(421);
    });

    it('a listed origin may write and gets CORS headers; its preflight is answered', async () => {
      const host = new URL(configured.adminUrl).host;
      const origin = 'https://dashboard.example.com';
      const preflight = await send(configured.adminUrl, 'OPTIONS', '/consumers', {
        host,
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': expect.stringContaining('POST'),
        'access-control-allow-headers': expect.stringMatching(/Content-Type.*Idempotency-Key/),
      });
      const created = await send(configured.adminUrl, 'POST', '/consumers', { host, origin, 'content-type': 'application/json' }, '{"username":"dash"}');
      expect(created.status).toBe(201);
      expect(created.headers['access-control-allow-origin']).toBe(origin);
      expect(created.headers.vary).toMatch(/Origin/);
      const refused = await send(configured.adminUrl, 'POST', '/consumers', { host, origin: 'https://evil.example', 'content-type': 'application/json' }, '{"username":"evil"}');
      expect(refused.status).toBe(403);
      const unlisted = await send(configured.adminUrl, 'OPTIONS', '/consumers', { host, origin: 'https://evil.example', 'access-control-request-method': 'POST' });
      expect(unlisted.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
