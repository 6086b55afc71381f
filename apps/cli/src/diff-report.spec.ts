import { entityLabel, formatChanges } from './diff-report';
import type { EntityChange } from './entity-diff';

const S = '5b7b1c1e-0000-4000-8000-000000000001';
const R = '5b7b1c1e-0000-4000-8000-000000000002';
const K = '5b7b1c1e-0000-4000-8000-000000000003';

describe('formatChanges', () => {
  it('groups changes per entity type with what changed, and never prints a credential key', () => {
    const changes: EntityChange[] = [
      { collection: 'services', action: 'update', id: S, desired: { id: S, name: 'orders', port: 9090, tags: ['a'] }, current: { id: S, name: 'orders', port: 8080, tags: null }, fields: ['port', 'tags'] },
      { collection: 'keyauth_credentials', action: 'update', id: K, desired: { id: K, key: 'new-secret' }, current: { id: K, key: 'old-secret' }, fields: ['key'] },
      { collection: 'routes', action: 'delete', id: R, current: { id: R, name: 'orders-write' }, fields: [] },
      {
        collection: 'plugins', action: 'update', id: K, fields: ['config'],
        desired: { id: K, name: 'rate-limiting', config: { minute: 25, redis: { password: 'new' }, policy: 'local' } },
        current: { id: K, name: 'rate-limiting', config: { minute: 20, redis: { password: 'old' }, policy: 'local' } },
      },
    ];
    const lines = formatChanges(changes);
    expect(lines).toEqual([
      'services: 1 to update',
      `  ~ orders (${S}): port: 8080 → 9090, tags`,
      'routes: 1 to delete',
      `  - orders-write (${R})`,
      'plugins: 1 to update',
      `  ~ global rate-limiting (${K}): config.minute, config.redis.password`,
      'keyauth_credentials: 1 to update',
      `  ~ key-auth credential (${K}): key (secret)`,
    ]);
    expect(lines.join('\n')).not.toMatch(/secret-|old|new/);
  });

  it('calls an entity without a name of its own by what it is and where it sits', () => {
    const names = new Map([[R, 'orders-write'], [S, 'Jason']]);
    expect(entityLabel('plugins', { id: K, name: 'rate-limiting', route: { id: R }, service: null, consumer: null }, names)).toBe(`rate-limiting on route orders-write (${K})`);
    expect(entityLabel('plugins', { id: K, name: 'cors', route: null }, names)).toBe(`global cors (${K})`);
    expect(entityLabel('keyauth_credentials', { id: K, key: 'secret-key', consumer: { id: S } }, names)).toBe(`key-auth credential of consumer Jason (${K})`);
    expect(entityLabel('routes', { id: K, name: null, service: { id: S } })).toBe(`route of service ${S} (${K})`);
  });
});
