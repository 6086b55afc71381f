import { describeErrors, type EntityDefinition, type FieldErrors } from '@tollgate/config';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { columnsOf, type ColumnMapping } from './entity-row';

export function schemaViolation(errors: FieldErrors): AdminError {
  return new AdminError(AdminErrorCode.SCHEMA_VIOLATION, describeErrors(errors), errors);
}

export function notFound(def: EntityDefinition, key: string): AdminError {
  return new AdminError(AdminErrorCode.NOT_FOUND, `could not find the '${def.name}' entity with key '${key}'`, {
    [def.endpointKey && !/^[0-9a-f-]{36}$/i.test(key) ? def.endpointKey : 'id']: key,
  });
}

function columnMapping(def: EntityDefinition, column: string): ColumnMapping | undefined {
  return columnsOf(def).find((c) => c.column === column);
}

/**
 * Postgres constraint errors raised inside an admin write, as Kong's errors. The transaction
 * has already rolled back, so nothing was written.
 */
export function translateDatabaseError(def: EntityDefinition, err: unknown, deleting = false): unknown {
  const pgError = err as { code?: string; detail?: string; table?: string };
  if (pgError.code === '23505') {
    const match = /^Key \((.+)\)=\((.*)\) already exists\.$/s.exec(pgError.detail ?? '');
    const fields: Record<string, unknown> = {};
    if (match) {
      const columns = match[1]!.split(', ');
      const values = columns.length === 1 ? [match[2]!] : match[2]!.split(', ');
      columns.forEach((column, i) => {
        const name = column.replace(/"/g, '');
        const mapping = columnMapping(def, name);
        // A NULLS NOT DISTINCT constraint (one plugin per scope) prints an absent foreign key as `null`.
        const absent = values[i] === undefined || values[i] === '' || (mapping?.foreign && values[i] === 'null');
        const value = absent ? null : values[i];
        fields[mapping?.field ?? name] = mapping?.foreign && value !== null ? { id: value } : value;
      });
    }
    if (Object.keys(fields).length === 1 && fields.id !== undefined) {
      return new AdminError(AdminErrorCode.PRIMARY_KEY_VIOLATION, `primary key violation on key '{id=${JSON.stringify(fields.id)}}'`, fields);
    }
    const described = Object.entries(fields)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    return new AdminError(AdminErrorCode.UNIQUE_VIOLATION, `UNIQUE violation detected on '{${described}}'`, fields);
  }
  if (pgError.code === '23503') {
    if (deleting) {
      return new AdminError(
        AdminErrorCode.REFERENCED_BY_OTHERS,
        `an existing '${pgError.table ?? 'entity'}' entity references this '${def.name}' entity`,
      );
    }
    return new AdminError(AdminErrorCode.FOREIGN_KEY_VIOLATION, `a foreign key of this '${def.name}' entity does not reference an existing entity`);
  }
  return err;
}
