import { createHash } from 'node:crypto';

// Fixed namespace of Tollgate's declarative ids: changing it changes every generated id.
const NAMESPACE = Buffer.from('1d73ddbf4acf48f69c091f58719d7f24', 'hex');

/**
 * A UUID v5 (sha1 of a namespace and a name) from an entity's collection and natural key, so
 * that loading the same file twice yields the same ids, as Kong's DB-less mode does.
 */
export function declarativeId(collection: string, naturalKey: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(`${collection}\n${naturalKey}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
