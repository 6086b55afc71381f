import { Injectable } from '@nestjs/common';
import { isPlainObject, isUuid, type EntityDefinition, type FieldMap } from '@tollgate/config';
import { DataSource, type EntityManager } from 'typeorm';
import type { ParsedBody } from '../admin/admin-body-parser';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { AuditLog, type AuditEntry } from '../config-log/audit-log';
import { ConfigVersionLedger, type ConfigChange } from '../config-log/config-version-ledger';
import { PluginAvailability, type PluginPlacement } from '../config-sync/plugin-availability';
import { hasSniShorthand, SNIS_FIELD, takeSniNames } from './certificate-snis';
import { notFound, schemaViolation, translateDatabaseError } from './entity-errors';
import { EntityInput } from './entity-input';
import { ADMIN_ENTITIES, findAdminEntity, homeOf } from './entity-registry';
import { fromRow } from './entity-row';
import { EntityStore, type ParentScope, type Row, type RowLock } from './entity-store';
import { parsePageRequest, toPage, type Page } from './pagination';

/** A nested collection: the parent's definition and key, and the child's field pointing at it. */
export interface NestedScope {
  readonly parent: EntityDefinition;
  readonly parentKey: string;
  readonly field: string;
}

/** One write in progress: its transaction, and the changes and audit rows it accumulates. */
export interface Write {
  readonly db: EntityManager;
  readonly changes: ConfigChange[];
  readonly audit: AuditEntry[];
}

/** Postgres gave up on a transaction that may succeed when run again (serialization failure, deadlock). */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const UNIQUE_VIOLATION = '23505';
const WRITE_ATTEMPTS = 5;

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Deep-merges a PATCH into the stored entity: records (plugin config, healthchecks) merge, the rest replace. */
function mergePatch(stored: Record<string, unknown>, patch: Record<string, unknown>, fields?: FieldMap): Record<string, unknown> {
  const out = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    // A foreign key is replaced whole: a `{name}` merged into the stored `{id}` would name two entities.
    const merge = isPlainObject(value) && isPlainObject(stored[key]) && fields?.[key]?.type !== 'foreign';
    out[key] = merge ? mergePatch(stored[key] as Record<string, unknown>, value) : value;
  }
  return out;
}

/**
 * Kong's entity CRUD over Postgres. Every write is one transaction that also takes the next
 * config version and appends the change log and audit rows; a failure leaves nothing behind.
 */
