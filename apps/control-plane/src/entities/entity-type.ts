import type { FieldMap, FieldSchema, ForeignKey } from '@tollgate/config';

/** A field's JSON value as the admin API shows it, read from its schema. */
type ValueOf<S extends FieldSchema> = S['type'] extends 'string'
  ? S extends { readonly one_of: readonly (infer E)[] }
    ? E
    : string
  : S['type'] extends 'integer' | 'number'
    ? number
    : S['type'] extends 'boolean'
      ? boolean
      : S['type'] extends 'foreign'
        ? ForeignKey
        : S['type'] extends 'array' | 'set'
          ? readonly (S extends { readonly elements: infer E extends FieldSchema } ? ValueOf<E> : unknown)[]
          : Readonly<Record<string, unknown>>;

/** Required fields and fields with a default are never null. */
type NullOf<S extends FieldSchema> = S extends { readonly required: true } ? never : S extends { readonly default: unknown } ? never : null;

interface EntityBase {
  readonly id: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly tags: readonly string[] | null;
}

/**
 * The TypeScript type of an entity, derived from its field map (declared `as const`), so the
 * definition is the one description: write-only fields (hashed secrets) are not in it.
 */
export type EntityOf<F extends FieldMap> = EntityBase & {
  readonly [K in keyof F as F[K] extends { readonly write_only: true } ? never : K]: ValueOf<F[K]> | NullOf<F[K]>;
};
