import { join } from 'node:path';
import type { DeclarativeError } from './declarative-error';
import { DeclarativeConfigError } from './declarative-error';
import { loadDeclarativeConfigFile, parseDeclarativeConfig } from './parse-declarative-config';
import { validateTestPluginConfig } from './fixtures/plugin-config-validator';

const options = { validatePluginConfig: validateTestPluginConfig };

function refused(text: string): DeclarativeConfigError {
  try {
    parseDeclarativeConfig(text, options);
  } catch (err) {
    if (err instanceof DeclarativeConfigError) return err;
    throw err;
  }
  throw new Error('the config was accepted');
}

function only(text: string): DeclarativeError {
  const { errors } = refused(text);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

const v3 = '_format_version: "3.0"\n';

describe('parseDeclarativeConfig refuses, naming the entity and where it is', () => {
  it('a file without _format_version, or with one Kong never had', () => {
    expect(only('services: []')).toMatchObject({ entity: '_format_version', message: expect.stringContaining('required field missing') });
    expect(only('_format_version: "4.0"')).toMatchObject({ path: '_format_version', message: expect.stringContaining("unsupported format version '4.0'") });
    expect(only('_format_version: 3.0')).toMatchObject({ message: expect.stringContaining('quote it') });
  });

  it('text that is not YAML, or not a mapping', () => {
    expect(only('_format_version: "3.0"\nservices: [\n')).toMatchObject({ entity: 'document', message: expect.stringMatching(/invalid YAML.*line/s) });
    expect(only('- just a list')).toMatchObject({ entity: 'document', message: expect.stringContaining('expected a mapping') });
  });

  it('top-level keys Tollgate does not know or cannot honour', () => {
    const { errors } = refused(`${v3}vaults: []\nconsumer_groups: []\nservicez: []`);
    expect(errors.map((e) => [e.entity, e.message])).toEqual([
      ['vaults', expect.stringContaining('not supported by Tollgate: secret vaults')],
      ['consumer_groups', expect.stringContaining('Kong Enterprise')],
      ['servicez', "unknown top-level key 'servicez'"],
    ]);
  });

  it('entity fields Tollgate cannot honour, nested collections included', () => {
    const { errors } = refused(`${v3}
services:
  - name: s
    host: example.com
    routes:
      - name: r
        expression: 'http.path == "/a"'
consumers:
  - username: u
    oauth2_credentials: [{ name: u, client_id: x }]
`);
    expect(errors[0]).toMatchObject({ entity: 'routes', path: 'services[0].routes[0]', name: 'r', fields: { expression: expect.stringContaining('expressions router') } });
    expect(errors[1]).toMatchObject({ entity: 'consumers', path: 'consumers[0]', name: 'u', fields: { oauth2_credentials: expect.stringContaining('oauth2') } });
  });

  it('a regex path using a PCRE construct with no JavaScript equivalent, naming the route, the field and the construct', () => {
    const error = only(`${v3}
services:
  - name: s
    host: example.com
    routes:
      - name: named-groups
        paths: ['~/status/(?P<foo>re)']
      - name: recursive
        paths: ['~/a/(?R)']
`);
    expect(error).toMatchObject({ entity: 'routes', path: 'services[0].routes[1]', name: 'recursive' });
    expect(error.fields).toEqual({ paths: [expect.stringContaining("the recursion '(?R)' has no JavaScript equivalent")] });
  });

  it('schema violations, with the entity path and Kong-style field messages', () => {
    const error = only(`${v3}
services:
  - name: s
    host: example.com
    routes:
      - name: ok
        paths: [/ok]
      - name: bad
        paths: [orders]
        strip_path: "yes"
`);
    expect(error).toMatchObject({ entity: 'routes', path: 'services[0].routes[1]', name: 'bad' });
    expect(error.fields).toEqual({ paths: [expect.stringContaining('should start with: /')], strip_path: 'expected a boolean' });
    expect(error.message).toMatch(/^2 schema violations \(paths: .*; strip_path: expected a boolean\)$/);
  });

  it('a bad service url, or a url combined with the fields it sets', () => {
    const { errors } = refused(`${v3}services: [{ name: a, url: "ftp://x" }, { name: b, url: "http://x", host: y }]`);
    expect(errors.map((e) => [e.path, e.fields?.url])).toEqual([
      ['services[0]', "unsupported protocol in url: 'ftp'"],
      ['services[1]', 'cannot be combined with host'],
    ]);
  });

  it('references to entities that are not in the file', () => {
    const { errors } = refused(`${v3}
routes: [{ name: r, paths: [/], service: nope }]
plugins: [{ name: key-auth, consumer: { username: ghost } }]
acls: [{ group: g, consumer: { id: 0b5ab2a4-8d7e-4f5c-9a3b-2c1d0e9f8a7b } }]
`);
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ['routes[0]', "schema violation (service: invalid reference 'service: nope' (no such entry in 'services'))"],
      ['plugins[0]', "schema violation (consumer: invalid reference 'consumer: ghost' (no such entry in 'consumers'))"],
      ['acls[0]', expect.stringContaining("invalid reference 'consumer: {id: 0b5ab2a4-8d7e-4f5c-9a3b-2c1d0e9f8a7b}'")],
    ]);
  });

  it('a nested entity that names another parent than the one it sits under', () => {
    const error = only(`${v3}services: [{ name: a, host: a.test }, { name: b, host: b.test, routes: [{ name: r, paths: [/], service: a }] }]`);
    expect(error).toMatchObject({ path: 'services[1].routes[0]', fields: { service: 'conflicts with the enclosing services[1]' } });
  });

  it('duplicate names, keys and scopes, naming where the first one was declared', () => {
    const { errors } = refused(`${v3}
services:
  - { name: dup, host: a.test, plugins: [{ name: key-auth }] }
  - { name: dup, host: b.test }
plugins: [{ name: key-auth, service: dup }]
consumers:
  - username: a
    keyauth_credentials: [{ key: secret-key-1 }]
  - username: b
    keyauth_credentials: [{ key: secret-key-1 }]
`);
    expect(errors.map((e) => [e.entity, e.path, e.message])).toEqual([
      ['services', 'services[1]', "uniqueness violation: 'services' entity with name set to 'dup' already declared at services[0]"],
      ['plugins', 'plugins[0]', expect.stringMatching(/^uniqueness violation: 'plugins' entity with name, route, service, consumer set to 'key-auth', null, '[0-9a-f-]{36}', null already declared at services\[0\]\.plugins\[0\]$/)],
      ['keyauth_credentials', 'consumers[1].keyauth_credentials[0]', "uniqueness violation: 'keyauth_credentials' entity with key already declared at consumers[0].keyauth_credentials[0]"],
    ]);
    expect(errors[2]!.message).not.toContain('secret-key-1');
  });

  it('invalid ids, and credentials whose key a declarative file must state', () => {
    const { errors } = refused(`${v3}
services: [{ id: not-a-uuid, host: a.test }]
consumers: [{ username: u, keyauth_credentials: [{}], jwt_secrets: [{ key: k, algorithm: HS256 }] }]
`);
    expect(errors.map((e) => [e.path, e.fields])).toEqual([
      ['services[0]', { id: 'expected a valid UUID' }],
      ['consumers[0].keyauth_credentials[0]', { key: expect.stringContaining('must state the key') }],
      ['consumers[0].jwt_secrets[0]', { secret: expect.stringContaining('HS256 signs with the secret') }],
    ]);
  });

  it('plugin configs the plugin validator rejects, and plugins it does not know', () => {
    const { errors } = refused(`${v3}
services:
  - name: s
    host: a.test
    plugins:
      - name: rate-limiting
        config: { minute: -1 }
      - name: oauth2
`);
    expect(errors.map((e) => [e.path, e.name, e.fields])).toEqual([
      ['services[0].plugins[0]', 'rate-limiting', { config: { minute: 'value must be greater than 0' } }],
      ['services[0].plugins[1]', 'oauth2', { name: "plugin 'oauth2' not enabled; add it to the 'plugins' configuration property" }],
    ]);
  });

  it('entity lists and entities of the wrong shape', () => {
    const { errors } = refused(`${v3}services: { name: s }\nconsumers: [bob]`);
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ['services', 'expected an array of services'],
      ['consumers[0]', 'expected a record'],
    ]);
  });

  it('collects every error, and summarises the first few with their paths', () => {
    const routes = Array.from({ length: 7 }, (_, i) => `  - { name: r${i}, paths: [/], service: missing }`).join('\n');
    const err = refused(`${v3}routes:\n${routes}`);
    expect(err.errors).toHaveLength(7);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('invalid declarative config (7 errors)');
    expect(lines[1]).toBe("  - routes[0] (routes 'r0'): schema violation (service: invalid reference 'service: missing' (no such entry in 'services'))");
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe('  ... and 2 more');
  });

  it('names the file when loading one', () => {
    expect(() => loadDeclarativeConfigFile(join(__dirname, 'fixtures', 'example.cert.pem'))).toThrow(/example\.cert\.pem: invalid declarative config/);
  });
});
