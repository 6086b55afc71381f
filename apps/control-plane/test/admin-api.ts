import request, { type Response } from 'supertest';
// The fixture starts this very app in-process, so the import closes a loop that only tests may close.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';

export { startTestControlPlane, type TestControlPlane, type Response };

/** Kong's error codes and HTTP statuses (kong/db/errors.lua, kong/api/endpoints.lua). */
export const KONG = {
  INVALID_PRIMARY_KEY: { status: 400, code: 1, name: 'invalid primary key' },
  SCHEMA_VIOLATION: { status: 400, code: 2, name: 'schema violation' },
  PRIMARY_KEY_VIOLATION: { status: 400, code: 3, name: 'primary key violation' },
  FOREIGN_KEY_VIOLATION: { status: 400, code: 4, name: 'foreign key violation' },
  UNIQUE_VIOLATION: { status: 409, code: 5, name: 'unique constraint violation' },
  NOT_FOUND: { status: 404, code: 6, name: 'not found' },
  INVALID_OFFSET: { status: 400, code: 7, name: 'invalid offset' },
  INVALID_SIZE: { status: 400, code: 9, name: 'invalid size' },
  OPERATION_UNSUPPORTED: { status: 405, code: 12, name: 'operation unsupported' },
  REFERENCED_BY_OTHERS: { status: 400, code: 19, name: 'referenced by others' },
} as const;

export type KongError = (typeof KONG)[keyof typeof KONG];

/** A supertest agent on the control plane's admin API. */
export function admin(cp: TestControlPlane) {
  return request(cp.adminUrl);
}

/** A form body the way `curl --data` sends one; an array repeats the key. */
export function form(fields: Record<string, string | number | boolean | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params.toString();
}

/** Asserts the status, showing the body when it is not the one expected. */
export function expectStatus(res: Response, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected status ${status}, got ${res.status}: ${res.text}`);
  }
}

/** Asserts Kong's error body `{code, name, message, fields}`; `fields` is matched when given. */
export function expectKongError(res: Response, error: KongError, fields?: Record<string, unknown>, message?: string | RegExp): void {
  expectStatus(res, error.status);
  expect(res.body).toEqual({
    code: error.code,
    name: error.name,
    message: message instanceof RegExp ? expect.stringMatching(message) : (message ?? expect.any(String)),
    fields: fields ?? expect.any(Object),
  });
}

export async function configVersion(cp: TestControlPlane): Promise<number> {
  const [row] = await cp.schema.query<{ version: string }>('SELECT version FROM config_state');
  return Number(row!.version);
}

export interface ChangeRow {
  entity_type: string;
  entity_id: string;
  op: 'upsert' | 'delete';
}

/** The change log rows of one config version, sorted for stable comparison. */
export async function changesAt(cp: TestControlPlane, version: number): Promise<ChangeRow[]> {
  return cp.schema.query<ChangeRow>(
    'SELECT entity_type, entity_id::text, op FROM config_changes WHERE version = $1 ORDER BY entity_type, entity_id',
    [version],
  );
}

export interface AuditRow {
  action: string;
  entity_type: string;
  entity_id: string;
  config_version: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export async function auditFor(cp: TestControlPlane, entityId: string): Promise<AuditRow[]> {
  return cp.schema.query<AuditRow>(
    'SELECT action, entity_type, entity_id::text, config_version::text, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id',
    [entityId],
  );
}

export async function countRows(cp: TestControlPlane, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = await cp.schema.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}" WHERE ${where}`, params);
  return Number(row!.n);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
