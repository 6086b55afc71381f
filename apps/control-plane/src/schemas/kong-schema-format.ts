import type { EntityCheck, FieldMap, FieldSchema } from '@tollgate/config';

type KongField = Record<string, unknown>;

/** Kong's `/schemas` shape: fields as an ordered array of single-key objects. */
export function formatField(schema: FieldSchema): KongField {
  const out: KongField = { type: schema.type };
  for (const key of ['required', 'default', 'one_of', 'between', 'gt', 'len_min', 'len_max', 'unique', 'auto', 'reference', 'on_delete', 'description'] as const) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  if (schema.check) out.check = schema.check;
  if (schema.elements) out.elements = formatField(schema.elements);
  if (schema.keys) out.keys = formatField(schema.keys);
  if (schema.values) out.values = formatField(schema.values);
  if (schema.fields) out.fields = formatFields(schema.fields);
  if (schema.entity_checks) out.entity_checks = schema.entity_checks;
  return out;
}

export function formatFields(fields: FieldMap): KongField[] {
  return Object.entries(fields).map(([name, schema]) => ({ [name]: formatField(schema) }));
}

export function formatSchema(fields: FieldMap, entityChecks: readonly EntityCheck[]) {
  return { fields: formatFields(fields), entity_checks: entityChecks };
}
