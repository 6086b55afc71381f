import { isUuid } from '@tollgate/config';
import { AdminError, AdminErrorCode } from '../admin/admin-error';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  readonly size: number;
  /** `size` was in the query: Kong's next link repeats it only then. */
  readonly sizeGiven: boolean;
  /** Id of the last row of the previous page (keyset pagination). */
  readonly after: string | null;
  /** Tag of that last row, where one id has a row per tag (`/tags`). */
  readonly afterTag: string | null;
  readonly tags: readonly string[];
  readonly tagsMode: 'all' | 'any';
}

export interface Page<T> {
  data: T[];
  offset?: string;
  next: string | null;
}

/** Offsets are opaque: base64url of the last id seen (and its tag), so a page costs the same at any depth. */
export function encodeOffset(lastId: string, lastTag?: string): string {
  return Buffer.from(JSON.stringify(lastTag === undefined ? [lastId] : [lastId, lastTag])).toString('base64url');
}

function decodeOffset(offset: string): { after: string; afterTag: string | null } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && isUuid(decoded[0])) {
      if (decoded.length === 1) return { after: decoded[0], afterTag: null };
      if (decoded.length === 2 && typeof decoded[1] === 'string') return { after: decoded[0], afterTag: decoded[1] };
    }
  } catch {
    // fall through
  }
  throw new AdminError(AdminErrorCode.INVALID_OFFSET, `'${offset}' is not a valid offset for this path`);
}

/** Kong's invalid_options error for `?tags=`: `invalid option (tags: <why>)`. */
function invalidTagFilter(why: string): AdminError {
  return new AdminError(AdminErrorCode.INVALID_OPTIONS, `invalid option (tags: ${why})`, { tags: why });
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new AdminError(AdminErrorCode.SCHEMA_VIOLATION, `schema violation (${name}: expected a single value)`, { [name]: 'expected a single value' });
  }
  return value;
}

export function parsePageRequest(query: Record<string, unknown>): PageRequest {
  const sizeText = single(query.size, 'size');
  let size = DEFAULT_PAGE_SIZE;
  if (sizeText !== undefined) {
    size = /^\d+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
      throw new AdminError(AdminErrorCode.INVALID_SIZE, `size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
    }
  }
  const offset = single(query.offset, 'offset');
  const tagsText = single(query.tags, 'tags');
  let tags: string[] = [];
  let tagsMode: 'all' | 'any' = 'all';
  if (tagsText !== undefined) {
    if (tagsText === '') throw invalidTagFilter('cannot be null');
    // One tag, or tags joined by all ',' (every one) or all '/' (any one); none empty (Kong: "invalid filter syntax").
    if (tagsText.includes(',') && tagsText.includes('/')) throw invalidTagFilter('invalid filter syntax');
    tagsMode = tagsText.includes('/') ? 'any' : 'all';
    tags = tagsText.split(/[,/]/);
    if (tags.some((t) => t.length === 0 || t.length > 128)) throw invalidTagFilter('invalid filter syntax');
  }
  return { size, sizeGiven: sizeText !== undefined, ...(offset === undefined ? { after: null, afterTag: null } : decodeOffset(offset)), tags, tagsMode };
}

/** ngx.escape_uri: everything but letters, digits and `-._~` as %XX (a space is %20, never `+`). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Kong's next link (kong/api/endpoints.lua): `?offset=...`, then `&tags=...`, then `&size=...` if one was asked for. */
export function nextLink(path: string, page: PageRequest, offset: string): string {
  const tags = page.tags.length > 0 ? `&tags=${escapeUri(page.tags.join(page.tagsMode === 'all' ? ',' : '/'))}` : '';
  const size = page.sizeGiven ? `&size=${page.size}` : '';
  return `${path}?offset=${escapeUri(offset)}${tags}${size}`;
}

/**
 * A page from rows fetched with `LIMIT size + 1`: the extra row only says there is more. The
 * offset is the keyset of the last row kept (`keyOf` gives its id, and tag where needed).
 */
export function toPage<R, T>(rows: readonly R[], page: PageRequest, path: string, present: (row: R) => T, keyOf: (row: R) => [string, string?]): Page<T> {
  const more = rows.length > page.size;
  const kept = more ? rows.slice(0, page.size) : rows;
  const data = kept.map(present);
  if (!more) return { data, next: null };
  const offset = encodeOffset(...keyOf(kept[kept.length - 1]!));
  return { data, offset, next: nextLink(path, page, offset) };
}
