import type { Role } from './roles';

/** Groups of admin routes sharing one access rule. */
export type AccessFamily =
  | 'provider-entities'
  | 'operator-entities'
  | 'organizations'
  | 'admin-tokens'
  | 'whoami'
  | 'audit-log'
  | 'analytics'
  | 'declarative-config'
  | 'clustering'
  | 'proxy-cache'
  | 'info'
  | 'schema-validation'
  | 'tags'
  | 'legacy-apis'
  | 'metrics'
  | 'billing';

export interface FamilyRule {
  /** Roles that may GET. */
  readonly read: readonly Role[];
  /** Roles that may POST, PUT, PATCH or DELETE. */
  readonly write: readonly Role[];
}

const ALL: readonly Role[] = ['admin', 'operator', 'provider', 'billing-reader', 'read-only'];
const STAFF_READ: readonly Role[] = ['admin', 'operator', 'read-only'];
const STAFF_WRITE: readonly Role[] = ['admin', 'operator'];

/**
 * Who may do what, per family. A provider's reads and writes are further confined to its
 * organization by the tenant filters (another organization's entity is a 404). Exhaustive: a
 * new family without a rule does not compile.
 */
export const FAMILY_RULES: Readonly<Record<AccessFamily, FamilyRule>> = {
  'provider-entities': { read: ['admin', 'operator', 'provider', 'read-only'], write: ['admin', 'operator', 'provider'] },
  'operator-entities': { read: STAFF_READ, write: STAFF_WRITE },
  organizations: { read: ['admin', 'operator', 'provider', 'read-only'], write: STAFF_WRITE },
  'admin-tokens': { read: ['admin', 'read-only'], write: ['admin'] },
  whoami: { read: ALL, write: [] },
  'audit-log': { read: ['admin', 'operator', 'provider', 'read-only'], write: [] },
  analytics: { read: ALL, write: [] },
  'declarative-config': { read: STAFF_READ, write: STAFF_WRITE },
  clustering: { read: STAFF_READ, write: STAFF_WRITE },
  // Purging reaches every data plane's cache, whoever's entries they are: operators only.
  'proxy-cache': { read: STAFF_READ, write: STAFF_WRITE },
  info: { read: ALL, write: [] },
  // POST /schemas/.../validate changes nothing: whoever may write entities may ask.
  'schema-validation': { read: ALL, write: ['admin', 'operator', 'provider'] },
  tags: { read: STAFF_READ, write: [] },
  'legacy-apis': { read: STAFF_READ, write: STAFF_WRITE },
  metrics: { read: STAFF_READ, write: [] },
  // Invoices, revenue and a subscription's usage; a provider only its own. Paying or voiding is
  // bookkeeping, not reading: billing-reader may not.
  billing: { read: ALL, write: ['admin', 'operator', 'provider'] },
};
