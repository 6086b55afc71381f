import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { BatchSender } from './log-queue';

export interface HttpBatchTarget {
  readonly url: URL;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  /** ms for one whole send (connect, write, response). */
  readonly timeout: number;
  /** ms an idle keep-alive connection is kept. */
  readonly keepalive: number;
  /** How a batch becomes a body: the bytes and their Content-Type. */
  readonly body: (entries: readonly string[]) => string | Buffer;
}

/** Sends each batch as one HTTP request on a keep-alive agent of its own; a non-2xx answer is a failure to retry. */
export function httpBatchSender(target: HttpBatchTarget): BatchSender {
  const https = target.url.protocol === 'https:';
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, timeout: target.keepalive };
  // Kong's http-log sends with ssl_verify off; so does this sender.
  const agent = https ? new HttpsAgent({ ...agentOptions, rejectUnauthorized: false }) : new HttpAgent(agentOptions);
  const request = https ? httpsRequest : httpRequest;
  const path = `${target.url.pathname}${target.url.search}`;
  return {
    send(entries) {
      const body = target.body(entries);
      return new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: target.url.hostname.replace(/^\[|\]$/g, ''),
            port: target.url.port || (https ? 443 : 80),
            path,
            method: target.method,
            agent,
            headers: { ...target.headers, 'Content-Length': Buffer.byteLength(body) },
            timeout: target.timeout,
          },
          (res) => {
            const status = res.statusCode ?? 0;
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              if (text.length < 512) text += chunk;
            });
            res.on('end', () => (status < 300 ? resolve() : reject(new Error(`${target.url.host} answered ${status}: ${text.slice(0, 200)}`))));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer from ${target.url.host} within ${target.timeout} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
