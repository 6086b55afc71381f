import type { PluginContext } from '../plugin-handler';

/** The fields of `hmac username="..", algorithm="..", headers="..", signature=".."`. */
export interface HmacParams {
  readonly username: string;
  readonly algorithm: string;
  readonly headers: readonly string[];
  readonly signature: string;
}

// Kong's pattern, greedy as Kong's is.
const HMAC_FIELDS = /\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"/;

export const DIGESTS: Readonly<Record<string, string>> = {
  'hmac-sha1': 'sha1',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

export function parseHmacHeader(value: string | undefined): HmacParams | null {
  const m = value === undefined ? null : HMAC_FIELDS.exec(value);
  if (m === null) return null;
  return { username: m[1]!, algorithm: m[2]!, headers: m[3]!.split(' '), signature: m[4]! };
}

/**
 * The string a client signs: for each header it listed, `name: value` (an absent header is
 * `name:`), with the pseudo-headers `@request-target` (`get /path?query`) and `request-line`
 * (`GET /path?query HTTP/1.1`), joined by newlines.
 */
export function signingString(ctx: PluginContext, headers: readonly string[]): string {
  const uri = ctx.rawQuery === '' ? ctx.rawPath : `${ctx.rawPath}?${ctx.rawQuery}`;
  const lines: string[] = [];
  for (const header of headers) {
    const value = ctx.header(header.toLowerCase());
    if (value !== undefined) lines.push(`${header}: ${value}`);
    else if (header === '@request-target') lines.push(`${header}: ${ctx.method.toLowerCase()} ${uri}`);
    else if (header === 'request-line') lines.push(`${ctx.method} ${uri} HTTP/${Number(ctx.httpVersion).toFixed(1)}`);
    else lines.push(`${header}:`);
  }
  return lines.join('\n');
}
