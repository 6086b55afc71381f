import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * The stored forms of a basic-auth password a data plane verifies:
 * - `scrypt$N$r$p$salt$hash`, as the control plane stores it (slow on purpose: verify off the
 *   event loop, in libuv's pool);
 * - `sha256$salt$hash`, as a data plane hashes the plain passwords of its declarative file at load
 *   (the file holds them in clear already, so a fast hash suffices; the config in memory, and any
 *   copy made of it, holds no plain password);
 * - 40 hex digits, Kong's own `sha1(password .. consumer_id)`, found in files Kong exported.
 */
const SCRYPT = 'scrypt$';
const SHA256 = 'sha256$';
const KONG_SHA1 = /^[0-9a-f]{40}$/;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!salt || !hash) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT_MAXMEM };
  return new Promise((resolve) => {
    scrypt(password, Buffer.from(salt, 'base64'), expected.length, cost, (error, actual) => resolve(error === null && safeEqual(expected, actual)));
  });
}

function sha256(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password).digest();
}

/** Whether `password` is the one `stored` was made from; a promise only for scrypt hashes. */
export function verifyPassword(password: string, stored: string, consumerId: string): boolean | Promise<boolean> {
  if (stored.startsWith(SCRYPT)) return verifyScrypt(password, stored);
  if (stored.startsWith(SHA256)) {
    const [, salt, hash] = stored.split('$');
    if (!salt || !hash) return false;
    return safeEqual(Buffer.from(hash, 'base64'), sha256(Buffer.from(salt, 'base64'), password));
  }
  if (KONG_SHA1.test(stored)) return safeEqual(Buffer.from(stored, 'hex'), createHash('sha1').update(password + consumerId).digest());
  return false;
}

/** How a data plane stores a declarative file's plain basic-auth password (see above). */
export function hashFilePassword(password: string): string {
  const salt = randomBytes(16);
  return `${SHA256}${salt.toString('base64')}$${sha256(salt, password).toString('base64')}`;
}
