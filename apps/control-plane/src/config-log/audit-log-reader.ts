import { Injectable } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import type { Page } from '../entities/pagination';
import { encodeAuditOffset, type AuditLogQuery } from './audit-log-query';

/** One audited write as `GET /audit-log` shows it. */
export interface AuditRecord {
  readonly id: number;
  readonly at: string;
  readonly actor: { readonly id: string | null; readonly name: string };
  readonly request_id: string | null;
  readonly entity: string;
  readonly entity_id: string;
  readonly operation: string;
  readonly config_version: number;
  readonly organization: { readonly id: string } | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_id: string | null;
  request_id: string | null;
  entity_type: string;
  entity_id: string;
  action: string;
  config_version: string;
  organization_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Reads the audit log newest first, a keyset page at a time (`id < last`), a provider its organization's rows only. */
@Injectable()
export class AuditLogReader {
  constructor(private readonly dataSource: DataSource) {}

  async page(q: AuditLogQuery, path: string, query: Record<string, unknown>): Promise<Page<AuditRecord>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const organization = providerOrganization();
    if (organization !== null) add((p) => `organization_id = ${p}::uuid`, organization);
    if (q.entity) add((p) => `entity_type = ${p}`, q.entity);
    if (q.entityId) add((p) => `entity_id = ${p}::uuid`, q.entityId);
    if (q.actor) add((p) => (isUuid(q.actor) ? `(actor_id = ${p}::uuid OR actor = ${p})` : `actor = ${p}`), q.actor);
    if (q.from) add((p) => `at >= ${p}`, q.from);
    if (q.to) add((p) => `at <= ${p}`, q.to);
    if (q.before) add((p) => `id < ${p}::bigint`, q.before);
    params.push(q.size + 1);
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const data = rows.slice(0, q.size).map(toRecord);
    if (rows.length <= q.size) return { data, next: null };
    const offset = encodeAuditOffset(String(data[data.length - 1]!.id));
    const next = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'offset'));
    next.set('offset', offset);
    return { data, offset, next: `${path}?${next.toString()}` };
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: { id: row.actor_id, name: row.actor },
    request_id: row.request_id,
    entity: row.entity_type,
    entity_id: row.entity_id,
    operation: row.action,
    config_version: Number(row.config_version),
    organization: row.organization_id === null ? null : { id: row.organization_id },
    before: row.before,
    after: row.after,
  };
}
