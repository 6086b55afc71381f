import type { PluginContext } from '../plugin-handler';

const BEARER = /\s*[Bb]earer\s+(.+)/;
const MULTIPLE = Symbol('multiple tokens');

export type FoundToken = string | undefined | typeof MULTIPLE;
export { MULTIPLE };

export interface TokenSources {
  readonly uriParamNames: readonly string[];
  readonly cookieNames: readonly string[];
  readonly headerNames: readonly string[];
}

function add(found: FoundToken, token: string): FoundToken {
  if (token === '' || found === token) return found;
  return found === undefined ? token : MULTIPLE;
}

/** The value of cookie `name` in a Cookie header, or undefined. */
function cookie(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Kong's search: every query parameter, cookie and header named in the config; the same token
 * found twice is one token, two different ones are refused.
 */
export function findToken(ctx: PluginContext, sources: TokenSources): FoundToken {
  let found: FoundToken;
  if (sources.uriParamNames.length > 0 && ctx.rawQuery !== '') {
    const query = ctx.queryArgs();
    for (const name of sources.uriParamNames) for (const token of query.getAll(name)) found = add(found, token);
  }
  const cookies = sources.cookieNames.length > 0 ? ctx.header('cookie') : undefined;
  if (cookies !== undefined) {
    for (const name of sources.cookieNames) {
      const token = cookie(cookies, name);
      if (token !== undefined) found = add(found, token);
    }
  }
  for (const name of sources.headerNames) {
    const value = ctx.header(name);
    const token = value === undefined ? undefined : BEARER.exec(value)?.[1];
    if (token !== undefined) found = add(found, token);
  }
  return found;
}
