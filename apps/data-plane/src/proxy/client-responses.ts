import type { PluginResponse } from '@tollgate/plugins';
import type { ServerResponse } from 'node:http';
import type { GatewayError } from './gateway-errors';

const CONTENT_TYPE = 'Content-Type';
const CONTENT_LENGTH = 'Content-Length';
const LOCATION = 'Location';
const JSON_TYPE = 'application/json; charset=utf-8';
const VIA = 'Via';
const VIA_VALUE = '1.1 tollgate';

/** Responses the gateway answers itself. Header arrays are flat, so nothing is merged into objects. */
function send(res: ServerResponse, status: number, headers: string[], body: Buffer | null): void {
  if (res.destroyed) return; // the client is gone: nobody to answer
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, headers);
  res.end(body);
}

function withPluginHeaders(headers: string[], pluginHeaders: readonly string[] | null): string[] {
  if (pluginHeaders !== null) for (let i = 0; i < pluginHeaders.length; i++) headers.push(pluginHeaders[i]!);
  return headers;
}

export function sendGatewayError(res: ServerResponse, error: GatewayError, pluginHeaders: readonly string[] | null): void {
  const headers = [CONTENT_TYPE, JSON_TYPE, CONTENT_LENGTH, error.contentLength, VIA, VIA_VALUE];
  send(res, error.status, withPluginHeaders(headers, pluginHeaders), error.body);
}

export function sendPluginResponse(res: ServerResponse, response: PluginResponse, pluginHeaders: readonly string[] | null): void {
  const headers = [CONTENT_LENGTH, String(response.body.length), VIA, VIA_VALUE, ...response.headers];
  if (response.contentType !== '') headers.push(CONTENT_TYPE, response.contentType);
  send(res, response.status, withPluginHeaders(headers, pluginHeaders), response.body);
}

/** A route that wants https, with a redirect status instead of 426: send the client there. */
export function sendHttpsRedirect(res: ServerResponse, status: number, host: string, rawPath: string, rawQuery: string): void {
  const location = `https://${host}${rawPath}${rawQuery === '' ? '' : `?${rawQuery}`}`;
  send(res, status, [LOCATION, location, CONTENT_LENGTH, '0', VIA, VIA_VALUE], null);
}