@Injectable()
export class EntitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EntityStore,
    private readonly input: EntityInput,
    private readonly ledger: ConfigVersionLedger,
    private readonly auditLog: AuditLog,
    private readonly pluginAvailability: PluginAvailability,
  ) {}

  async list(def: EntityDefinition, query: Record<string, unknown>, path: string, nested?: NestedScope): Promise<Page<Row>> {
    const page = parsePageRequest(query);
    const db = this.dataSource.manager;
    const scope = nested ? await this.resolveScope(db, nested) : undefined;
    const rows = await this.store.findPage(db, def, page, scope);
    const result = toPage(rows, page, path, (row) => fromRow(def, row), (row) => [row.id as string]);
    result.data = await this.withSniNames(db, def, result.data);
    return result;
  }

  async get(def: EntityDefinition, key: string, nested?: NestedScope): Promise<Row> {
    const db = this.dataSource.manager;
    const scope = nested ? await this.resolveScope(db, nested) : undefined;
    const row = await this.findByKey(db, def, key, scope);
    if (!row) throw notFound(def, key);
    return (await this.withSniNames(db, def, [fromRow(def, row)]))[0]!;
  }

  /** `/routes/{r}/service`: the entity `field` of a child points at; 404 when it points nowhere. */
  async getReferenced(child: EntityDefinition, childKey: string, field: string, parent: EntityDefinition): Promise<Row> {
    const ref = (await this.get(child, childKey))[field] as { id: string } | null;
    if (!ref) throw new AdminError(AdminErrorCode.NOT_FOUND, 'Not found', { [field]: null });
    return this.get(parent, ref.id);
  }

  async create(def: EntityDefinition, parsed: ParsedBody, nested?: NestedScope): Promise<Row> {
    return this.write(def, async (w) => {
      const scope = nested ? await this.resolveScope(w.db, nested, 'FOR KEY SHARE') : undefined;
      const body = this.scoped(parsed.body, scope);
      const names = hasSniShorthand(def) ? takeSniNames(body, parsed.fromForm) : undefined;
      const row = await this.insert(w, def, body, parsed.fromForm);
      return this.finishSnis(w, def, row, names);
    });
  }

  /**
   * PUT: create or replace by id or endpoint key; fields left out take their defaults. Two PUTs
   * creating one name race to insert: the loser runs again, finds the winner's row and replaces it.
   */
  async upsert(def: EntityDefinition, key: string, parsed: ParsedBody, nested?: NestedScope): Promise<Row> {
    const write = async (w: Write) => {
      const scope = nested ? await this.resolveScope(w.db, nested, 'FOR KEY SHARE') : undefined;
      const body = this.scoped(parsed.body, scope);
      const names = hasSniShorthand(def) ? takeSniNames(body, parsed.fromForm) : undefined;
      const existing = await this.findByKey(w.db, def, key, scope, 'FOR NO KEY UPDATE');
      if (isUuid(key)) {
        if (body.id !== undefined && body.id !== key) throw schemaViolation({ id: 'must match the id in the path' });
        body.id = key;
      } else if (def.endpointKey) {
        if (body[def.endpointKey] !== undefined && body[def.endpointKey] !== key) {
          throw schemaViolation({ [def.endpointKey]: `must match the ${def.endpointKey} in the path` });
        }
        body[def.endpointKey] = key;
        if (existing) body.id = existing.id;
      }
      const row = existing ? await this.replace(w, def, existing, body, parsed.fromForm) : await this.insert(w, def, body, parsed.fromForm);
      return this.finishSnis(w, def, row, names);
    };
    return this.write(def, write, false, true);
  }

  /**
   * PATCH is read-modify-write under a row lock: a second PATCH of the same entity waits and
   * merges into the first one's result (no lost update); one racing a DELETE finds nothing (404).
   */
  async patch(def: EntityDefinition, key: string, parsed: ParsedBody, nested?: NestedScope): Promise<Row> {
    return this.write(def, async (w) => {
      const scope = nested ? await this.resolveScope(w.db, nested, 'FOR KEY SHARE') : undefined;
      const existing = await this.findByKey(w.db, def, key, scope, 'FOR NO KEY UPDATE');
      if (!existing) throw notFound(def, key);
      const patchBody = structuredClone(parsed.body);
      const names = hasSniShorthand(def) ? takeSniNames(patchBody, parsed.fromForm) : undefined;
      const stored = { ...fromRow(def, existing) };
      // Write-only secrets (hashed passwords) are kept unless the patch sets them.
      for (const [field, schema] of Object.entries(def.fields)) if (schema.write_only) stored[field] = existing[field];
      if (patchBody.id !== undefined && patchBody.id !== existing.id) throw schemaViolation({ id: 'cannot be changed' });
      const merged = mergePatch(stored, this.scoped(patchBody, scope), def.fields);
      return this.finishSnis(w, def, await this.replace(w, def, existing, merged, parsed.fromForm), names);
    });
  }

  /**
   * A certificate written with `snis`: its SNI entities become exactly those names (created,
   * or deleted when no longer listed) in the same write. Returns the certificate with its names.
   */
  private async finishSnis(w: Write, def: EntityDefinition, row: Row, names: string[] | undefined): Promise<Row> {
    if (!hasSniShorthand(def)) return row;
    if (names !== undefined) {
      const snis = findAdminEntity('snis')!;
      const current = await this.store.findReferencingRows(w.db, snis, 'certificate', row.id as string);
      for (const sni of current) if (!names.includes(sni.name as string)) await this.deleteRow(w, snis, sni);
      const kept = new Set(current.map((sni) => sni.name as string));
      for (const name of names) if (!kept.has(name)) await this.insert(w, snis, { name, certificate: { id: row.id } }, false);
    }
    return (await this.withSniNames(w.db, def, [row]))[0]!;
  }

  /** Certificates as Kong shows them: with `snis`, the names of their SNIs, sorted. */
  private async withSniNames(db: EntityManager, def: EntityDefinition, rows: Row[]): Promise<Row[]> {
    if (!hasSniShorthand(def) || rows.length === 0) return rows;
    const found: { certificate_id: string; name: string }[] = await db.query(
      `SELECT certificate_id, name FROM snis WHERE certificate_id = ANY($1::uuid[]) ORDER BY name`,
      [rows.map((r) => r.id)],
    );
    const byCertificate = new Map<string, string[]>();
    for (const { certificate_id: id, name } of found) {
      const list = byCertificate.get(id);
      if (list) list.push(name);
      else byCertificate.set(id, [name]);
    }
    return rows.map((row) => ({ ...row, [SNIS_FIELD]: byCertificate.get(row.id as string) ?? [] }));
  }

  /** DELETE: 204 whether or not it existed (Kong); children cascade, referenced services refuse. */
  async delete(def: EntityDefinition, key: string, nested?: NestedScope): Promise<void> {
    await this.write(def, async (w) => {
      const scope = nested ? await this.resolveScope(w.db, nested, 'FOR KEY SHARE') : undefined;
      const existing = await this.findByKey(w.db, def, key, scope, 'FOR UPDATE');
      if (existing) await this.deleteRow(w, def, existing);
      return null;
    }, true);
  }

  /**
   * Runs one admin write: a transaction, the next config version, the change log and audit. A
   * deadlock or serialization failure runs it again from the start (it left nothing behind), and
   * so does a unique violation when `retryDuplicates` (an upsert that lost a race to insert).
   */
  async write<T>(def: EntityDefinition, body: (w: Write) => Promise<T>, deleting = false, retryDuplicates = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((db) => this.runWrite(db, body));
      } catch (err) {
        const state = sqlState(err);
        // Once for a duplicate: the second run finds the row that won; a name another entity holds stays a 409.
        const duplicate = retryDuplicates && attempt === 1 && state === UNIQUE_VIOLATION;
        const retry = state !== undefined && (RETRYABLE_SQLSTATES.has(state) || duplicate);
        if (!retry || attempt >= WRITE_ATTEMPTS) throw translateDatabaseError(def, err, deleting);
      }
    }
  }

  private async runWrite<T>(db: EntityManager, body: (w: Write) => Promise<T>): Promise<T> {
    const w: Write = { db, changes: [], audit: [] };
    const result = await body(w);
    await this.pluginAvailability.check(db, pluginsWritten(w));
    if (w.changes.length > 0) {
      const version = await this.ledger.record(db, w.changes);
      await this.auditLog.append(db, version, w.audit);
    }
    return result;
  }

  async insert(w: Write, def: EntityDefinition, body: Record<string, unknown>, fromForm: boolean): Promise<Row> {
    const entity = await this.input.prepare(w.db, def, body, { fromForm });
    const now = nowSeconds();
    entity.id ??= crypto.randomUUID();
    entity.created_at = now;
    entity.updated_at = now;
    await homeOf(def).rules.beforeStore?.(w.db, entity, null);
    const row = await this.store.insert(w.db, def, entity);
    const after = fromRow(def, row);
    this.track(w, def, 'create', null, after);
    return after;
  }

  async replace(w: Write, def: EntityDefinition, existing: Row, body: Record<string, unknown>, fromForm: boolean): Promise<Row> {
    const entity = await this.input.prepare(w.db, def, body, { fromForm });
    entity.id = existing.id;
    entity.created_at = existing.created_at;
    entity.updated_at = nowSeconds();
    await homeOf(def).rules.beforeStore?.(w.db, entity, existing);
    const row = await this.store.update(w.db, def, entity);
    const after = fromRow(def, row);
    this.track(w, def, 'update', fromRow(def, existing), after);
    return after;
  }

  async deleteRow(w: Write, def: EntityDefinition, row: Row): Promise<void> {
    for (const child of ADMIN_ENTITIES) {
      for (const [field, schema] of Object.entries(child.fields)) {
        if (schema.type !== 'foreign' || schema.reference !== def.name) continue;
        if (schema.on_delete === 'cascade') {
          for (const childRow of await this.store.findReferencingRows(w.db, child, field, row.id as string)) {
            await this.deleteRow(w, child, childRow);
          }
        } else if (await this.store.existsReferencing(w.db, child, field, row.id as string)) {
          throw new AdminError(
            AdminErrorCode.REFERENCED_BY_OTHERS,
            `an existing '${child.name}' entity references this '${def.name}' entity`,
            { '@referenced_by': child.name },
          );
        }
      }
    }
    await this.store.delete(w.db, def, row.id as string);
    this.track(w, def, 'delete', fromRow(def, row), null);
  }

  async findByKey(db: EntityManager, def: EntityDefinition, key: string, scope?: ParentScope, lock?: RowLock): Promise<Row | null> {
    if (isUuid(key)) {
      const row = await this.store.findById(db, def, key, scope, lock);
      if (row) return row;
    } else if (!def.endpointKey) {
      // Kong checks the primary key before looking (GET, PATCH, PUT, DELETE and parents alike).
      throw new AdminError(AdminErrorCode.INVALID_PRIMARY_KEY, `'${key}' is not a valid UUID`, { id: 'expected a valid UUID' });
    }
    return this.store.findByEndpointKey(db, def, key, scope, lock);
  }

  private async resolveScope(db: EntityManager, nested: NestedScope, lock?: RowLock): Promise<ParentScope> {
    const parent = await this.findByKey(db, nested.parent, nested.parentKey, undefined, lock);
    if (!parent) throw notFound(nested.parent, nested.parentKey);
    return { field: nested.field, id: parent.id as string };
  }

  /** A copy of the body to work on: a write run again after a deadlock starts from the body as sent. */
  private scoped(body: Record<string, unknown>, scope?: ParentScope): Record<string, unknown> {
    const copy = structuredClone(body);
    return scope ? { ...copy, [scope.field]: { id: scope.id } } : copy;
  }

  private track(w: Write, def: EntityDefinition, action: AuditEntry['action'], before: Row | null, after: Row | null): void {
    const id = (after ?? before)!.id as string;
    const regions = new Set<string>([...((before?.regions as string[]) ?? []), ...((after?.regions as string[]) ?? [])]);
    // An entity leaving a region must still reach that region as a delete: log the union.
    const everywhere = (before && !(before.regions as string[] | undefined)?.length) || (after && !(after.regions as string[] | undefined)?.length);
    w.changes.push({ entityType: def.name, entityId: id, op: after ? 'upsert' : 'delete', regions: everywhere ? [] : [...regions] });
    w.audit.push({ action, entityType: def.name, entityId: id, before, after });
  }
}

function foreignId(value: unknown): string | null {
  return (value as { id?: string } | null)?.id ?? null;
}

/** The plugins a write leaves in place (created or changed), for the skew check. */
function pluginsWritten(w: Write): PluginPlacement[] {
  return w.audit
    .filter((entry) => entry.entityType === 'plugins' && entry.after !== null)
    .map(({ after }) => ({
      name: after!.name as string,
      enabled: after!.enabled !== false,
      regions: (after!.regions as string[] | undefined) ?? [],
      serviceId: foreignId(after!.service),
      routeId: foreignId(after!.route),
    }));
}

export function entityOrFail(name: string): EntityDefinition {
  const def = findAdminEntity(name);
  if (!def) throw new Error(`unknown entity ${name}`);
  return def;
}
