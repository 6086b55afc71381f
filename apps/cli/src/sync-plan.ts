import { findEntity, foreignFields } from '@tollgate/config';
import type { Entity, EntityChange } from './entity-diff';

export interface AdminRequest {
  readonly method: 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  readonly change: EntityChange;
}

/** Set by the control plane on every write; a PUT carrying them would only be ignored. */
const SERVER_FIELDS = ['created_at', 'updated_at'];

/**
 * `/services/{id}` for an entity with a top-level collection; `/upstreams/{u}/targets/{id}` for
 * one that exists only under its parent (targets).
 */
export function entityPath(collection: string, entity: Entity): string {
  const def = findEntity(collection);
  if (!def) throw new Error(`unknown entity collection '${collection}'`);
  const id = encodeURIComponent(entity.id as string);
  if (def.topLevel) return `/${def.adminPath}/${id}`;
  const [field, schema] = foreignFields(def)[0]!;
  const parent = findEntity(schema.reference!)!;
  const parentId = (entity[field] as { id: string }).id;
  return `/${parent.adminPath}/${encodeURIComponent(parentId)}/${def.nestedPath}/${id}`;
}

function requestBody(entity: Entity): Record<string, unknown> {
  const body: Record<string, unknown> = { ...entity };
  for (const field of SERVER_FIELDS) delete body[field];
  return body;
}

/** The admin requests that apply a diff, in the diff's order: PUT by id for creates and updates, DELETE by id. */
export function planRequests(changes: readonly EntityChange[]): AdminRequest[] {
  return changes.map((change) =>
    change.action === 'delete'
      ? { method: 'DELETE', path: entityPath(change.collection, change.current!), change }
      : { method: 'PUT', path: entityPath(change.collection, change.desired!), body: requestBody(change.desired!), change },
  );
}
