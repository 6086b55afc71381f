import { emptyEntities, type ConfigEntities, type Route } from '@tollgate/config';
import { deserialize, serialize } from 'node:v8';
import { applyEntityChanges, diffEntities } from './entity-changes';

const route = (id: string, name: string) => ({ id, name }) as unknown as Route;

function config(routes: Route[]): ConfigEntities {
  return { ...emptyEntities(), routes };
}

describe('entity changes between the cluster primary and its workers', () => {
  const a = route('a', 'a');
  const b = route('b', 'b');
  const c = route('c', 'c');
  const before = config([a, b, c]);
  const b2 = route('b', 'b2');
  const d = route('d', 'd');
  const after = config([a, b2, d]);

  it('name only the entities that are not the same objects: replaced, added, deleted', () => {
    expect(diffEntities(before, after, ['routes'])).toEqual({ routes: { upserts: [b2, d], deletes: ['c'] } });
    expect(diffEntities(before, before, ['routes'])).toEqual({});
  });

  it('compare a full snapshot\'s new objects by content when asked', () => {
    const reparsed = JSON.parse(JSON.stringify(after)) as ConfigEntities;
    expect(diffEntities(before, reparsed, ['routes', 'services'], { sameContent: true })).toEqual({ routes: { upserts: [b2, d], deletes: ['c'] } });
  });

  it('rebuild the new config on the other side of the IPC channel, keeping every untouched entity the same object', () => {
    const message = deserialize(serialize(diffEntities(before, after, ['routes'])));
    const rebuilt = applyEntityChanges(before, message);
    expect(rebuilt.routes.map((r) => r.name)).toEqual(['a', 'b2', 'd']);
    expect(rebuilt.routes[0]).toBe(a);
    expect(rebuilt.services).toBe(before.services);
    expect(before.routes.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('send a collection whole when its entities are equal but not the same objects', () => {
    const copied = config(before.routes.map((r) => ({ ...r })));
    expect(diffEntities(before, copied, ['routes']).routes!.upserts).toHaveLength(3);
    expect(applyEntityChanges(before, diffEntities(before, copied, ['routes'])).routes).toEqual(copied.routes);
  });
});
