import type { JwtSecret } from '@tollgate/config';
import type { ConsumerDirectory } from '../plugin-handler';
import type { DecodedJwt } from './jwt-token';

/** Tokens remembered per process; past this the memory is dropped and refilled. */
const REMEMBERED = 10_000;

interface Verified {
  readonly secret: JwtSecret;
  readonly jwt: DecodedJwt;
  readonly base64: boolean;
}

/**
 * Tokens whose signature was verified, with the secret object that verified them: a client sends
 * the same token until it expires, so its next requests skip decoding and the HMAC or RSA check.
 * A hit counts only while the config still holds that very secret object under the token's key,
 * so a changed or deleted secret (a new config) verifies afresh; claims (exp, nbf) are checked on
 * every request, as they depend on the time.
 */
const verified = new Map<string, Verified>();

export function rememberedToken(token: string, directory: ConsumerDirectory, keyClaim: string, base64: boolean): DecodedJwt | null {
  const hit = verified.get(token);
  if (hit === undefined || hit.base64 !== base64) return null;
  const key = hit.jwt.claims[keyClaim] ?? hit.jwt.header[keyClaim];
  return typeof key === 'string' && directory.jwtSecret(key) === hit.secret ? hit.jwt : null;
}

export function rememberToken(token: string, secret: JwtSecret, jwt: DecodedJwt, base64: boolean): void {
  if (verified.size >= REMEMBERED) verified.clear();
  verified.set(token, { secret, jwt, base64 });
}
