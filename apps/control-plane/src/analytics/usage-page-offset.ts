import { isUuid } from '@tollgate/config';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import type { UsageQuery } from './usage-query';
import { sortColumns, type SortKey } from './usage-sql';

/** Offsets are opaque: base64url of the last row's sort key, so any page costs the same to find. */
export function encodeUsageOffset(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function fits(value: unknown, type: string): boolean {
  if (type === 'bigint') return Number.isSafeInteger(value);
  if (type === 'uuid') return isUuid(value);
  return typeof value === 'string' && value.length <= 256;
}

/** The sort key an offset holds, checked against this query's sort order (code 7 otherwise). */
export function decodeUsageOffset(offset: string, q: UsageQuery): SortKey {
  const columns = sortColumns(q);
  try {
    const key: unknown = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === columns.length && key.every((v, i) => fits(v, columns[i]!.type))) return key as SortKey;
  } catch {
    // fall through
  }
  throw new AdminError(AdminErrorCode.INVALID_OFFSET, `'${offset}' is not a valid offset for this query`);
}
