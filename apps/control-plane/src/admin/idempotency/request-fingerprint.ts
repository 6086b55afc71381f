import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { tokenOf } from '../../access/admin-authentication';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whose keys these are: a digest of the admin token (however it was sent), so one caller never replays another's. */
export function keyScope(req: Request): string {
  return sha256(tokenOf(req) ?? '');
}

/**
 * What makes two requests "the same" for a key: method, path with query, and the parsed body
 * (key order and JSON spacing aside; a form body differs from JSON with the same strings).
 */
export function requestFingerprint(req: Request): string {
  const parsed = req.adminBody ?? { body: {}, fromForm: false };
  return sha256(JSON.stringify([req.method, req.originalUrl, parsed.fromForm, canonical(parsed.body)]));
}
