import type { PluginResponse } from '@tollgate/plugins';
import { performance } from 'node:perf_hooks';
import type { GatewayError } from './gateway-errors';
import { equalsLower } from './header-names';
import { SERVER, SERVER_TOKEN, VIA, VIA_TOKEN, X_KONG_REQUEST_ID, X_KONG_RESPONSE_LATENCY, X_KONG_UPSTREAM_STATUS } from './header-policy';
import type { ProxyResponse } from './proxy-response';
import { nextRequestId } from './request-id';
import { pushProxiedLatencies } from './response-headers';

const CONTENT_TYPE = 'Content-Type';
const CONTENT_LENGTH = 'Content-Length';
const LOCATION = 'Location';
const JSON_TYPE = 'application/json; charset=utf-8';

function hasServer(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) if (equalsLower(headers[i]!, 'server')) return true;
  return false;
}

/**
 * Kong's headers on a response the gateway answers itself, as TOLLGATE_HEADERS says. Once the
 * call was handed to an upstream (a 502 or 504 after it), Kong counts it as proxied: Via and the
 * upstream and proxy latencies. Before that: X-Kong-Response-Latency. Server either way, unless
 * a plugin set its own.
 */
function pushGatewayHeaders(res: ProxyResponse, status: number, headers: string[]): void {
  const policy = res.headerPolicy;
  const exchange = res.exchange;
  const elapsed = Math.round(performance.now() - res.startedAt);
  if (exchange !== null) {
    if (policy.via) headers.push(VIA, VIA_TOKEN);
    const proxyLatency = exchange.proxyLatency < 0 ? elapsed : Math.round(exchange.proxyLatency);
    pushProxiedLatencies(headers, policy, Math.max(0, Math.round(exchange.upstreamLatency)), proxyLatency);
    // No upstream answer to report: Kong then reports the status it answers.
    if (policy.upstreamStatus) headers.push(X_KONG_UPSTREAM_STATUS, String(status));
  } else if (policy.responseLatency) {
    headers.push(X_KONG_RESPONSE_LATENCY, String(elapsed));
  }
  if (policy.server && !hasServer(headers)) headers.push(SERVER, SERVER_TOKEN);
  if (policy.requestId) headers.push(X_KONG_REQUEST_ID, res.context?.requestId ?? nextRequestId());
}

/** Responses the gateway answers itself. Header arrays are flat, so nothing is merged into objects. */
function send(res: ProxyResponse, status: number, headers: string[], body: Buffer | null): void {
  if (res.destroyed) return; // the client is gone: nobody to answer
  if (res.headersSent) {
    res.destroy();
    return;
  }
  pushGatewayHeaders(res, status, headers);
  res.writeHead(status, headers);
  res.end(body);
}

function withPluginHeaders(headers: string[], pluginHeaders: readonly string[] | null): string[] {
  if (pluginHeaders !== null) for (let i = 0; i < pluginHeaders.length; i++) headers.push(pluginHeaders[i]!);
  return headers;
}

export function sendGatewayError(res: ProxyResponse, error: GatewayError, pluginHeaders: readonly string[] | null): void {
  const headers = [CONTENT_TYPE, JSON_TYPE, CONTENT_LENGTH, error.contentLength];
  for (let i = 0; i < error.headers.length; i++) headers.push(error.headers[i]!);
  send(res, error.status, withPluginHeaders(headers, pluginHeaders), error.body);
}

export function sendPluginResponse(res: ProxyResponse, response: PluginResponse, pluginHeaders: readonly string[] | null): void {
  // 204 and 304 carry no body and so no length; an empty contentType sends no Content-Type (Kong's proxy default).
  const bodiless = response.status === 204 || response.status === 304;
  const headers = bodiless ? [] : [CONTENT_LENGTH, String(response.body.length)];
  if (response.contentType !== '' && !bodiless) headers.push(CONTENT_TYPE, response.contentType);
  for (let i = 0; i < response.headers.length; i++) headers.push(response.headers[i]!);
  send(res, response.status, withPluginHeaders(headers, pluginHeaders), response.body);
}

/** A route that wants https, with a redirect status instead of 426: send the client there. */
export function sendHttpsRedirect(res: ProxyResponse, status: number, host: string, rawPath: string, rawQuery: string): void {
  const location = `https://${host}${rawPath}${rawQuery === '' ? '' : `?${rawQuery}`}`;
  send(res, status, [LOCATION, location, CONTENT_LENGTH, '0'], null);
}
