import { ConfigHash, canonicalJson } from './config-hash';
import { emptyEntities, type ConfigEntities } from './entity-types';

const consumer = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created_at: 1, updated_at: 1, username: `c${n}`, custom_id: null, tags: null });

function withConsumers(...ns: number[]): ConfigEntities {
  return { ...emptyEntities(), consumers: ns.map(consumer) };
}

describe('ConfigHash', () => {
  it('does not depend on entity order', () => {
    expect(ConfigHash.of(withConsumers(1, 2, 3)).hex()).toBe(ConfigHash.of(withConsumers(3, 1, 2)).hex());
  });

  it('changes with any entity change and is 128 bits of hex', () => {
    const a = ConfigHash.of(withConsumers(1, 2)).hex();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(ConfigHash.of(withConsumers(1, 3)).hex()).not.toBe(a);
    expect(ConfigHash.of({ ...emptyEntities(), consumers: [consumer(1), { ...consumer(2), username: 'other' }] }).hex()).not.toBe(a);
  });

  it('tells collections apart', () => {
    const asConsumer = ConfigHash.of(withConsumers(1)).hex();
    const asRoute = ConfigHash.of({ ...emptyEntities(), routes: [consumer(1)] } as unknown as ConfigEntities).hex();
    expect(asRoute).not.toBe(asConsumer);
  });

  it('is incremental: add and remove land where a full rehash does', () => {
    const hash = ConfigHash.of(withConsumers(1, 2));
    hash.add('consumers', consumer(3));
    hash.remove('consumers', consumer(1));
    expect(hash.hex()).toBe(ConfigHash.of(withConsumers(2, 3)).hex());
    hash.remove('consumers', consumer(2));
    hash.remove('consumers', consumer(3));
    expect(hash.hex()).toBe(ConfigHash.of(emptyEntities()).hex());
  });

  it('clones independently', () => {
    const hash = ConfigHash.of(withConsumers(1));
    const copy = hash.clone();
    copy.add('consumers', consumer(2));
    expect(hash.hex()).toBe(ConfigHash.of(withConsumers(1)).hex());
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
