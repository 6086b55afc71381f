import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigEntities } from '../snapshot/entity-types';
import { exportDeclarativeConfig } from './export-declarative-config';
import { loadDeclarativeConfigFile, parseDeclarativeConfig } from './parse-declarative-config';
import { validateTestPluginConfig } from './fixtures/plugin-config-validator';

const options = { validatePluginConfig: validateTestPluginConfig };
const fixture = () => loadDeclarativeConfigFile(join(__dirname, 'fixtures', 'kong.yml'), options);
const CERT = readFileSync(join(__dirname, 'fixtures', 'example.cert.pem'), 'utf8');
const KEY = readFileSync(join(__dirname, 'fixtures', 'example.key.pem'), 'utf8');

function sortedById(entities: ConfigEntities): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(entities).map(([k, v]) => [k, [...(v as { id: string }[])].sort((a, b) => a.id.localeCompare(b.id))]));
}

type Doc = Record<string, Record<string, unknown>[]>;

describe('exportDeclarativeConfig', () => {
  it('round-trips: parsing the export yields the same entities', () => {
    const entities = fixture();
    expect(sortedById(parseDeclarativeConfig(exportDeclarativeConfig(entities), options))).toEqual(sortedById(entities));
  });

  it("writes Kong's format 3.0 with children nested under their parents", () => {
    const doc = parseYaml(exportDeclarativeConfig(fixture())) as Doc & { _format_version: string; _transform: boolean };
    expect(doc._format_version).toBe('3.0');
    expect(doc._transform).toBe(false);
    expect(Object.keys(doc)).toEqual(['_format_version', '_transform', 'services', 'consumers', 'upstreams', 'plugins']);
    const [orders, billing] = doc.services as [Record<string, unknown>, Record<string, unknown>];
    expect((orders.routes as { name: string }[]).map((r) => r.name)).toEqual(['orders-read', 'orders-write']);
    expect((billing.routes as { name?: string }[]).map((r) => r.name ?? null)).toEqual([null, 'billing-events', 'billing-health']);
    expect((orders.plugins as { name: string }[]).map((p) => p.name)).toEqual(['key-auth']);
    const write = (orders.routes as Record<string, unknown>[])[1]!;
    expect(write).not.toHaveProperty('service');
    expect((write.plugins as { name: string }[]).map((p) => p.name)).toEqual(['rate-limiting', 'acl']);
    const jason = doc.consumers![0]!;
    expect(jason).toMatchObject({ username: 'Jason', keyauth_credentials: [{ key: '9f8e2c1a-jason-primary' }], acls: [{ group: 'admins' }] });
    expect((jason.plugins as { name: string }[]).map((p) => p.name)).toEqual(['rate-limiting']);
    expect((doc.upstreams![0]!.targets as { target: string }[]).map((t) => t.target)).toEqual(['10.0.0.11:8080', '10.0.0.12:8000']);
  });

  it('keeps plugins with several scopes at the top level, referring by name and username', () => {
    const doc = parseYaml(exportDeclarativeConfig(fixture())) as Doc;
    expect(doc.plugins).toEqual([expect.objectContaining({ name: 'rate-limiting', service: 'billing-api', consumer: 'Jason' })]);
  });

  it('refers by id to entities without a name, and nests SNIs under their certificate', () => {
    const svc = '0b5ab2a4-8d7e-4f5c-9a3b-2c1d0e9f8a7b';
    const con = '7e3c1d2b-4a5f-4e6d-8c9b-0a1f2e3d4c5b';
    const entities = parseDeclarativeConfig(
      JSON.stringify({
        _format_version: '3.0',
        certificates: [{ cert: CERT, key: KEY, snis: ['api.example.com'] }],
        services: [{ id: svc, host: 'a.test', routes: [{ paths: ['/'] }] }],
        consumers: [{ id: con, custom_id: 'c1' }],
        plugins: [{ name: 'cors', service: svc, consumer: con }],
      }),
    );
    const text = exportDeclarativeConfig(entities);
    const doc = parseYaml(text) as Doc;
    expect(doc.plugins).toEqual([expect.objectContaining({ service: { id: svc }, consumer: { id: con } })]);
    expect(doc.certificates![0]!.snis).toEqual([{ id: entities.snis[0]!.id, name: 'api.example.com' }]);
    expect(doc).not.toHaveProperty('snis');
    expect(sortedById(parseDeclarativeConfig(text))).toEqual(sortedById(entities));
  });

  it('writes an empty config as just the header', () => {
    const empty = parseDeclarativeConfig('_format_version: "3.0"');
    expect(exportDeclarativeConfig(empty)).toBe('_format_version: "3.0"\n_transform: false\n');
  });
});
