import type { Upstream } from '@tollgate/config';

/** One target of an upstream as the proxy connects to it. Identity is `key`. */
export interface TargetAddress {
  readonly host: string;
  readonly port: number;
  /** 'host:port' ('[v6]:port' for IPv6), as Kong names targets. */
  readonly key: string;
}

/** What hashing can use; built by the proxy once per request and reused for its retries. */
export interface BalancerRequest {
  /** The authenticated consumer's id, or the credential's when there is no consumer (Kong). */
  readonly consumerId: string | null;
  readonly clientIp: string;
  /** node's IncomingMessage.headers: lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The normalised request path. */
  readonly path: string;
  /** Raw query string without '?'. */
  readonly query: string;
  readonly uriCaptures: Readonly<Record<string, string>> | null;
}

export type Outcome =
  | { kind: 'response'; status: number; latencyMs: number }
  | { kind: 'tcp_error' }
  | { kind: 'timeout' };

export interface Balancer {
  readonly upstream: Upstream;
  /** null = no healthy target (the proxy answers 503). `exclude` holds keys already tried. */
  pick(req: BalancerRequest, exclude?: ReadonlySet<string>): TargetAddress | null;
  /** Call when a proxied request to the target starts; least-connections and latency use it. */
  onStart(target: TargetAddress): void;
  /** Call once when that request ends: in-flight count, latency EWMA and passive health use it. */
  report(target: TargetAddress, outcome: Outcome): void;
  /**
   * For hash_on cookie when the request has no such cookie: the Set-Cookie value to add to the
   * response, whose value is the one `pick` hashed for this request (same `req` object); else null.
   */
  cookieToSet(req: BalancerRequest): string | null;
  /** Every target with its weight and current health, for /status and /metrics. */
  health(): { target: string; weight: number; healthy: boolean }[];
  /** Stops active probes. */
  close(): void;
}
