import type { CaCertificate, Certificate, Service, Sni } from '@tollgate/config';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot, target, upstream as upstreamEntity } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { startTestDataPlane } from './support/test-data-plane';

/** A self-signed certificate for `cn` (and `altName`, e.g. `IP:127.0.0.1`), made with the openssl CLI. */
function selfSigned(dir: string, cn: string, altName?: string): Certificate {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  const ext = altName === undefined ? [] : ['-addext', `subjectAltName=${altName}`];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, ...ext], { stdio: 'ignore' });
  return { id: randomUUID(), created_at: 1, updated_at: 1, tags: null, cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), cert_alt: null, key_alt: null };
}

function sni(name: string, certificate: Certificate): Sni {
  return { id: randomUUID(), created_at: 1, updated_at: 1, tags: null, name, certificate: { id: certificate.id } };
}

function get(url: string, servername: string | undefined): Promise<{ status: number; cn: string; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: pathname, servername, rejectUnauthorized: false, agent: false }, (res) => {
      const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cn, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('https listener with certificates by SNI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'));
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane({ proxySslListen: { host: '127.0.0.1', port: 0 } });
    const api = selfSigned(dir, 'api.test');
    const wildcard = selfSigned(dir, 'wildcard.shop.test');
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const result = await dp.applySnapshot(
      snapshot({
        certificates: [api, wildcard],
        snis: [sni('api.test', api), sni('*.shop.test', wildcard)],
        services: [svc],
        routes: [route(svc, { paths: ['/secure'], protocols: ['https'] })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the certificate of the requested name, exact or wildcard', async () => {
    expect((await get(`${dp.proxySslUrl}/secure`, 'api.test')).cn).toBe('api.test');
    expect((await get(`${dp.proxySslUrl}/secure`, 'eu.shop.test')).cn).toBe('wildcard.shop.test');
  });

  it('falls back to the first certificate for unknown names and clients without SNI', async () => {
    expect((await get(`${dp.proxySslUrl}/secure`, 'unknown.test')).cn).toBe('api.test');
    expect((await get(`${dp.proxySslUrl}/secure`, undefined)).cn).toBe('api.test');
  });

  it('proxies https-only routes over https, telling the upstream the client used https', async () => {
    const reply = await get(`${dp.proxySslUrl}/secure`, 'api.test');
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as Echo).headers['x-forwarded-proto']).toBe('https');
  });

  it('refuses a certificate that does not parse, naming it', async () => {
    const broken: Certificate = { ...selfSigned(dir, 'broken.test'), key: 'not a key' };
    const outcome = await dp.applySnapshot(snapshot({ certificates: [broken] }));
    expect(outcome).toEqual({ ok: false, errors: [expect.objectContaining({ entity: 'certificates', id: broken.id, field: 'cert' })] });
  });

  it('presents the new PEM from the next handshake on, though id and updated_at stayed the same (as in a declarative file)', async () => {
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const sniId = randomUUID();
    const first = selfSigned(dir, 'first.test');
    const config = (certificate: Certificate) =>
      snapshot({ certificates: [certificate], snis: [{ ...sni('api.test', certificate), id: sniId }], services: [svc], routes: [route(svc, { paths: ['/secure'], protocols: ['https'] })] });
    expect(await dp.applySnapshot(config(first))).toEqual({ ok: true });
    expect((await get(`${dp.proxySslUrl}/secure`, 'api.test')).cn).toBe('first.test');
    const second = { ...selfSigned(dir, 'second.test'), id: first.id };
    expect(await dp.applySnapshot(config(second))).toEqual({ ok: true });
    expect((await get(`${dp.proxySslUrl}/secure`, 'api.test')).cn).toBe('second.test');
  });
});

/** A CA, and a certificate for `cn` (with `altName`) that it signed: a chain one issuer deep. */
function caSigned(dir: string, cn: string, altName: string): { ca: string; leaf: Certificate } {
  const file = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=Test CA', '-addext', 'basicConstraints=critical,CA:TRUE']);
  run(['req', ...ec, '-keyout', file(`${cn}.key`), '-out', file(`${cn}.csr`), '-subj', `/CN=${cn}`]);
  writeFileSync(file(`${cn}.ext`), `subjectAltName=${altName}\n`);
  run(['x509', '-req', '-in', file(`${cn}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${cn}.crt`), '-days', '1', '-extfile', file(`${cn}.ext`)]);
  const leaf: Certificate = { id: randomUUID(), created_at: 1, updated_at: 1, tags: null, cert: readFileSync(file(`${cn}.crt`), 'utf8'), key: readFileSync(file(`${cn}.key`), 'utf8'), cert_alt: null, key_alt: null };
  return { ca: readFileSync(file('ca.crt'), 'utf8'), leaf };
}

