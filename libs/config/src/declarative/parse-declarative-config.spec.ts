import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigEntities } from '../snapshot/entity-types';
import { declarativeId } from './deterministic-id';
import { loadDeclarativeConfigFile, parseDeclarativeConfig } from './parse-declarative-config';
import { validateTestPluginConfig } from './fixtures/plugin-config-validator';

const FIXTURE = join(__dirname, 'fixtures', 'kong.yml');
const CERT = readFileSync(join(__dirname, 'fixtures', 'example.cert.pem'), 'utf8');
const KEY = readFileSync(join(__dirname, 'fixtures', 'example.key.pem'), 'utf8');
const options = { validatePluginConfig: validateTestPluginConfig };
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function load(): ConfigEntities {
  return loadDeclarativeConfigFile(FIXTURE, options);
}

function byName<T extends { name: string | null }>(list: readonly T[], name: string): T {
  const found = list.find((e) => e.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

function sortedById(entities: ConfigEntities): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(entities).map(([k, v]) => [k, [...(v as { id: string }[])].sort((a, b) => a.id.localeCompare(b.id))]));
}

describe('parseDeclarativeConfig: a typical kong.yml', () => {
  it('loads every entity, nested or flat', () => {
    const e = load();
    const counts = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, (v as unknown[]).length]));
    expect(counts).toEqual({
      certificates: 0, ca_certificates: 0, snis: 0, services: 2, routes: 5, consumers: 3, upstreams: 1,
      targets: 2, plugins: 6, keyauth_credentials: 3, basicauth_credentials: 0, jwt_secrets: 0, acls: 2, hmacauth_credentials: 0, plans: 0, subscriptions: 0,
    });
  });

  it("expands a service's url and fills Kong's defaults", () => {
    const e = load();
    expect(byName(e.services, 'orders-api')).toMatchObject({
      protocol: 'http', host: 'orders.internal', port: 8080, path: '/v1', retries: 3, connect_timeout: 5000,
      read_timeout: 60000, write_timeout: 60000, enabled: true, tags: ['team-orders', 'public'], regions: [],
      client_certificate: null, created_at: 0, updated_at: 0,
    });
    expect(byName(e.routes, 'orders-read')).toMatchObject({
      protocols: ['http', 'https'], strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0',
      https_redirect_status_code: 426, headers: null, snis: null, tags: null,
    });
    expect(byName(e.upstreams, 'billing.upstream').healthchecks).toMatchObject({
      active: { type: 'http', http_path: '/health', timeout: 2, concurrency: 10, healthy: { interval: 5, successes: 2, http_statuses: [200, 302] } },
      passive: { unhealthy: { http_failures: 5, tcp_failures: 2, timeouts: 0, http_statuses: [429, 500, 503] } },
      threshold: 0,
    });
    expect(e.targets.map((t) => [t.target, t.weight])).toEqual([['10.0.0.11:8080', 100], ['10.0.0.12:8000', 50]]);
  });

  it('resolves nested parents and references by name, username or id', () => {
    const e = load();
    const orders = byName(e.services, 'orders-api');
    const billing = byName(e.services, 'billing-api');
    const jason = e.consumers.find((c) => c.username === 'Jason')!;
    expect(byName(e.routes, 'orders-write').service).toEqual({ id: orders.id });
    expect(byName(e.routes, 'billing-health').service).toEqual({ id: billing.id });
    expect(e.routes.find((r) => r.name === null)!.service).toEqual({ id: billing.id });
    const scopes = e.plugins.map((p) => [p.name, p.service?.id ?? null, p.route?.id ?? null, p.consumer?.id ?? null]);
    expect(scopes).toEqual(
      expect.arrayContaining([
        ['key-auth', orders.id, null, null],
        ['rate-limiting', null, byName(e.routes, 'orders-write').id, null],
        ['rate-limiting', null, null, jason.id],
        ['rate-limiting', billing.id, null, jason.id],
        ['key-auth', null, byName(e.routes, 'billing-events').id, null],
      ]),
    );
    expect(e.keyauth_credentials.filter((k) => k.consumer.id === jason.id).map((k) => k.key)).toEqual(['9f8e2c1a-jason-primary']);
    expect(e.acls.map((a) => a.group)).toEqual(['admins', 'users']);
    expect(e.targets.every((t) => t.upstream.id === e.upstreams[0]!.id)).toBe(true);
  });

  it('checks plugin configs through the callback and keeps its defaults', () => {
    const e = load();
    const keyAuth = e.plugins.find((p) => p.name === 'key-auth' && p.service)!;
    expect(keyAuth.config).toEqual({ key_names: ['apikey', 'x-api-key'], hide_credentials: true });
    expect(e.plugins.find((p) => p.name === 'key-auth' && p.route)!.config).toEqual({ key_names: ['apikey'], hide_credentials: false });
    expect(keyAuth).toMatchObject({ enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], instance_name: null });
  });

  it('keeps plugin configs as written when no validator is given', () => {
    const e = loadDeclarativeConfigFile(FIXTURE);
    expect(e.plugins.find((p) => p.name === 'key-auth' && p.route)!.config).toEqual({ key_names: ['apikey'] });
  });

  it('generates the same UUIDs on every load, derived from natural keys', () => {
    const first = load();
    const second = load();
    expect(second).toEqual(first);
    const ids = Object.values(first).flatMap((list) => (list as { id: string }[]).map((e) => e.id));
    expect(ids.every((id) => UUID_V5.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(byName(first.services, 'orders-api').id).toBe(declarativeId('services', 'name=orders-api'));
  });

  it('reads the same file written as JSON', () => {
    const json = JSON.stringify(parseYaml(readFileSync(FIXTURE, 'utf8')), null, 2);
    expect(parseDeclarativeConfig(json, options)).toEqual(load());
  });
});

