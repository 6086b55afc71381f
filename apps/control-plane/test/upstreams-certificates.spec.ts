import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KONG,
  UUID,
  admin,
  changesAt,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  form,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

interface KeyPair {
  cert: string;
  key: string;
}

/** A self-signed certificate and its key, made by the openssl on the machine. */
function selfSigned(dir: string, name: string, subject: string, keyType: 'rsa' | 'ec'): KeyPair {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const newkey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', subject], { stdio: 'pipe' });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

describe('admin API: upstreams, targets, certificates, snis, ca_certificates', () => {
  let cp: TestControlPlane;
  let dir: string;
  let rsa: KeyPair;
  let ec: KeyPair;
  let ca: KeyPair;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-certs-'));
    rsa = selfSigned(dir, 'rsa', '/CN=example.com', 'rsa');
    ec = selfSigned(dir, 'ec', '/CN=example.com', 'ec');
    ca = selfSigned(dir, 'ca', '/CN=Tollgate Test CA', 'ec');
    cp = await startTestControlPlane('upstreams-certificates');
  });

  afterAll(async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('upstreams and targets', () => {
    let upstreamId: string;

    it('POST /upstreams creates an upstream with Kong defaults and filled healthchecks', async () => {
      const res = await admin(cp).post('/upstreams').type('form').send(form({ name: 'orders.upstream' }));
      expectStatus(res, 201);
      upstreamId = res.body.id;
      expect(res.body).toMatchObject({
        id: expect.stringMatching(UUID),
        name: 'orders.upstream',
        algorithm: 'round-robin',
        hash_on: 'none',
        hash_fallback: 'none',
        hash_on_cookie_path: '/',
        slots: 10000,
        use_srv_name: false,
        client_certificate: null,
        healthchecks: {
          threshold: 0,
          active: expect.objectContaining({ type: 'http', http_path: '/', timeout: 1, concurrency: 10, healthy: expect.objectContaining({ interval: 0, http_statuses: [200, 302] }) }),
          passive: expect.objectContaining({ type: 'http', unhealthy: expect.objectContaining({ http_statuses: [429, 500, 503] }) }),
        },
      });
    });

    it.each([
      ['a name that is not a hostname', { name: 'not a host' }, { name: 'invalid hostname: not a host' }],
      ['an unknown algorithm', { name: 'a.upstream', algorithm: 'random' }, { algorithm: expect.stringContaining('expected one of') }],
      ['slots out of range', { name: 'a.upstream', slots: 5 }, { slots: 'value should be between 10 and 65536' }],
      [
        'hash_on=header without hash_on_header',
        { name: 'a.upstream', algorithm: 'consistent-hashing', hash_on: 'header' },
        { '@entity': ["failed conditional validation given value of field 'hash_on': hash_on_header: required field missing"] },
      ],
    ])('refuses %s', async (_what, body, fields) => {
      expectKongError(await admin(cp).post('/upstreams').send(body), KONG.SCHEMA_VIOLATION, fields);
    });

    it('PATCH merges healthchecks and PUT by name replaces', async () => {
      const patched = await admin(cp).patch('/upstreams/orders.upstream').type('form').send(form({ 'healthchecks.active.healthy.interval': '5', algorithm: 'least-connections' }));
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ algorithm: 'least-connections', healthchecks: { active: { healthy: { interval: 5, http_statuses: [200, 302] }, http_path: '/' } } });

      const put = await admin(cp).put('/upstreams/put.upstream').send({ algorithm: 'latency' });
      expectStatus(put, 200);
      expect(put.body).toMatchObject({ name: 'put.upstream', algorithm: 'latency' });
      expectKongError(await admin(cp).post('/upstreams').send({ name: 'put.upstream' }), KONG.UNIQUE_VIOLATION, { name: 'put.upstream' });
    });

    it('POST /upstreams/{u}/targets defaults the port to 8000 and the weight to 100', async () => {
      const res = await admin(cp).post('/upstreams/orders.upstream/targets').type('form').send(form({ target: '10.0.0.1' }));
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        upstream: { id: upstreamId },
        target: '10.0.0.1:8000',
        weight: 100,
        tags: null,
      });
      const named = await admin(cp).post(`/upstreams/${upstreamId}/targets`).send({ target: 'orders-1.internal:9000', weight: 50 });
      expectStatus(named, 201);
      expect(named.body).toMatchObject({ target: 'orders-1.internal:9000', weight: 50 });
    });

    it('brackets IPv6 targets and gives them the default port', async () => {
      const bracketed = await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: '[2001:db8::1]' });
      expectStatus(bracketed, 201);
      expect(bracketed.body.target).toBe('[2001:db8::1]:8000');
      const bare = await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: '::1' });
      expectStatus(bare, 201);
      expect(bare.body.target).toBe('[::1]:8000');
      const withPort = await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: '[::2]:81' });
      expect(withPort.body.target).toBe('[::2]:81');
    });

    it('refuses bad targets, bad weights and a target twice on one upstream', async () => {
      expectKongError(await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: 'bad_host!' }), KONG.SCHEMA_VIOLATION, {
        target: 'Invalid target (bad_host!:8000); not a valid hostname or ip address',
      });
      expectKongError(await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: 'ok.internal', weight: 70000 }), KONG.SCHEMA_VIOLATION, {
        weight: 'value should be between 0 and 65535',
      });
      expectKongError(await admin(cp).post('/upstreams/orders.upstream/targets').send({ target: '10.0.0.1:8000' }), KONG.UNIQUE_VIOLATION, {
        upstream: { id: upstreamId },
        target: '10.0.0.1:8000',
      });
      await admin(cp).post('/upstreams/put.upstream/targets').send({ target: '10.0.0.1' }).expect(201);
      expectKongError(await admin(cp).post('/upstreams/nowhere.upstream/targets').send({ target: '10.0.0.9' }), KONG.NOT_FOUND, { name: 'nowhere.upstream' });
    });

    it('lists, fetches by target, patches and deletes targets under their upstream only', async () => {
      const list = await admin(cp).get('/upstreams/orders.upstream/targets');
      expectStatus(list, 200);
      expect(list.body.data.map((t: { target: string }) => t.target).sort()).toEqual(['10.0.0.1:8000', '[2001:db8::1]:8000', '[::1]:8000', '[::2]:81', 'orders-1.internal:9000']);

      const one = await admin(cp).get('/upstreams/orders.upstream/targets/10.0.0.1:8000');
      expectStatus(one, 200);
      const patched = await admin(cp).patch(`/upstreams/orders.upstream/targets/${one.body.id}`).send({ weight: 0 });
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ target: '10.0.0.1:8000', weight: 0 });

      // No top-level /targets: a path the admin API does not serve, Kong's bare 404.
      expect((await admin(cp).get('/targets')).body).toEqual({ message: 'Not found' });
      await admin(cp).delete('/upstreams/orders.upstream/targets/orders-1.internal:9000').expect(204);
      expect(await countRows(cp, 'targets', 'target = $1', ['orders-1.internal:9000'])).toBe(0);
    });

    it('GET /upstreams lists and GET /upstreams/{name} fetches; PUT replaces a nested target', async () => {
      const list = await admin(cp).get('/upstreams');
      expectStatus(list, 200);
      expect(list.body.data.map((u: { name: string }) => u.name).sort()).toEqual(['orders.upstream', 'put.upstream']);
      expect((await admin(cp).get('/upstreams/orders.upstream')).body).toMatchObject({ id: upstreamId, algorithm: 'least-connections' });

      const put = await admin(cp).put('/upstreams/put.upstream/targets/10.0.0.1:8000').send({ weight: 7 });
      expectStatus(put, 200);
      expect(put.body).toMatchObject({ target: '10.0.0.1:8000', weight: 7 });
      expect(await countRows(cp, 'targets', 'target = $1', ['10.0.0.1:8000'])).toBe(2);
    });

    it('deleting an upstream deletes its targets', async () => {
      const targets = await countRows(cp, 'targets', 'upstream_id = $1', [upstreamId]);
      expect(targets).toBe(4);
      const before = await configVersion(cp);
      await admin(cp).delete('/upstreams/orders.upstream').expect(204);
      expect(await countRows(cp, 'targets', 'upstream_id = $1', [upstreamId])).toBe(0);
      const changes = await changesAt(cp, before + 1);
      expect(changes.filter((c) => c.entity_type === 'targets' && c.op === 'delete')).toHaveLength(4);
      expect(changes).toContainEqual({ entity_type: 'upstreams', entity_id: upstreamId, op: 'delete' });
    });
  });

  describe('certificates and snis', () => {
    let certId: string;

    it('POST /certificates stores a PEM certificate and key', async () => {
      const res = await admin(cp).post('/certificates').send({ cert: rsa.cert, key: rsa.key, tags: ['tls'] });
      expectStatus(res, 201);
      certId = res.body.id;
      expect(res.body).toMatchObject({ id: expect.stringMatching(UUID), cert: rsa.cert, key: rsa.key, cert_alt: null, key_alt: null, tags: ['tls'] });
      expectStatus(await admin(cp).get(`/certificates/${certId}`), 200);
    });

    it('accepts an alternate (EC) certificate and key alongside the RSA pair', async () => {
      const res = await admin(cp).post('/certificates').type('form').send(form({ cert: rsa.cert, key: rsa.key, cert_alt: ec.cert, key_alt: ec.key }));
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ cert_alt: ec.cert, key_alt: ec.key });
    });

    it('refuses PEM that does not parse, a half alternate pair, and a key that is not the certificate’s', async () => {
      expectKongError(await admin(cp).post('/certificates').send({ cert: 'garbage', key: 'garbage' }), KONG.SCHEMA_VIOLATION, {
        cert: 'invalid certificate: could not parse PEM',
        key: 'invalid key: could not parse PEM',
      });
      expectKongError(await admin(cp).post('/certificates').send({ cert: rsa.cert, key: rsa.key, cert_alt: ec.cert }), KONG.SCHEMA_VIOLATION, {
        '@entity': ["all or none of these fields must be set: 'cert_alt', 'key_alt'"],
      });
      const count = await countRows(cp, 'certificates');
      expectKongError(await admin(cp).post('/certificates').send({ cert: rsa.cert, key: ec.key }), KONG.SCHEMA_VIOLATION, {
        '@entity': ['certificate does not match key'],
      });
      expectKongError(await admin(cp).post('/certificates').send({ cert: rsa.cert, key: rsa.key, cert_alt: ec.cert, key_alt: ca.key }), KONG.SCHEMA_VIOLATION, {
        '@entity': ['alternative certificate does not match key'],
      });
      expect(await countRows(cp, 'certificates')).toBe(count);
    });

    it('POST /certificates/{c}/snis and POST /snis attach server names, wildcards included', async () => {
      const wildcard = await admin(cp).post(`/certificates/${certId}/snis`).send({ name: '*.example.com' });
      expectStatus(wildcard, 201);
      expect(wildcard.body).toMatchObject({ name: '*.example.com', certificate: { id: certId } });

      const top = await admin(cp).post('/snis').type('form').send(form({ name: 'api.example.com', 'certificate.id': certId }));
      expectStatus(top, 201);

      const bySni = await admin(cp).get('/snis/api.example.com');
      expectStatus(bySni, 200);
      expect(bySni.body.id).toBe(top.body.id);
      const cert = await admin(cp).get('/snis/api.example.com/certificate');
      expectStatus(cert, 200);
      expect(cert.body).toMatchObject({ id: certId, cert: rsa.cert });

      const list = await admin(cp).get(`/certificates/${certId}/snis`);
      expect(list.body.data.map((s: { name: string }) => s.name).sort()).toEqual(['*.example.com', 'api.example.com']);
    });

    it('refuses invalid and duplicate server names', async () => {
      expectKongError(await admin(cp).post(`/certificates/${certId}/snis`).send({ name: 'bad..example.com' }), KONG.SCHEMA_VIOLATION, { name: 'invalid SNI: bad..example.com' });
      expectKongError(await admin(cp).post(`/certificates/${certId}/snis`).send({ name: 'api.example.com' }), KONG.UNIQUE_VIOLATION, { name: 'api.example.com' });
      expectKongError(await admin(cp).post('/snis').send({ name: 'orphan.example.com' }), KONG.SCHEMA_VIOLATION, { certificate: 'required field missing' });
    });

    it('PATCH and PUT certificates and snis', async () => {
      const patched = await admin(cp).patch(`/certificates/${certId}`).send({ tags: ['tls', 'rotated'] });
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ cert: rsa.cert, tags: ['tls', 'rotated'] });
      const put = await admin(cp).put('/snis/www.example.com').send({ certificate: { id: certId } });
      expectStatus(put, 200);
      expect(put.body).toMatchObject({ name: 'www.example.com', certificate: { id: certId } });
      expectKongError(await admin(cp).get('/certificates/not-a-uuid'), KONG.INVALID_PRIMARY_KEY);
    });

    it('lists certificates and snis; PUT replaces a certificate; PATCH and DELETE an sni by name', async () => {
      const certs = await admin(cp).get('/certificates');
      expectStatus(certs, 200);
      expect(certs.body.data.map((c: { id: string }) => c.id)).toContain(certId);
      const snis = await admin(cp).get('/snis');
      expect(snis.body.data.map((s: { name: string }) => s.name).sort()).toEqual(['*.example.com', 'api.example.com', 'www.example.com']);

      const other = await admin(cp).post('/certificates').send({ cert: ec.cert, key: ec.key }).expect(201);
      const replaced = await admin(cp).put(`/certificates/${other.body.id}`).send({ cert: rsa.cert, key: rsa.key });
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id: other.body.id, cert: rsa.cert, tags: null });

      const moved = await admin(cp).patch('/snis/www.example.com').send({ certificate: { id: other.body.id } });
      expectStatus(moved, 200);
      expect(moved.body.certificate).toEqual({ id: other.body.id });
      await admin(cp).delete('/snis/www.example.com').expect(204);
      await admin(cp).get('/snis/www.example.com').expect(404);
    });

    it('a certificate used by a service as its client certificate cannot be deleted', async () => {
      await admin(cp).post('/services').send({ name: 'mtls', url: 'https://mtls.internal', client_certificate: { id: certId } }).expect(201);
      expectKongError(await admin(cp).delete(`/certificates/${certId}`), KONG.REFERENCED_BY_OTHERS, { '@referenced_by': 'services' });
      await admin(cp).delete('/services/mtls').expect(204);
    });

    it('deleting a certificate deletes its snis', async () => {
      await admin(cp).delete(`/certificates/${certId}`).expect(204);
      expect(await countRows(cp, 'snis', 'certificate_id = $1', [certId])).toBe(0);
      await admin(cp).get('/snis/api.example.com').expect(404);
    });

    it('the snis shorthand: POST /certificates with snis creates them; PATCH sets them; the certificate shows its names', async () => {
      const created = await admin(cp).post('/certificates').send({ cert: rsa.cert, key: rsa.key, snis: ['b.short.test', 'a.short.test'] });
      expectStatus(created, 201);
      expect(created.body.snis).toEqual(['a.short.test', 'b.short.test']);
      const id = created.body.id as string;
      expect((await admin(cp).get('/snis/a.short.test').expect(200)).body.certificate).toEqual({ id });
      expect((await admin(cp).get(`/certificates/${id}`).expect(200)).body.snis).toEqual(['a.short.test', 'b.short.test']);
      const listed = (await admin(cp).get('/certificates').expect(200)).body.data as { id: string; snis: string[] }[];
      expect(listed.find((c) => c.id === id)?.snis).toEqual(['a.short.test', 'b.short.test']);
      const patched = await admin(cp).patch(`/certificates/${id}`).send({ snis: ['b.short.test', 'c.short.test'] });
      expectStatus(patched, 200);
      expect(patched.body.snis).toEqual(['b.short.test', 'c.short.test']);
      await admin(cp).get('/snis/a.short.test').expect(404);
      // Left out of a PATCH: unchanged.
      expect((await admin(cp).patch(`/certificates/${id}`).send({ tags: ['x'] }).expect(200)).body.snis).toEqual(['b.short.test', 'c.short.test']);
    });

    it('the snis shorthand refuses a name taken by another certificate, a bad name or a repeated one, and writes nothing', async () => {
      const version = await configVersion(cp);
      expectKongError(await admin(cp).post('/certificates').send({ cert: ec.cert, key: ec.key, snis: ['b.short.test'] }), KONG.UNIQUE_VIOLATION);
      expectKongError(await admin(cp).post('/certificates').send({ cert: ec.cert, key: ec.key, snis: ['not a name!'] }), KONG.SCHEMA_VIOLATION);
      expectKongError(await admin(cp).post('/certificates').send({ cert: ec.cert, key: ec.key, snis: ['d.short.test', 'd.short.test'] }), KONG.SCHEMA_VIOLATION, { snis: "'d.short.test' is listed twice" });
      expectKongError(await admin(cp).post('/certificates').send({ cert: ec.cert, key: ec.key, snis: 'e.short.test' }), KONG.SCHEMA_VIOLATION, { snis: 'expected an array of strings' });
      expect(await configVersion(cp)).toBe(version);
    });
  });

  describe('ca_certificates', () => {
    it('POST /ca_certificates computes the SHA-256 digest of the certificate', async () => {
      const res = await admin(cp).post('/ca_certificates').send({ cert: ca.cert });
      expectStatus(res, 201);
      const digest = createHash('sha256').update(new X509Certificate(ca.cert).raw).digest('hex');
      expect(res.body).toMatchObject({ cert: ca.cert, cert_digest: digest });
      const [row] = await cp.schema.query('SELECT cert_digest FROM ca_certificates WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ cert_digest: digest });
    });

    it('refuses the same CA twice (409 on cert_digest) and a key in place of a certificate', async () => {
      const digest = createHash('sha256').update(new X509Certificate(ca.cert).raw).digest('hex');
      expectKongError(await admin(cp).post('/ca_certificates').send({ cert: ca.cert }), KONG.UNIQUE_VIOLATION, { cert_digest: digest });
      expectKongError(await admin(cp).post('/ca_certificates').send({ cert: ca.key }), KONG.SCHEMA_VIOLATION, { cert: 'invalid certificate: could not parse PEM' });
    });

    it('lists, replaces and deletes CA certificates', async () => {
      const list = await admin(cp).get('/ca_certificates');
      expect(list.body.data).toHaveLength(1);
      const id = list.body.data[0].id;
      expect((await admin(cp).get(`/ca_certificates/${id}`)).body).toMatchObject({ id, cert: ca.cert });
      const patched = await admin(cp).patch(`/ca_certificates/${id}`).send({ tags: ['root'] });
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ tags: ['root'], cert_digest: list.body.data[0].cert_digest });
      const replaced = await admin(cp).put(`/ca_certificates/${id}`).send({ cert: rsa.cert });
      expectStatus(replaced, 200);
      expect(replaced.body.cert_digest).toBe(createHash('sha256').update(new X509Certificate(rsa.cert).raw).digest('hex'));
      await admin(cp).delete(`/ca_certificates/${id}`).expect(204);
      expect(await countRows(cp, 'ca_certificates')).toBe(0);
    });
  });
});
