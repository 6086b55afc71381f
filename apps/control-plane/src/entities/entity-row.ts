import type { EntityDefinition, FieldSchema } from '@tollgate/config';

/** How one entity field lives in its table: a column name, and whether it is stored as jsonb. */
export interface ColumnMapping {
  readonly field: string;
  readonly column: string;
  readonly json: boolean;
  readonly foreign: boolean;
}

function isJson(schema: FieldSchema): boolean {
  if (schema.type === 'map' || schema.type === 'record' || schema.type === 'json') return true;
  if (schema.type === 'array' || schema.type === 'set') return schema.elements?.type !== 'string';
  return false;
}

const cache = new WeakMap<EntityDefinition, readonly ColumnMapping[]>();

export function columnsOf(def: EntityDefinition): readonly ColumnMapping[] {
  let columns = cache.get(def);
  if (!columns) {
    columns = Object.entries(def.fields).map(([field, schema]) => ({
      field,
      column: schema.type === 'foreign' ? `${field}_id` : field,
      json: isJson(schema),
      foreign: schema.type === 'foreign',
    }));
    cache.set(def, columns);
  }
  return columns;
}

export function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** Entity (foreign keys already resolved to `{id}`) to column values, in `columnsOf` order. */
export function toRowValues(def: EntityDefinition, entity: Record<string, unknown>): unknown[] {
  return columnsOf(def).map(({ field, json, foreign }) => {
    const value = entity[field];
    if (value === undefined || value === null) return null;
    if (foreign) return (value as { id: string }).id;
    return json ? JSON.stringify(value) : value;
  });
}

/**
 * A row as the admin API shows it: foreign keys as `{id}`, write-only fields (password hashes)
 * left out unless the row is bound for a data plane, which needs them to verify.
 */
export function fromRow(def: EntityDefinition, row: Record<string, unknown>, includeWriteOnly = false): Record<string, unknown> {
  const entity: Record<string, unknown> = {};
  for (const { field, column, foreign } of columnsOf(def)) {
    if (def.fields[field]!.write_only && !includeWriteOnly) continue;
    const value = row[column];
    entity[field] = foreign ? (value == null ? null : { id: value }) : (value ?? null);
  }
  return entity;
}
