import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentCaller, type Caller } from '../access/caller';
import { findAdminEntity, homeOf } from '../entities/entity-registry';
import { redactEntity } from './audit-redaction';

export interface AuditEntry {
  readonly action: 'create' | 'update' | 'delete';
  readonly entityType: string;
  readonly entityId: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

type Organizations = ReadonlyMap<string, string | null>;

function ownOrganization(entry: AuditEntry): string | null | undefined {
  const entity = entry.after ?? entry.before;
  if (!entity || !('organization' in entity)) return undefined;
  return (entity.organization as { id?: string } | null)?.id ?? null;
}

/** The parent an entity belongs to when it has no organization of its own (a target's upstream). */
function parentOf(entry: AuditEntry): { table: string; id: string } | null {
  const def = findAdminEntity(entry.entityType);
  const tenancy = def ? homeOf(def).tenancy : null;
  if (tenancy?.kind !== 'inherited') return null;
  const ref = (entry.after ?? entry.before)?.[tenancy.field] as { id?: string } | null | undefined;
  return ref?.id ? { table: tenancy.parent, id: ref.id } : null;
}

/**
 * The organization each row belongs to: the entity's own; for a target or SNI its parent's,
 * from the same write (a cascade deletes the parent too) or else the database.
 */
async function organizationsOf(db: EntityManager, entries: readonly AuditEntry[]): Promise<Organizations> {
  const known = new Map<string, string | null>();
  for (const e of entries) {
    const own = ownOrganization(e);
    if (own !== undefined) known.set(e.entityId, own);
  }
  for (const e of entries) {
    const parent = parentOf(e);
    if (!parent) continue;
    if (!known.has(parent.id)) {
      const rows: { organization_id: string | null }[] = await db.query(`SELECT organization_id FROM "${parent.table}" WHERE id = $1`, [parent.id]);
      known.set(parent.id, rows[0]?.organization_id ?? null);
    }
    known.set(e.entityId, known.get(parent.id) ?? null);
  }
  return known;
}

function organizationOf(entry: AuditEntry, organizations: Organizations, caller: Caller): string | null {
  return organizations.get(entry.entityId) ?? (caller.role === 'provider' ? caller.organizationId : null);
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
    const organizations = await organizationsOf(db, entries);
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
            organization_id: organizationOf(e, organizations, caller),
            before: redactEntity(e.entityType, e.before),
            after: redactEntity(e.entityType, e.after),
          })),
        ),
      ],
    );
  }
}
