import type { CaCertificate, Certificate } from '@tollgate/config';
import { createHash } from 'node:crypto';

/** Per entity object: an entity that did not change keeps its object from one config to the next. */
const digests = new WeakMap<Certificate | CaCertificate, string>();

/**
 * A digest of a certificate entity's PEMs (certificate, key and the alternates), for caches of
 * what was built from them: keyed by id alone, or by id and updated_at (a declarative file keeps
 * both), a certificate changed in place would keep being served from the old build.
 */
export function pemDigest(entity: Certificate | CaCertificate): string {
  let digest = digests.get(entity);
  if (digest === undefined) {
    const hash = createHash('sha256').update(entity.cert);
    if ('key' in entity) hash.update('\0').update(entity.key).update('\0').update(entity.cert_alt ?? '').update('\0').update(entity.key_alt ?? '');
    digest = hash.digest('base64url');
    digests.set(entity, digest);
  }
  return digest;
}
