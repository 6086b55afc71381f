import { Pool } from 'undici';

/** What an https upstream connection trusts and presents (a service's tls_verify, ca_certificates, client_certificate). */
export interface UpstreamTls {
  readonly verify: boolean;
  /** PEM CA certificates that verify the upstream instead of the system's; null: the system's. */
  readonly ca: readonly string[] | null;
  /** Certificate and key presented to the upstream (mTLS); null: none. */
  readonly client: { readonly cert: string; readonly key: string } | null;
  /** Identity of the material above (entity ids), part of the pool key. */
  readonly key: string;
}

export const PLAIN_TLS: UpstreamTls = { verify: false, ca: null, client: null, key: '' };

export interface PoolOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
  readonly tls: UpstreamTls;
}

function poolKey(o: PoolOrigin): string {
  return `${o.scheme}://${o.host}:${o.port}|${o.connectTimeout}|${o.tls.verify ? 1 : 0}|${o.tls.key}`;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Keep-alive connection pools to upstream origins, one per origin and connect settings, shared by
 * successive configs so a config swap keeps warm connections. Pipelining stays at 1: a request
 * never waits behind another's slow response on the same socket.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  poolFor(origin: PoolOrigin, inUse?: Set<string>): Pool {
    const key = poolKey(origin);
    inUse?.add(key);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(`${origin.scheme}://${hostForUrl(origin.host)}:${origin.port}`, {
        pipelining: 1,
        keepAliveMaxTimeout: 60_000,
        connect: {
          timeout: origin.connectTimeout,
          rejectUnauthorized: origin.tls.verify,
          ...(origin.tls.ca === null ? {} : { ca: [...origin.tls.ca] }),
          ...(origin.tls.client === null ? {} : { cert: origin.tls.client.cert, key: origin.tls.client.key }),
        },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Closes the pools a new config no longer uses. close() lets their queued and running requests
   * finish first, so requests still on the old config complete.
   */
  retain(inUse: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      if (inUse.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  }

  /** Cuts every upstream connection at once (after the drain deadline). */
  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