describe('https upstreams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-upstream-tls-'));
  let upstream: Server;
  let port = 0;
  let dp: RunningDataPlane;
  const seen: { path: string | undefined; encrypted: boolean; clientCn: string; host: string | undefined }[] = [];
  const upstreamCert = selfSigned(dir, 'upstream.test', 'IP:127.0.0.1');
  const clientCert = selfSigned(dir, 'gateway.test');

  beforeAll(async () => {
    // Asks for a client certificate (trusting the gateway's) but also serves clients without one.
    upstream = createHttpsServer({ cert: upstreamCert.cert, key: upstreamCert.key, requestCert: true, rejectUnauthorized: false, ca: [clientCert.cert] }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      seen.push({ path: req.url, encrypted: socket.encrypted === true, clientCn: socket.authorized ? String(peer.subject?.CN ?? '') : '', host: req.headers.host });
      res.end('over tls');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = (upstream.address() as AddressInfo).port;
    dp = await startTestDataPlane();
    const ca: CaCertificate = { id: randomUUID(), created_at: 1, updated_at: 1, tags: null, cert: upstreamCert.cert, cert_digest: 'd' };
    const svc = (overrides: Partial<Service>) => service({ protocol: 'https', host: '127.0.0.1', port, ...overrides });
    const plain = svc({});
    const untrusted = svc({ tls_verify: true });
    const trusted = svc({ tls_verify: true, ca_certificates: [ca.id] });
    const mutual = svc({ tls_verify: true, ca_certificates: [ca.id], client_certificate: { id: clientCert.id } });
    // The upstream entity's client certificate, presented when the service names none.
    const pool = upstreamEntity('tls-pool', { client_certificate: { id: clientCert.id } });
    const viaUpstream = service({ protocol: 'https', host: 'tls-pool', port: 443 });
    const outcome = await dp.applySnapshot(
      snapshot({
        certificates: [clientCert],
        ca_certificates: [ca],
        upstreams: [pool],
        targets: [target(pool, `127.0.0.1:${port}`)],
        services: [plain, untrusted, trusted, mutual, viaUpstream],
        routes: [
          route(plain, { paths: ['/plain'] }),
          route(untrusted, { paths: ['/untrusted'] }),
          route(trusted, { paths: ['/trusted'] }),
          route(mutual, { paths: ['/mutual'] }),
          route(viaUpstream, { paths: ['/via-upstream'] }),
        ],
      }),
    );
    expect(outcome).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('proxies to a service with protocol https over TLS, without verifying by default (Kong: tls_verify off)', async () => {
    const reply = await fetch(`${dp.proxyUrl}/plain/x`);
    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe('over tls');
    expect(seen.at(-1)).toEqual({ path: '/x', encrypted: true, clientCn: '', host: `127.0.0.1:${port}` });
  });

  it('answers 502 when tls_verify is on and the upstream certificate is not trusted', async () => {
    const before = seen.length;
    const reply = await fetch(`${dp.proxyUrl}/untrusted/x`);
    expect(reply.status).toBe(502);
    expect(await reply.json()).toEqual({ message: 'An invalid response was received from the upstream server' });
    expect(seen.length).toBe(before);
  });

  it('verifies the upstream against the service ca_certificates', async () => {
    const reply = await fetch(`${dp.proxyUrl}/trusted/x`);
    expect(reply.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ path: '/x', clientCn: '' });
  });

  it('presents the service client_certificate to the upstream (mTLS)', async () => {
    const reply = await fetch(`${dp.proxyUrl}/mutual/x`);
    expect(reply.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ path: '/x', clientCn: 'gateway.test' });
  });

  it("presents the upstream entity's client_certificate when the service has none", async () => {
    const reply = await fetch(`${dp.proxyUrl}/via-upstream/x`);
    expect(reply.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ path: '/x', clientCn: 'gateway.test' });
  });
});

describe('https upstreams: tls_verify_depth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-verify-depth-'));
  const { ca, leaf } = caSigned(dir, 'chained.test', 'IP:127.0.0.1');
  const trustId = randomUUID();
  let configTrusting: (caPem: string) => ReturnType<typeof snapshot>;
  let upstream: Server;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = createHttpsServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end('chained'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    dp = await startTestDataPlane();
    const svc = (depth: number | null) => service({ protocol: 'https', host: '127.0.0.1', port, tls_verify: true, tls_verify_depth: depth, ca_certificates: [trustId] });
    const [unlimited, deepEnough, tooShallow] = [svc(null), svc(1), svc(0)];
    const routes = [route(unlimited, { paths: ['/unlimited'] }), route(deepEnough, { paths: ['/depth-1'] }), route(tooShallow, { paths: ['/depth-0'] })];
    configTrusting = (pem) => snapshot({ ca_certificates: [{ id: trustId, created_at: 1, updated_at: 1, tags: null, cert: pem, cert_digest: 'd' }], services: [unlimited, deepEnough, tooShallow], routes });
    expect(await dp.applySnapshot(configTrusting(ca))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a chain one issuer deep with no limit or a limit of 1, and answers 502 with a limit of 0', async () => {
    expect((await fetch(`${dp.proxyUrl}/unlimited`)).status).toBe(200);
    expect((await fetch(`${dp.proxyUrl}/depth-1`)).status).toBe(200);
    const refused = await fetch(`${dp.proxyUrl}/depth-0`);
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({ message: 'An invalid response was received from the upstream server' });
  });

  it('trusts a CA certificate changed in place (same id, new PEM) from the next request on', async () => {
    const unrelatedCa = caSigned(mkdtempSync(join(dir, 'other-')), 'other.test', 'IP:127.0.0.1').ca;
    expect(await dp.applySnapshot(configTrusting(unrelatedCa))).toEqual({ ok: true });
    expect((await fetch(`${dp.proxyUrl}/unlimited`)).status).toBe(502);
    expect(await dp.applySnapshot(configTrusting(ca))).toEqual({ ok: true });
    expect((await fetch(`${dp.proxyUrl}/unlimited`)).status).toBe(200);
  });
});
