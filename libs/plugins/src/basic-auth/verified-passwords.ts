import type { BasicauthCredential } from '@tollgate/config';
import { hash, randomBytes } from 'node:crypto';
import { verifyPassword } from './password-hash';

/** Per process: the digests below are worthless outside it. */
const DIGEST_SALT = randomBytes(16).toString('hex');
/** Wrong passwords remembered per credential, so a client retrying one does not cost a hash each time. */
const REMEMBERED_WRONG = 16;

interface Verdicts {
  /** Digest of the password last found right. */
  right: string | null;
  wrong: Set<string>;
  pending: Map<string, Promise<boolean>>;
}

/**
 * The outcome of verifying a password against a credential's stored hash, kept per credential
 * object (a new config's changed credential is a new object, so it is verified afresh). A stored
 * scrypt hash costs tens of milliseconds in libuv's pool; Kong's own sha1 cost nothing, so without
 * this every request would pay it. Only salted digests of passwords are kept, never passwords; a
 * digest compares with ===, as what its timing could leak is the digest, not the password. The
 * one-shot crypto.hash costs a few microseconds where an Hmac object costs about 10 (measured here).
 */
const verdicts = new WeakMap<BasicauthCredential, Verdicts>();

function digestOf(password: string): string {
  return hash('sha256', DIGEST_SALT + password, 'base64');
}

function settle(entry: Verdicts, key: string, right: boolean): boolean {
  entry.pending.delete(key);
  if (right) entry.right = key;
  else {
    if (entry.wrong.size >= REMEMBERED_WRONG) entry.wrong.clear();
    entry.wrong.add(key);
  }
  return right;
}

/** Whether `password` is the credential's; synchronous once this password was seen. */
export function passwordMatches(credential: BasicauthCredential, password: string): boolean | Promise<boolean> {
  let entry = verdicts.get(credential);
  if (entry === undefined) verdicts.set(credential, (entry = { right: null, wrong: new Set(), pending: new Map() }));
  const key = digestOf(password);
  if (entry.right === key) return true;
  if (entry.wrong.has(key)) return false;
  const running = entry.pending.get(key);
  if (running !== undefined) return running;
  const verified = verifyPassword(password, credential.password, credential.consumer.id);
  if (typeof verified === 'boolean') return settle(entry, key, verified);
  const settled = verified.then((right) => settle(entry, key, right));
  entry.pending.set(key, settled);
  return settled;
}
