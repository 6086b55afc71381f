import type { ConnectionInfo } from '@tollgate/plugins';
import type { Socket } from 'node:net';

interface Serial {
  readonly serial: number;
  requests: number;
  /** The last request counted, so asking twice for one request counts it once. */
  last: object | null;
}

/** Kept beside the sockets, not on them (expando fields would change node's hidden classes). */
const serials = new WeakMap<Socket, Serial>();
let next = 0;

/**
 * Nginx's `$connection` and `$connection_requests` for a request, numbered on first use: only
 * requests whose plugins ask (correlation-id's tracker) pay for the lookup.
 */
export function connectionInfo(socket: Socket, request: object): ConnectionInfo {
  let entry = serials.get(socket);
  if (entry === undefined) serials.set(socket, (entry = { serial: ++next, requests: 0, last: null }));
  if (entry.last !== request) {
    entry.requests++;
    entry.last = request;
  }
  return { localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0, serial: entry.serial, requests: entry.requests };
}
