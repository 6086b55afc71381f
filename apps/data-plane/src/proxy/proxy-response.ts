import { ServerResponse, type IncomingMessage } from 'node:http';
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
  /** Socket byte counters when the request started: the request's own bytes are the difference. */
  bytesReadBefore = 0;
  bytesWrittenBefore = 0;
}

export function onResponseClose(this: ProxyResponse): void {
  this.sink?.responseClosed(this);
}
