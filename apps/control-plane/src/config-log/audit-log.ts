import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface AuditEntry {
  readonly action: 'create' | 'update' | 'delete';
  readonly entityType: string;
  readonly entityId: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

const SECRET_FIELDS = new Set(['key', 'key_alt', 'secret', 'password']);

function redact(entity: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!entity) return null;
  const copy = { ...entity };
  for (const field of SECRET_FIELDS) if (copy[field] != null) copy[field] = '<redacted>';
  return copy;
}

/** Who changed what, when, with the before and after, in the write's own transaction. */
@Injectable()
export class AuditLog {
  async append(db: EntityManager, actor: string, version: number, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await db.query(
      `INSERT INTO audit_log (actor, action, entity_type, entity_id, config_version, before, after)
       SELECT $1, t.action, t.entity_type, t.entity_id, $2, t.before, t.after
       FROM jsonb_to_recordset($3::jsonb) AS t(action text, entity_type text, entity_id uuid, before jsonb, after jsonb)`,
      [
        actor,
        version,
        JSON.stringify(
          entries.map((e) => ({ action: e.action, entity_type: e.entityType, entity_id: e.entityId, before: redact(e.before), after: redact(e.after) })),
        ),
      ],
    );
  }
}
