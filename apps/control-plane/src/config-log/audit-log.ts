import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentCaller, type Caller } from '../access/caller';
import { redactEntity } from './audit-redaction';

export interface AuditEntry {
  readonly action: 'create' | 'update' | 'delete';
  readonly entityType: string;
  readonly entityId: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

/** The organization a row belongs to: the entity's own, else (targets, SNIs) the provider's who wrote it. */
function organizationOf(entry: AuditEntry, caller: Caller): string | null {
  const own = ((entry.after ?? entry.before)?.organization as { id?: string } | null | undefined)?.id;
  return own ?? (caller.role === 'provider' ? caller.organizationId : null);
}

/** The name the audit log gives a caller: the token's name, or `local` / `bootstrap`. */
export function actorName(caller: Caller): string {
  return caller.kind === 'token' ? caller.name : caller.kind;
}

/** Who changed what, when, with the before and after (secrets redacted), in the write's own transaction. */
@Injectable()
export class AuditLog {
  async append(db: EntityManager, version: number, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const caller = currentCaller();
    await db.query(
      `INSERT INTO audit_log (actor, actor_id, request_id, organization_id, action, entity_type, entity_id, config_version, before, after)
       SELECT $1, $2, $3, t.organization_id, t.action, t.entity_type, t.entity_id, $4, t.before, t.after
       FROM jsonb_to_recordset($5::jsonb) AS t(action text, entity_type text, entity_id uuid, organization_id uuid, before jsonb, after jsonb)`,
      [
        actorName(caller),
        caller.tokenId,
        caller.requestId,
        version,
        JSON.stringify(
          entries.map((e) => ({
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            organization_id: organizationOf(e, caller),
            before: redactEntity(e.entityType, e.before),
            after: redactEntity(e.entityType, e.after),
          })),
        ),
      ],
    );
  }
}
