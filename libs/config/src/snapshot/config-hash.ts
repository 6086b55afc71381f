import { createHash } from 'node:crypto';
import type { ConfigEntities, EntityCollection } from './entity-types';
import { ENTITY_COLLECTIONS } from './entity-types';

/** JSON with object keys sorted at every depth: the same config always encodes the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

const MODULUS = 1n << 256n;

function entityDigest(collection: EntityCollection, entity: unknown): bigint {
  const hex = createHash('sha256').update(collection).update('\n').update(canonicalJson(entity)).digest('hex');
  return BigInt(`0x${hex}`);
}

/**
 * The config hash: the sum, modulo 2^256, of the sha256 of every entity's canonical encoding.
 * Independent of order, and incremental: a delta adds and removes single entities in O(change),
 * so a data plane checks its state after a delta without rehashing 15,000 routes.
 */
export class ConfigHash {
  private sum = 0n;

  add(collection: EntityCollection, entity: unknown): void {
    this.sum = (this.sum + entityDigest(collection, entity)) % MODULUS;
  }

  remove(collection: EntityCollection, entity: unknown): void {
    this.sum = (this.sum - entityDigest(collection, entity) + MODULUS) % MODULUS;
  }

  clone(): ConfigHash {
    const copy = new ConfigHash();
    copy.sum = this.sum;
    return copy;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }

  static of(entities: ConfigEntities): ConfigHash {
    const hash = new ConfigHash();
    for (const collection of ENTITY_COLLECTIONS) {
      for (const entity of entities[collection]) hash.add(collection, entity);
    }
    return hash;
  }
}
