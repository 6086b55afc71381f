import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from './header-policy';
import type { RequestContext } from './request-context';
import type { UpstreamExchange } from './upstream-exchange';

/** What the response's 'close' listener needs; implemented by the ProxyHandler. */
export interface ResponseCloseSink {
  responseClosed(res: ProxyResponse): void;
}

/**
 * node's ServerResponse with the request's state on it, so the one 'close' listener each request
 * registers is a module function rather than a closure made per request.
 */
export class ProxyResponse extends ServerResponse<IncomingMessage> {
  sink: ResponseCloseSink | null = null;
  context: RequestContext | null = null;
  exchange: UpstreamExchange | null = null;
  startedAt = 0;
  /** The serving process's TOLLGATE_HEADERS choice, for the responses the gateway answers itself. */
  headerPolicy: HeaderPolicy = DEFAULT_HEADER_POLICY;
  /**
   * The client connection, kept for metering its byte counters at close: by then `req.socket` may
   * be null (node's stream destroyer clears it when a request body is cut short).
   */
  clientSocket: Socket | null = null;
}

export function onResponseClose(this: ProxyResponse): void {
  this.sink?.responseClosed(this);
}
