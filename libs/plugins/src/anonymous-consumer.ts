import type { PluginContext, PluginResponse } from './plugin-handler';
import { jsonResponse } from './plugin-handler';

/** Kong's answer when `anonymous` names no consumer of the config. */
export function anonymousMissing(anonymous: string | null): PluginResponse | null {
  return anonymous === null ? null : jsonResponse(500, `anonymous consumer ${anonymous} is configured but doesn't exist`);
}

/**
 * When authentication fails: run as the anonymous consumer if one is configured (Kong's logical
 * OR of auth plugins), else answer `refusal`.
 */
export function refuseOrAnonymous(ctx: PluginContext, anonymous: string | null, missing: PluginResponse | null, refusal: PluginResponse): void {
  if (anonymous === null) return ctx.exit(refusal);
  const consumer = ctx.directory.consumer(anonymous);
  if (consumer === undefined) return ctx.exit(missing!);
  ctx.authenticate(consumer, null, true);
}
