import type { PluginContext } from '../plugin-handler';
import { BodyTooLargeError } from '../plugin-handler';

function isJson(contentType: string): boolean {
  return contentType.startsWith('application/json') || /^application\/[^;]*\+json/.test(contentType);
}

function fromForm(ctx: PluginContext, body: Buffer, keyNames: readonly string[], hide: boolean): string | undefined {
  const form = new URLSearchParams(body.toString('latin1'));
  for (const name of keyNames) {
    const key = form.get(name);
    if (key === null) continue;
    if (hide) {
      form.delete(name);
      ctx.setUpstreamBody(Buffer.from(form.toString(), 'latin1'));
    }
    return key;
  }
  return undefined;
}

function fromJson(ctx: PluginContext, body: Buffer, keyNames: readonly string[], hide: boolean): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const name of keyNames) {
    const key = record[name];
    if (typeof key !== 'string') continue;
    if (hide) {
      delete record[name];
      ctx.setUpstreamBody(Buffer.from(JSON.stringify(record)));
    }
    return key;
  }
  return undefined;
}

/**
 * key_in_body: the key from a form or JSON body. Multipart bodies are not searched (Kong does;
 * it needs a multipart parser on the request path for a rarely used option).
 */
export async function keyFromBody(
  ctx: PluginContext,
  keyNames: readonly string[],
  hide: boolean,
  limit: number,
): Promise<string | undefined> {
  const contentType = (ctx.header('content-type') ?? '').toLowerCase();
  const form = contentType.startsWith('application/x-www-form-urlencoded');
  if (!form && !isJson(contentType)) return undefined;
  let body: Buffer;
  try {
    body = await ctx.readBody(limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined;
    throw error;
  }
  return form ? fromForm(ctx, body, keyNames, hide) : fromJson(ctx, body, keyNames, hide);
}
