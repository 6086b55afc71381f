import { isUuid } from '@tollgate/config';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { invalidParameter } from '../analytics/usage-query';

export const INVOICE_STATUSES = ['issued', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** `GET /invoices`: filters, a keyset page (newest first) and the response format. */
export interface InvoiceQuery {
  readonly organization?: string;
  readonly consumer?: string;
  readonly subscription?: string;
  readonly status?: InvoiceStatus;
  /** Unix seconds: invoices whose period starts in [period_from, period_to). */
  readonly periodFrom?: number;
  readonly periodTo?: number;
  readonly size: number;
  /** The last row of the previous page: [issued_at, id]. */
  readonly after?: readonly [number, string];
  readonly format: 'json' | 'csv';
}

const KNOWN = new Set(['organization', 'consumer', 'subscription', 'status', 'period_from', 'period_to', 'size', 'offset', 'format']);

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'expected a single value');
  return value;
}

function uuid(query: Record<string, unknown>, name: string): string | undefined {
  const value = single(query, name);
  if (value !== undefined && !isUuid(value)) throw invalidParameter(name, 'expected a UUID');
  return value;
}

/** ISO 8601 with a zone, or epoch seconds; returned as Unix seconds. */
export function instantParameter(query: Record<string, unknown>, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const ms = /^\d{1,11}$/.test(value) ? Number(value) * 1000 : /^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalidParameter(name, 'expected an ISO 8601 time with a zone (2026-11-27T10:00:00Z) or epoch seconds');
  return Math.floor(ms / 1000);
}

export function oneOfParameter<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = single(query, name);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) throw invalidParameter(name, `expected one of: ${allowed.join(', ')}`);
  return value as T | undefined;
}

export function encodeInvoiceOffset(issuedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([issuedAt, id])).toString('base64url');
}

function decodeOffset(offset: string): readonly [number, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && Number.isSafeInteger(key[0]) && isUuid(key[1])) return [key[0] as number, key[1] as string];
  } catch {
    // fall through
  }
  throw new AdminError(AdminErrorCode.INVALID_OFFSET, `'${offset}' is not a valid offset`);
}

export function parseInvoiceQuery(query: Record<string, unknown>): InvoiceQuery {
  for (const name of Object.keys(query)) if (!KNOWN.has(name)) throw invalidParameter(name, 'unknown parameter');
  const sizeText = single(query, 'size');
  const size = sizeText === undefined ? 100 : /^\d{1,4}$/.test(sizeText) ? Number(sizeText) : NaN;
  if (!(size >= 1 && size <= 1000)) throw invalidParameter('size', 'expected an integer from 1 to 1000');
  const offset = single(query, 'offset');
  const periodFrom = instantParameter(query, 'period_from');
  const periodTo = instantParameter(query, 'period_to');
  if (periodFrom !== undefined && periodTo !== undefined && periodTo <= periodFrom) throw invalidParameter('period_to', "must be later than 'period_from'");
  return {
    organization: uuid(query, 'organization'),
    consumer: uuid(query, 'consumer'),
    subscription: uuid(query, 'subscription'),
    status: oneOfParameter(query, 'status', INVOICE_STATUSES),
    periodFrom,
    periodTo,
    size,
    after: offset === undefined || offset === '' ? undefined : decodeOffset(offset),
    format: oneOfParameter(query, 'format', ['json', 'csv'] as const) ?? 'json',
  };
}
