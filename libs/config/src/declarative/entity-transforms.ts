import { createHash, X509Certificate } from 'node:crypto';
import { parseServiceUrl } from '../entities/service-url';
import type { FieldErrors } from '../schema/field';
import { splitHostPort } from '../schema/string-checks';
import type { FormatVersion } from './document-reader';

export interface TransformContext {
  readonly formatVersion: FormatVersion;
  readonly transform: boolean;
  readonly hashPassword?: (plain: string) => string;
}

const URL_PARTS = ['protocol', 'host', 'port', 'path'];
// Kong 3.0's migration of older files: a path with characters beyond these was a regex.
const PLAIN_PATH = /^[A-Za-z0-9.\-_~/%]*$/;
const HMAC = /^HS/;

/** Kong's shorthands, expanded on the raw input before it is validated. */
export function expandShorthands(collection: string, input: Record<string, unknown>, ctx: TransformContext): FieldErrors {
  const errors: FieldErrors = {};
  if (collection === 'services' && input.url !== undefined) {
    const conflicting = URL_PARTS.filter((f) => input[f] !== undefined);
    const parsed = parseServiceUrl(input.url);
    if (conflicting.length > 0) errors.url = `cannot be combined with ${conflicting.join(', ')}`;
    else if ('error' in parsed) errors.url = parsed.error;
    else Object.assign(input, parsed.fields);
    delete input.url;
  }
  if (collection === 'targets' && typeof input.target === 'string') {
    const parts = splitHostPort(input.target);
    if (parts && parts.port === undefined) input.target = `${parts.host}:8000`;
  }
  if (collection === 'routes' && ctx.formatVersion !== '3.0' && Array.isArray(input.paths)) {
    input.paths = input.paths.map((p: unknown) => (typeof p === 'string' && !p.startsWith('~') && !PLAIN_PATH.test(p) ? `~${p}` : p));
  }
  return errors;
}

/** Fields computed or transformed once the entity is valid: digests, hashed passwords, secrets. */
export function completeEntity(collection: string, value: Record<string, unknown>, ctx: TransformContext): FieldErrors {
  const errors: FieldErrors = {};
  switch (collection) {
    case 'ca_certificates': {
      const digest = createHash('sha256').update(new X509Certificate(value.cert as string).raw).digest('hex');
      if (value.cert_digest !== null && value.cert_digest !== digest) errors.cert_digest = 'does not match the certificate';
      value.cert_digest = digest;
      break;
    }
    case 'basicauth_credentials':
      if (ctx.transform && ctx.hashPassword) value.password = ctx.hashPassword(value.password as string);
      break;
    case 'keyauth_credentials':
      // The admin API generates a missing key; here a generated key would change on every load
      // and no client could know it.
      if (value.key === null) errors.key = 'required field missing (a declarative file must state the key)';
      break;
    case 'hmacauth_credentials':
      if (value.secret === null) errors.secret = 'required field missing (a declarative file must state the secret)';
      break;
    case 'jwt_secrets':
      if (value.key === null) errors.key = 'required field missing (a declarative file must state the key)';
      if (value.secret === null) {
        if (HMAC.test(value.algorithm as string)) errors.secret = `required field missing (${value.algorithm} signs with the secret)`;
        // Unused by asymmetric algorithms; derived so that reloads yield the same entity.
        else value.secret = createHash('sha256').update(`${value.id}\n${value.rsa_public_key}`).digest('hex');
      }
      break;
  }
  return errors;
}
