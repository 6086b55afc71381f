import type { LogTry, RequestLogFacts } from '@tollgate/plugins';
import { performance } from 'node:perf_hooks';
import type { ProxyResponse } from './proxy-response';
import type { UpstreamExchange } from './upstream-exchange';

/** How a call ended, handed to its context when a log plugin will run (never otherwise). */
export interface CallEnd {
  readonly res: ProxyResponse;
  readonly exchange: UpstreamExchange | null;
  readonly totalMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly endMark: number;
}

type Headers = Record<string, string | string[]>;

/** The response head as written (node keeps it as text): parsed only for log plugins. */
function writtenHeaders(res: ProxyResponse): Headers {
  const head = (res as unknown as { _header?: unknown })._header;
  const out: Headers = {};
  if (typeof head !== 'string') return out;
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}

function tries(exchange: UpstreamExchange | null): LogTry[] {
  if (exchange === null || exchange.attemptCount === 0) return [];
  const out: LogTry[] = [];
  const last = exchange.lastTarget;
  for (let i = 0; i < exchange.attemptCount; i++) out.push({ ip: last.host, port: last.port, balancer_latency: 0 });
  return out;
}

/**
 * Kong's serializer inputs for one finished call (see RequestLogFacts). The numbers are read when
 * it is built; the response headers (parsed from the written head) and the tries only when a
 * plugin reads them, so a metrics-only plugin pays for neither.
 */
export class CallLogFacts implements RequestLogFacts {
  readonly startedAt: number;
  readonly requestSize: number;
  readonly responseSize: number;
  readonly requestLatency: number;
  readonly kongLatency: number;
  readonly upstreamLatency: number;
  readonly upstreamStatus: number | null;
  readonly source: 'service' | 'kong';
  private headers: Headers | null = null;
  private triesList: LogTry[] | null = null;

  constructor(
    private readonly end: CallEnd,
    private readonly startMark: number,
    private readonly routedMark: number,
    readonly requestUri: string,
    readonly host: string,
  ) {
    const exchange = end.exchange;
    const proxyLatency = exchange?.proxyLatency ?? -1;
    this.startedAt = Math.round(performance.timeOrigin + startMark);
    this.requestSize = end.bytesIn;
    this.responseSize = end.bytesOut;
    this.requestLatency = end.totalMs;
    this.kongLatency = proxyLatency >= 0 ? proxyLatency : end.totalMs;
    this.upstreamLatency = exchange?.upstreamLatency ?? -1;
    const answered = exchange !== null && exchange.upstreamStatus > 0;
    this.upstreamStatus = answered ? exchange.upstreamStatus : null;
    this.source = answered ? 'service' : 'kong';
  }

  get upstreamUri(): string {
    return this.end.exchange?.upstreamPath ?? '';
  }

  get tries(): readonly LogTry[] {
    return (this.triesList ??= tries(this.end.exchange));
  }

  get responseHeaders(): Headers {
    return (this.headers ??= writtenHeaders(this.end.res));
  }

  get marks(): RequestLogFacts['marks'] {
    const sent = this.end.exchange?.sentMark ?? -1;
    const upstream = this.upstreamLatency;
    return {
      start: this.startMark,
      routed: this.routedMark,
      upstreamSent: sent,
      upstreamHead: upstream >= 0 && sent >= 0 ? sent + upstream : -1,
      end: this.end.endMark,
    };
  }
}
