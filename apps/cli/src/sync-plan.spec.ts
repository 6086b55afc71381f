import type { EntityChange } from './entity-diff';
import { entityPath, planRequests } from './sync-plan';

const U = '5b7b1c1e-0000-4000-8000-000000000001';
const T = '5b7b1c1e-0000-4000-8000-000000000002';
const K = '5b7b1c1e-0000-4000-8000-000000000003';
const C = '5b7b1c1e-0000-4000-8000-000000000004';

describe('sync plan', () => {
  it("puts each entity at its admin collection path, targets under their upstream", () => {
    expect(entityPath('services', { id: U })).toBe(`/services/${U}`);
    expect(entityPath('ca_certificates', { id: U })).toBe(`/ca_certificates/${U}`);
    expect(entityPath('keyauth_credentials', { id: K, consumer: { id: C } })).toBe(`/key-auths/${K}`);
    expect(entityPath('basicauth_credentials', { id: K, consumer: { id: C } })).toBe(`/basic-auths/${K}`);
    expect(entityPath('jwt_secrets', { id: K, consumer: { id: C } })).toBe(`/jwts/${K}`);
    expect(entityPath('acls', { id: K, consumer: { id: C } })).toBe(`/acls/${K}`);
    expect(entityPath('targets', { id: T, upstream: { id: U } })).toBe(`/upstreams/${U}/targets/${T}`);
  });

  it('sends PUT bodies without server-set timestamps, and DELETEs by the control-plane entity', () => {
    const created = { id: T, upstream: { id: U }, target: '10.0.0.1:80', weight: 100, created_at: 0, updated_at: 0, tags: null };
    const removed = { id: K, consumer: { id: C }, key: 'k', created_at: 1, updated_at: 1 };
    const changes: EntityChange[] = [
      { collection: 'targets', action: 'create', id: T, desired: created, fields: [] },
      { collection: 'keyauth_credentials', action: 'delete', id: K, current: removed, fields: [] },
    ];
    expect(planRequests(changes).map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'PUT', path: `/upstreams/${U}/targets/${T}`, body: { id: T, upstream: { id: U }, target: '10.0.0.1:80', weight: 100, tags: null } },
      { method: 'DELETE', path: `/key-auths/${K}`, body: undefined },
    ]);
  });
});