describe('parseDeclarativeConfig: forms Kong accepts', () => {
  const nested = `
_format_version: "3.0"
services:
  - name: svc
    host: example.com
    routes:
      - name: r1
        paths: [/a]
        plugins:
          - name: key-auth
consumers:
  - username: bob
    keyauth_credentials:
      - key: bob-key
    acls:
      - group: g1
upstreams:
  - name: up
    targets:
      - target: 10.1.1.1:80
`;
  const flat = `
_format_version: "3.0"
services:
  - name: svc
    host: example.com
routes:
  - name: r1
    paths: [/a]
    service: { name: svc }
plugins:
  - name: key-auth
    route: r1
consumers:
  - username: bob
keyauth_credentials:
  - key: bob-key
    consumer: { username: bob }
acls:
  - group: g1
    consumer: bob
upstreams:
  - name: up
targets:
  - target: 10.1.1.1:80
    upstream: up
`;

  it('yields the same entities nested or flat', () => {
    expect(sortedById(parseDeclarativeConfig(flat))).toEqual(sortedById(parseDeclarativeConfig(nested)));
  });

  it('resolves references by id and keeps explicit ids', () => {
    const id = '5b1f6a2e-1d2c-4c3b-9a8e-7f6d5c4b3a21';
    const e = parseDeclarativeConfig(`
_format_version: "2.1"
services: [{ id: ${id.toUpperCase()}, host: example.com }]
routes: [{ name: r, hosts: [example.com], service: { id: ${id} } }]
plugins: [{ name: cors, service: ${id} }]
`);
    expect(e.services[0]!.id).toBe(id);
    expect(e.routes[0]!.service).toEqual({ id });
    expect(e.plugins[0]!.service).toEqual({ id });
  });

  it('prefixes regex paths with ~ in files older than format 3.0, as Kong migrates them', () => {
    const file = (version: string) => `_format_version: "${version}"\nroutes: [{ name: r, paths: ["/users/\\\\d+", /plain, "~/already"] }]`;
    expect(parseDeclarativeConfig(file('2.1')).routes[0]!.paths).toEqual(['~/users/\\d+', '/plain', '~/already']);
    expect(parseDeclarativeConfig(file('1.1')).routes[0]!.paths).toEqual(['~/users/\\d+', '/plain', '~/already']);
  });

  it('reads SNIs nested under certificates as plain names or records', () => {
    const e = parseDeclarativeConfig(
      JSON.stringify({
        _format_version: '3.0',
        certificates: [{ cert: CERT, key: KEY, snis: ['api.example.com', { name: '*.example.org', tags: ['wild'] }] }],
        ca_certificates: [{ cert: CERT }],
        services: [{ name: 's', host: 'example.com', client_certificate: { id: declarativeId('certificates', `cert=${CERT.trim()}`) } }],
      }),
    );
    const cert = e.certificates[0]!;
    expect(e.snis.map((s) => [s.name, s.certificate.id, s.tags])).toEqual([
      ['api.example.com', cert.id, null],
      ['*.example.org', cert.id, ['wild']],
    ]);
    expect(e.ca_certificates[0]!.cert_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(e.services[0]!.client_certificate).toEqual({ id: cert.id });
  });

  it('hashes basic-auth passwords when _transform is true and a hasher is given', () => {
    const file = (transform: boolean) =>
      `_format_version: "3.0"\n_transform: ${transform}\nconsumers: [{ username: u, basicauth_credentials: [{ username: u, password: s3cret }] }]`;
    const hashPassword = (plain: string) => `hashed:${plain}`;
    expect(parseDeclarativeConfig(file(true), { hashPassword }).basicauth_credentials[0]!.password).toBe('hashed:s3cret');
    expect(parseDeclarativeConfig(file(false), { hashPassword }).basicauth_credentials[0]!.password).toBe('s3cret');
    expect(parseDeclarativeConfig(file(true)).basicauth_credentials[0]!.password).toBe('s3cret');
  });

  it('honours YAML anchors and merge keys, and the _comment, _ignore and _workspace keys', () => {
    const e = parseDeclarativeConfig(`
_format_version: "3.0"
_comment: shared limits
_workspace: default
_ignore:
  - &limits { minute: 5, policy: local }
services:
  - name: a
    host: a.example.com
    plugins: [{ name: rate-limiting, config: { <<: *limits, hour: 100 } }]
`, options);
    expect(e.plugins[0]!.config).toEqual({ minute: 5, hour: 100, policy: 'local' });
  });

  it('derives a jwt secret for asymmetric algorithms, which never use it', () => {
    const file = `_format_version: "3.0"\nconsumers: [{ username: u, jwt_secrets: [{ key: iss-1, algorithm: ES256, rsa_public_key: pk }] }]`;
    const secret = parseDeclarativeConfig(file).jwt_secrets[0]!.secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(parseDeclarativeConfig(file).jwt_secrets[0]!.secret).toBe(secret);
  });
});
