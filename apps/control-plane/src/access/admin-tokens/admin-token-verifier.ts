import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Caller } from '../caller';
import type { Role } from '../roles';
import { hashToken } from './token-secret';

/**
 * How long a replica trusts what it read about a token. A token revoked on another replica is
 * refused here within this long; the replica that revoked it forgets at once.
 */
export const TOKEN_CACHE_MS = 500;
const MAX_CACHED = 10_000;

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  organization_id: string | null;
  expires_at: number | null;
  token_hash: string;
}

interface Cached {
  readonly row: TokenRow | null;
  readonly until: number;
}

/**
 * Checks admin tokens: the secret is hashed and looked up by its hash, so neither a wrong
 * token's closeness to a real one nor its format changes the work done before it is refused.
 */
@Injectable()
export class AdminTokenVerifier {
  private readonly cache = new Map<string, Cached>();
  private anyUntil = 0;
  private any = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Whether any token exists: until one does, the loopback-only admin API stays open. */
  async anyTokenExists(): Promise<boolean> {
    const now = Date.now();
    if (now < this.anyUntil) return this.any;
    const rows: { any: boolean }[] = await this.dataSource.query('SELECT EXISTS (SELECT 1 FROM admin_tokens) AS any');
    this.any = rows[0]!.any;
    this.anyUntil = now + TOKEN_CACHE_MS;
    return this.any;
  }

  /** The caller a secret identifies, or null for an unknown, revoked or expired one. */
  async verify(secret: string, requestId: string | null): Promise<Caller | null> {
    const hash = hashToken(secret);
    const now = Date.now();
    let cached = this.cache.get(hash);
    if (cached === undefined || cached.until <= now) {
      cached = { row: await this.load(hash), until: now + TOKEN_CACHE_MS };
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(hash, cached);
    }
    const row = cached.row;
    if (row === null || (row.expires_at !== null && row.expires_at * 1000 <= now)) return null;
    return { kind: 'token', tokenId: row.id, name: row.name, role: row.role, organizationId: row.organization_id, requestId };
  }

  /** After a token is created or revoked here: nothing cached survives. */
  forget(): void {
    this.cache.clear();
    this.anyUntil = 0;
  }

  private async load(hash: string): Promise<TokenRow | null> {
    const rows: TokenRow[] = await this.dataSource.query(
      'SELECT id, name, role, organization_id, expires_at, token_hash FROM admin_tokens WHERE token_hash = $1',
      [hash],
    );
    const row = rows[0];
    // The index found it by equality; compare again in constant time before trusting it.
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    return row;
  }
}
