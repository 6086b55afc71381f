import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const KEY_LIFETIME_HOURS = 24;
const PURGE_INTERVAL_MS = 3_600_000;

/** What the first request with a key left: its fingerprint, and its answer once it has one. */
export interface StoredKey {
  readonly fingerprint: string;
  readonly method: string;
  readonly path: string;
  /** NULL while the first request is still running. */
  readonly status: number | null;
  readonly contentType: string | null;
  readonly response: string | null;
  readonly ageSeconds: number;
}

export interface KeyClaim {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly method: string;
  readonly path: string;
}

interface KeyRow {
  fingerprint: string;
  method: string;
  path: string;
  status: number | null;
  content_type: string | null;
  response: string | null;
  age_seconds: number;
}

/** The idempotency_keys table: one method per question, and the hourly purge of expired keys. */
@Injectable()
export class IdempotencyKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyKeys');
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.purgeExpired().catch((err: unknown) => this.logger.warn(`purging expired idempotency keys failed: ${String(err)}`));
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Takes the key for this request; false when another request holds it (or held it within 24 h). */
  async claim(claim: KeyClaim): Promise<boolean> {
    // An expired key is free again: its row goes first, so the insert below can take it.
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < now() - interval '${KEY_LIFETIME_HOURS} hours'`,
      [claim.scope, claim.key],
    );
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, method, path) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
      [claim.scope, claim.key, claim.fingerprint, claim.method, claim.path],
    );
    return rows.length === 1;
  }

  async find(scope: string, key: string): Promise<StoredKey | null> {
    const rows: KeyRow[] = await this.dataSource.query(
      `SELECT fingerprint, method, path, status, content_type, response,
              extract(epoch FROM now() - created_at)::float8 AS age_seconds
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      fingerprint: row.fingerprint,
      method: row.method,
      path: row.path,
      status: row.status,
      contentType: row.content_type,
      response: row.response,
      ageSeconds: Number(row.age_seconds),
    };
  }

  async complete(scope: string, key: string, status: number, contentType: string | null, response: string): Promise<void> {
    await this.dataSource.query('UPDATE idempotency_keys SET status = $3, content_type = $4, response = $5 WHERE scope = $1 AND key = $2', [
      scope,
      key,
      status,
      contentType,
      response,
    ]);
  }

  /** Frees a key whose request made nothing (it was refused or failed), so a retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL', [scope, key]);
  }

  async purgeExpired(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - interval '${KEY_LIFETIME_HOURS} hours' RETURNING 1) SELECT 1 FROM gone`,
    );
    return rows.length;
  }
}
