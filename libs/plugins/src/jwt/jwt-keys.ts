import type { JwtSecret } from '@tollgate/config';
import type { KeyObject } from 'node:crypto';
import { isHmacAlgorithm, publicKeyOf } from './jwt-token';

/**
 * Each secret's verification key, made on first use and kept with the secret object (a changed
 * secret in a new config is a new object): a PEM is parsed once, not per request.
 */
const plainKeys = new WeakMap<JwtSecret, Buffer | KeyObject | null>();
const base64Keys = new WeakMap<JwtSecret, Buffer>();

/** The HMAC secret (base64-decoded when the plugin says so) or the parsed public key; null when unusable. */
export function verificationKey(secret: JwtSecret, secretIsBase64: boolean): Buffer | KeyObject | null {
  const hmac = isHmacAlgorithm(secret.algorithm);
  if (hmac && secretIsBase64) {
    let key = base64Keys.get(secret);
    if (key === undefined) base64Keys.set(secret, (key = Buffer.from(secret.secret, 'base64')));
    return key;
  }
  let key = plainKeys.get(secret);
  if (key === undefined) {
    key = hmac ? Buffer.from(secret.secret) : secret.rsa_public_key === null ? null : publicKeyOf(secret.rsa_public_key);
    plainKeys.set(secret, key);
  }
  return key;
}
