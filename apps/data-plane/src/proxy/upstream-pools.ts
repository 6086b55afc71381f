import { Pool } from 'undici';

export interface PoolOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
  readonly tlsVerify: boolean;
}

function poolKey(o: PoolOrigin): string {
  return `${o.scheme}://${o.host}:${o.port}|${o.connectTimeout}|${o.tlsVerify ? 1 : 0}`;
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
          rejectUnauthorized: origin.tlsVerify,
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
