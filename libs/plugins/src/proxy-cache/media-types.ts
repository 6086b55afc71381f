/** A media type as Kong's mime_type.parse_mime_type reads it: type, subtype, parameters. */
export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
}

export function parseMediaType(value: string): MediaType | null {
  const [essence, ...rest] = value.split(';');
  const [type, subtype] = essence!.trim().toLowerCase().split('/');
  if (!type || !subtype) return null;
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq !== -1) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
  }
  return { type, subtype, params };
}

export function parseMediaTypes(values: readonly string[]): MediaType[] {
  return values.map(parseMediaType).filter((m): m is MediaType => m !== null);
}

/** `*` matches any type or subtype; the parameters must be exactly the expected ones. */
export function matchesContentType(expected: readonly MediaType[], contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return false;
  const actual = parseMediaType(contentType);
  if (actual === null) return false;
  return expected.some((e) => {
    if ((e.type !== '*' && e.type !== actual.type) || (e.subtype !== '*' && e.subtype !== actual.subtype)) return false;
    if (e.params.size !== actual.params.size) return false;
    for (const [k, v] of e.params) if (actual.params.get(k) !== v) return false;
    return true;
  });
}
