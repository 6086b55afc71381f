import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'tgk_';
/** `tgk_` and 32 random bytes in base64url (43 characters, no padding). */
export const TOKEN_PATTERN = /^tgk_[A-Za-z0-9_-]{43}$/;

export function newTokenSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored: a SHA-256 of the secret (the secret has 256 random bits, so no salt or stretching is needed). */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
