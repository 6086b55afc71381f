import { isUuid } from '@tollgate/config';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { schemaViolation } from '../entities/entity-errors';
import { findAdminEntity } from '../entities/entity-registry';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../entities/pagination';

/** `GET /audit-log`'s filters, checked. */
export interface AuditLogQuery {
  readonly entity?: string;
  readonly entityId?: string;
  /** A token id, or an actor name (a token's name, `local`, `bootstrap`). */
  readonly actor?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly size: number;
  /** Rows older than this id (newest first). */
  readonly before?: string;
}

const KNOWN = new Set(['entity', 'entity_id', 'actor', 'from', 'to', 'size', 'offset']);

/** ISO 8601, or Unix seconds like every timestamp the admin API shows. */
function parseTime(value: string, field: string): Date {
  const seconds = /^\d{1,11}$/.test(value);
  const date = seconds ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime()) || (!seconds && !/^\d{4}-\d{2}-\d{2}/.test(value))) throw schemaViolation({ [field]: 'expected an ISO 8601 time or Unix seconds' });
  return date;
}

export function encodeAuditOffset(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeAuditOffset(offset: string): string {
  const id = Buffer.from(offset, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,18}$/.test(id)) throw new AdminError(AdminErrorCode.INVALID_OFFSET, `'${offset}' is not a valid offset for this path`);
  return id;
}

export function parseAuditLogQuery(query: Record<string, unknown>): AuditLogQuery {
  const q: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!KNOWN.has(key)) throw schemaViolation({ [key]: 'unknown filter; expected one of entity, entity_id, actor, from, to, size, offset' });
    if (typeof value !== 'string') throw schemaViolation({ [key]: 'expected a single value' });
    q[key] = value;
  }
  if (q.entity !== undefined && !findAdminEntity(q.entity)) throw schemaViolation({ entity: `no entity named '${q.entity}'` });
  if (q.entity_id !== undefined && !isUuid(q.entity_id)) throw schemaViolation({ entity_id: 'expected a valid UUID' });
  if (q.actor !== undefined && (q.actor === '' || q.actor.length > 128)) throw schemaViolation({ actor: 'expected a token id or name' });
  const size = q.size === undefined ? DEFAULT_PAGE_SIZE : Number(q.size);
  if (!/^\d{1,4}$/.test(q.size ?? '1') || size < 1 || size > MAX_PAGE_SIZE) {
    throw new AdminError(AdminErrorCode.INVALID_SIZE, `size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  const from = q.from === undefined ? undefined : parseTime(q.from, 'from');
  const to = q.to === undefined ? undefined : parseTime(q.to, 'to');
  if (from && to && from > to) throw schemaViolation({ to: "must not be before 'from'" });
  return {
    entity: q.entity,
    entityId: q.entity_id?.toLowerCase(),
    actor: q.actor,
    from,
    to,
    size,
    before: q.offset === undefined ? undefined : decodeAuditOffset(q.offset),
  };
}
