import { createHash, createPrivateKey, randomBytes, scrypt, timingSafeEqual, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// scrypt with N=2^15 takes tens of milliseconds: slow enough against guessing, fine for admin writes.
const COST = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const PREFIX = 'scrypt$';

export function generateKey(): string {
  return randomBytes(16).toString('hex');
}

export function isPasswordHash(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** `scrypt$N$r$p$salt$hash`: salted, slow, self-describing so the cost can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, COST);
  return `${PREFIX}${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(expected, actual);
}

export function certificateDigest(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}
