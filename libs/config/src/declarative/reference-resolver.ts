import type { EntityDefinition } from '../entities';
import { isPlainObject, isUuid } from '../schema/validate';
import type { RawEntity } from './entity-flattener';

export type Resolution = { readonly id: string } | { readonly error: string };

/**
 * Entities of the file by id and by endpoint key (name, username...), filled as they are
 * built, parents before children, so that a child's references resolve when it is built.
 */
export class EntityIndex {
  private readonly byId = new Map<string, Map<string, RawEntity>>();
  private readonly byKey = new Map<string, Map<string, RawEntity>>();

  add(entity: RawEntity, id: string): void {
    const collection = entity.def.name;
    const ids = this.table(this.byId, collection);
    if (!ids.has(id)) ids.set(id, entity);
    const keyField = entity.def.endpointKey;
    const key = keyField === undefined ? undefined : entity.input[keyField];
    if (typeof key !== 'string') return;
    const keys = this.table(this.byKey, collection);
    // Duplicates are reported by the uniqueness check; references go to the first one.
    if (!keys.has(key)) keys.set(key, entity);
  }

  hasId(collection: string, id: string): boolean {
    return this.byId.get(collection)?.has(id) ?? false;
  }

  /**
   * Resolves a reference as Kong's declarative format writes it: `my-svc`, a UUID,
   * `{ id: ... }`, `{ name: ... }` or `{ <endpoint key>: ... }` (`{ username: Jason }`).
   */
  resolve(field: string, target: EntityDefinition, ref: unknown): Resolution {
    const parsed = this.parse(target, ref);
    if (!parsed) {
      const key = target.endpointKey;
      return { error: `expected ${key ? `a ${key}, an id, {id: ...} or {${key}: ...}` : 'an id or {id: ...}'}` };
    }
    const found = parsed.by === 'id' ? this.byId.get(target.name)?.get(parsed.value.toLowerCase()) : this.byKey.get(target.name)?.get(parsed.value);
    if (found?.id) return { id: found.id };
    const shown = parsed.by === 'id' ? `{id: ${parsed.value}}` : parsed.value;
    return { error: `invalid reference '${field}: ${shown}' (no such entry in '${target.name}')` };
  }

  private parse(target: EntityDefinition, ref: unknown): { by: 'id' | 'key'; value: string } | null {
    const keyField = target.endpointKey;
    if (typeof ref === 'string') {
      // A UUID-shaped name is still a name when some entity is called that.
      const byId = keyField === undefined || (isUuid(ref) && !this.byKey.get(target.name)?.has(ref));
      return { by: byId ? 'id' : 'key', value: ref };
    }
    if (!isPlainObject(ref) || Object.keys(ref).length !== 1) return null;
    const [k] = Object.keys(ref) as [string];
    const value = ref[k];
    if (typeof value !== 'string') return null;
    if (k === 'id') return { by: 'id', value };
    return keyField !== undefined && (k === keyField || k === 'name') ? { by: 'key', value } : null;
  }

  private table(tables: Map<string, Map<string, RawEntity>>, collection: string): Map<string, RawEntity> {
    let table = tables.get(collection);
    if (!table) tables.set(collection, (table = new Map()));
    return table;
  }
}
