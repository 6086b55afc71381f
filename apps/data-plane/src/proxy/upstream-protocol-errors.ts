import type { TargetAddress } from '../balancer';
import type { ServiceTarget } from '../config/service-targets';
import type { RequestContext } from './request-context';

/** undici's codes for a response that broke off or does not parse (HTTPParserError carries none). */
const PROTOCOL_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'ECONNRESET', 'EPIPE']);

/** A response that broke the protocol: bad chunking or Content-Length, or a connection cut mid-response. */
export function isProtocolError(error: Error): boolean {
  return error.name === 'HTTPParserError' || PROTOCOL_CODES.has((error as { code?: string }).code ?? '');
}

/** `service (host:port)`: the service and the origin or target its request went to. */
export function upstreamName(target: ServiceTarget, address: TargetAddress | null): string {
  const service = target.service;
  const origin = address !== null ? address.key : `${service.host}:${service.port}`;
  return `${service.name ?? service.id} (${origin})`;
}

/**
 * Logs a failed upstream exchange, naming the upstream, at most once per interval per upstream
 * (a broken upstream fails every request). `started`: the client already had part of the
 * response, so its connection was cut instead of answered 502.
 */
export function logUpstreamFailure(ctx: RequestContext, name: string, error: Error, started: boolean): void {
  const kind = isProtocolError(error) ? 'upstream protocol error' : 'upstream request failed';
  const outcome = started ? 'client connection closed mid-response' : 'answered 502/504';
  ctx.services.warnThrottled(`upstream:${name}`, `${kind} from ${name}: ${error.message}; ${outcome} (route ${ctx.route?.name ?? ctx.route?.id ?? '-'})`, error);
}
