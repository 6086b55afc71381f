import { randomUUID } from 'node:crypto';
import { parseDeclarativeConfig, type ConfigEntities, type EntityCollection } from '@tollgate/config';
import { validatePluginConfig } from '@tollgate/plugins';
import { diffEntities, type Entity, type EntityChange } from './entity-diff';

const FILE = `_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080
    tags: [team-a, public]
    routes:
      - name: orders-read
        paths: [/orders]
        plugins:
          - name: rate-limiting
            config: { minute: 10, policy: local }
      - name: orders-write
        paths: [/orders]
        methods: [POST]
upstreams:
  - name: orders.upstream
    targets:
      - target: 10.0.0.1:8080
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-key
    basicauth_credentials:
      - username: alice-basic
        password: s3cret
`;

type Mutable = Record<EntityCollection, Record<string, unknown>[]>;

function load(text = FILE): ConfigEntities {
  return parseDeclarativeConfig(text, { validatePluginConfig });
}

/** The same entities as the admin API exports them: timestamps set, password hashes left out. */
function asExported(entities: ConfigEntities): Mutable {
  const out = JSON.parse(JSON.stringify(entities)) as Mutable;
  for (const list of Object.values(out)) {
    for (const e of list) {
      e.created_at = 1764201600;
      e.updated_at = 1764201600;
    }
  }
  for (const cred of out.basicauth_credentials) delete cred.password;
  return out;
}

const current = (m: Mutable) => m as unknown as ConfigEntities;
const summary = (changes: readonly EntityChange[]) => changes.map((c) => `${c.action} ${c.collection} ${String((c.desired ?? c.current)!.name ?? c.id)}`);
const byName = (list: readonly Record<string, unknown>[], name: string) => list.find((e) => e.name === name)!;

describe('diffEntities', () => {
  it('finds nothing to do when the control plane holds what the file says, timestamps and password hashes aside', () => {
    expect(diffEntities(load(), current(asExported(load())))).toEqual([]);
  });

  it('reports a changed field as an update of that field only', () => {
    const cp = asExported(load());
    byName(cp.services, 'orders').port = 9090;
    const changes = diffEntities(load(), current(cp));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ collection: 'services', action: 'update', fields: ['port'] });
    expect(changes[0]!.desired!.port).toBe(8080);
    expect(changes[0]!.current!.port).toBe(9090);
  });

  it('ignores the order of a set such as tags, but not of an array', () => {
    const cp = asExported(load());
    byName(cp.services, 'orders').tags = ['public', 'team-a'];
    expect(diffEntities(load(), current(cp))).toEqual([]);

    const twoPaths = '_format_version: "3.0"\nroutes:\n  - name: r\n    paths: [/a, /b]\n';
    const reordered = asExported(load(twoPaths));
    reordered.routes[0]!.paths = ['/b', '/a'];
    expect(diffEntities(load(twoPaths), current(reordered)).map((c) => c.fields)).toEqual([['paths']]);
  });

  it('creates into an empty control plane, parents before children', () => {
    const empty = asExported(load('_format_version: "3.0"\n'));
    const order = diffEntities(load(), current(empty)).map((c) => `${c.action} ${c.collection}`);
    expect(order).toEqual([
      'create services',
      'create routes',
      'create routes',
      'create consumers',
      'create upstreams',
      'create targets',
      'create plugins',
      'create keyauth_credentials',
      'create basicauth_credentials',
    ]);
  });

  it('deletes what the file no longer has, children before parents, after every create and update', () => {
    const cp = asExported(load());
    const file = load(`_format_version: "3.0"
services:
  - name: billing
    url: http://billing.internal
upstreams:
  - name: orders.upstream
    targets:
      - target: 10.0.0.1:8080
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-key
    basicauth_credentials:
      - username: alice-basic
        password: s3cret
`);
    expect(summary(diffEntities(file, current(cp)))).toEqual([
      'create services billing',
      'delete plugins rate-limiting',
      'delete routes orders-read',
      'delete routes orders-write',
      'delete services orders',
    ]);
  });

  it('matches an entity created with another id by its name, keeping that id and pointing references at it', () => {
    const cp = asExported(load());
    const service = byName(cp.services, 'orders');
    const adminId = randomUUID();
    for (const route of cp.routes) (route.service as { id: string }).id = adminId;
    service.id = adminId;
    byName(cp.routes, 'orders-write').methods = ['GET'];

    const changes = diffEntities(load(), current(cp));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ collection: 'routes', action: 'update', fields: ['methods'] });
    expect(changes[0]!.desired!.service).toEqual({ id: adminId });
  });

  it('matches a plugin by its name and scope, and a target by its upstream and address', () => {
    const cp = asExported(load());
    cp.plugins[0]!.id = randomUUID();
    cp.targets[0]!.id = randomUUID();
    cp.targets[0]!.weight = 5;
    const changes = diffEntities(load(), current(cp));
    expect(changes.map((c) => [c.collection, c.action, c.id, c.fields])).toEqual([['targets', 'update', cp.targets[0]!.id, ['weight']]]);
  });

  it('does not pair two unnamed entities: an unnamed route that changed is deleted and created', () => {
    const text = '_format_version: "3.0"\nservices:\n  - name: s\n    url: http://s\n    routes:\n      - paths: [/a]\n';
    const cp = asExported(load(text));
    cp.routes[0]!.id = randomUUID();
    expect(diffEntities(load(text), current(cp)).map((c) => `${c.action} ${c.collection}`)).toEqual(['create routes', 'delete routes']);
  });

  it('never pairs one control-plane entity with two file entities', () => {
    const cp = asExported(load());
    const adminId = randomUUID();
    byName(cp.services, 'orders').id = adminId;
    const file = asExported(load());
    const copy: Entity = { ...byName(file.services, 'orders'), id: randomUUID() };
    file.services.push(copy as Record<string, unknown>);
    const changes = diffEntities(current(file), current(cp));
    expect(changes.filter((c) => c.collection === 'services').map((c) => c.action)).toEqual(['create']);
  });
});
