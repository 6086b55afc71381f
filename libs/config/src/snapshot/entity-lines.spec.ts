import { ConfigHash } from './config-hash';
import { emptyEntities, type ConfigEntities } from './entity-types';
import { entityLineBatches, EntityLineReader } from './entity-lines';

function config(consumers: number): ConfigEntities {
  const entities = emptyEntities() as unknown as Record<string, unknown[]>;
  for (let i = 0; i < consumers; i++) {
    entities.consumers!.push({ id: `c${i}`, username: `user ${i}\nwith a newline`, tags: ['a'] });
    entities.keyauth_credentials!.push({ id: `k${i}`, consumer: { id: `c${i}` }, key: `key-${i}` });
  }
  return entities as unknown as ConfigEntities;
}

describe('a config as a stream of entity lines', () => {
  it('cuts it into batches of whole lines and reads it back with the same hash, whatever the piece sizes', () => {
    const entities = config(500);
    const batches = [...entityLineBatches(entities, 4096)];
    expect(batches.length).toBeGreaterThan(5);
    for (const batch of batches) expect(batch.endsWith('\n')).toBe(true);
    const text = batches.join('');
    for (const piece of [1, 7, 1000, text.length]) {
      const reader = new EntityLineReader();
      for (let at = 0; at < text.length; at += piece) reader.push(text.slice(at, at + piece));
      expect(reader.finish()).toEqual(entities);
      expect(reader.hash.hex()).toBe(ConfigHash.of(entities).hex());
    }
  });

  it('yields one empty batch for an empty config', () => {
    expect([...entityLineBatches(emptyEntities())]).toEqual(['']);
    expect(new EntityLineReader().finish()).toEqual(emptyEntities());
  });

  it('names the line of an unknown entity type, bad JSON, or a text cut short', () => {
    expect(() => new EntityLineReader().push('consumers {"id":"a"}\nwidgets {}\n')).toThrow("entity line 2: unknown entity type 'widgets'");
    expect(() => new EntityLineReader().push('consumers {"id":\n')).toThrow(/entity line 1 \(consumers\): /);
    const cut = new EntityLineReader();
    cut.push('consumers {"id":"a"}\nconsumers {"id"');
    expect(() => cut.finish()).toThrow('entity line 2 is cut short');
  });
});
