import type { EntityDefinition } from '@tollgate/config';
import { homeOf } from './entity-registry';
import { schemaViolation } from './entity-errors';

/**
 * Kong's `snis` shorthand on certificates: `POST /certificates` (and PUT, PATCH) may list server
 * names, which become the certificate's SNI entities in the same write, and a certificate is
 * shown with the names of its SNIs. Not a column: it is taken out of the body before validation.
 */
export const SNIS_FIELD = 'snis';

export function hasSniShorthand(def: EntityDefinition): boolean {
  return homeOf(def).rules.sniShorthand === true;
}

/**
 * Removes `snis` from a certificate body and returns the names, or undefined when the body does
 * not set them (the certificate's SNIs are then left as they are).
 */
export function takeSniNames(body: Record<string, unknown>, fromForm: boolean): string[] | undefined {
  if (!(SNIS_FIELD in body)) return undefined;
  const value = body[SNIS_FIELD];
  delete body[SNIS_FIELD];
  if (value === null) return [];
  const names = fromForm && typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
    throw schemaViolation({ [SNIS_FIELD]: 'expected an array of strings' });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw schemaViolation({ [SNIS_FIELD]: `'${name}' is listed twice` });
    seen.add(name);
  }
  return names;
}
