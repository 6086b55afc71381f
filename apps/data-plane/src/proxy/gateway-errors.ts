/**
 * Every error the proxy answers itself, with Kong's statuses and bodies. Bodies are encoded once
 * here: the hot path writes these buffers and never serialises anything for an error.
 */
export type GatewayErrorCode =
  | 'GW_ERR_NO_ROUTE'
  | 'GW_ERR_NO_SERVICE'
  | 'GW_ERR_NOT_READY'
  | 'GW_ERR_HTTPS_REQUIRED'
  | 'GW_ERR_BAD_REQUEST'
  | 'GW_ERR_METHOD_NOT_ALLOWED'
  | 'GW_ERR_HEADERS_TOO_LARGE'
  | 'GW_ERR_REQUEST_TIMEOUT'
  | 'GW_ERR_BAD_GATEWAY'
  | 'GW_ERR_NO_HEALTHY_TARGET'
  | 'GW_ERR_UPSTREAM_TIMEOUT'
  | 'GW_ERR_INTERNAL';

export interface GatewayError {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly message: string;
  /** `{"message": ...}` as bytes. */
  readonly body: Buffer;
  readonly contentLength: string;
  /** Headers Kong sends with this error, flat `[name, value, ...]`. */
  readonly headers: readonly string[];
}

/** Kong's 426 tells the client how to upgrade (runloop handler.lua). */
const EXTRA_HEADERS: Partial<Record<GatewayErrorCode, readonly string[]>> = {
  GW_ERR_HTTPS_REQUIRED: ['Connection', 'Upgrade', 'Upgrade', 'TLS/1.2, HTTP/1.1'],
};
const NO_HEADERS: readonly string[] = [];

const MESSAGES: Record<GatewayErrorCode, readonly [number, string]> = {
  GW_ERR_NO_ROUTE: [404, 'no Route matched with those values'],
  GW_ERR_NO_SERVICE: [503, 'no Service found with those values'],
  GW_ERR_NOT_READY: [503, 'no configuration loaded yet'],
  GW_ERR_HTTPS_REQUIRED: [426, 'Please use HTTPS protocol'],
  GW_ERR_BAD_REQUEST: [400, 'Bad request'],
  // nginx refuses TRACE before Kong routes anything.
  GW_ERR_METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  GW_ERR_HEADERS_TOO_LARGE: [431, 'Request header fields too large'],
  GW_ERR_REQUEST_TIMEOUT: [408, 'Request timeout'],
  GW_ERR_BAD_GATEWAY: [502, 'An invalid response was received from the upstream server'],
  GW_ERR_NO_HEALTHY_TARGET: [503, 'failure to get a peer from the ring-balancer'],
  GW_ERR_UPSTREAM_TIMEOUT: [504, 'The upstream server is timing out'],
  GW_ERR_INTERNAL: [500, 'An unexpected error occurred'],
};

function define(code: GatewayErrorCode): GatewayError {
  const [status, message] = MESSAGES[code];
  const body = Buffer.from(JSON.stringify({ message }));
  return Object.freeze({ code, status, message, body, contentLength: String(body.length), headers: EXTRA_HEADERS[code] ?? NO_HEADERS });
}

export const GATEWAY_ERRORS: Readonly<Record<GatewayErrorCode, GatewayError>> = Object.freeze(
  Object.fromEntries(Object.keys(MESSAGES).map((code) => [code, define(code as GatewayErrorCode)])) as Record<
    GatewayErrorCode,
    GatewayError
  >,
);

/**
 * A complete HTTP/1.1 response for errors answered on a raw socket (parse errors and refused
 * upgrades), where there is no ServerResponse to write to.
 */
export function rawErrorResponse(error: GatewayError, reason: string): Buffer {
  const head =
    `HTTP/1.1 ${error.status} ${reason}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${error.contentLength}\r\n` +
    'Connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), error.body]);
}
