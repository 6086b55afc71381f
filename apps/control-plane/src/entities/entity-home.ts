import type { EntityDefinition, FieldErrors } from '@tollgate/config';
import type { EntityManager } from 'typeorm';
import type { AccessFamily } from '../access/access-families';

/**
 * Who among marketplace providers may see an entity (operators and admins see everything):
 * - `owned`: it has an `organization` column; a provider sees its organization's rows;
 * - `inherited`: it belongs to a parent (a target to its upstream) and is seen with the parent;
 * - `self`: the organizations table itself, where a provider sees its own row;
 * - `global`: no provider sees any (consumers, CA certificates, admin tokens).
 */
export type Tenancy =
  | { readonly kind: 'owned' }
  | { readonly kind: 'inherited'; readonly field: string; readonly parent: string }
  | { readonly kind: 'self' }
  | { readonly kind: 'global' };

export interface RuleContext {
  /** The body came from a form or multipart: strings are coerced by the schema. */
  readonly fromForm: boolean;
}

/** An entity's own rules, run by the generic entity code at fixed points of a write. */
export interface EntityRules {
  /** Kong's input shorthands (a service's `url`), applied to the raw body before validation. */
  readonly expand?: (input: Record<string, unknown>) => void;
  /** Checks beyond the schema, after validation; adds to `errors`. */
  readonly check?: (value: Record<string, unknown>, ctx: RuleContext, errors: FieldErrors) => void;
  /** Fills generated fields (keys, digests, hashed secrets) once the value is valid. */
  readonly generate?: (value: Record<string, unknown>) => void | Promise<void>;
  /**
   * Last step before the row is stored, inside the write's transaction, with the stored row when
   * it replaces one: fields derived from other rows (a subscription's period from its plan), or
   * rows kept beside it (a plan's term versions).
   */
  readonly beforeStore?: (db: EntityManager, value: Record<string, unknown>, existing: Record<string, unknown> | null) => Promise<void>;
  /**
   * Foreign fields resolved whoever the caller is: a provider subscribes a consumer (the
   * operator's) to its own plan by naming the consumer it cannot otherwise see.
   */
  readonly referencesAnyTenant?: readonly string[];
  /** Foreign fields whose target's organization this entity takes (a route its service's). */
  readonly inheritsOrganizationFrom?: readonly string[];
  /** A provider's must be attached to one of `inheritsOrganizationFrom` (no global plugins). */
  readonly providerMustAttach?: boolean;
  /** Accepts Kong's `snis` shorthand (certificates). */
  readonly sniShorthand?: boolean;
}

/**
 * Everything the control plane knows about one entity, in one place: its definition (fields,
 * checks, admin paths), its rules, and who may see it. Its table is checked against the
 * definition by entity-tables.spec.ts.
 */
export interface EntityHome {
  readonly definition: EntityDefinition;
  readonly rules: EntityRules;
  readonly tenancy: Tenancy;
  /** Its routes' access rule; by default from its tenancy (a provider's entities, or the operator's). */
  readonly accessFamily?: AccessFamily;
  /** Served by the generic Kong-shaped CRUD controllers; `custom` entities bring their own. */
  readonly crud: 'generic' | 'custom';
}

export function defineHome(home: Partial<Omit<EntityHome, 'definition'>> & Pick<EntityHome, 'definition'>): EntityHome {
  return Object.freeze({ rules: {}, tenancy: { kind: 'global' } as Tenancy, crud: 'generic' as const, ...home });
}
