import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Pool } from 'undici';

/** What an https upstream connection trusts and presents (a service's tls_verify, ca_certificates, client_certificate). */
export interface UpstreamTls {
  readonly verify: boolean;
  /** Kong's tls_verify_depth: how many issuers above the upstream's certificate may verify it; null: no limit. */
  readonly verifyDepth: number | null;
  /** PEM CA certificates that verify the upstream instead of the system's; null: the system's. */
  readonly ca: readonly string[] | null;
  /** Certificate and key presented to the upstream (mTLS); null: none. */
  readonly client: { readonly cert: string; readonly key: string } | null;
  /** Identity of the material above (digests of its PEMs), part of the pool key. */
  readonly key: string;
}

export const PLAIN_TLS: UpstreamTls = { verify: false, verifyDepth: null, ca: null, client: null, key: '' };

/** Issuers above `cert` in the chain the upstream presented (0 for a self-signed certificate). */
function chainDepth(cert: PeerCertificate): number {
  let depth = 0;
  let current = cert as PeerCertificate & { issuerCertificate?: PeerCertificate };
  while (current.issuerCertificate !== undefined && current.issuerCertificate !== current && depth < 100) {
    current = current.issuerCertificate as typeof current;
    depth++;
  }
  return depth;
}

/** The host check, and then the chain's depth against tls_verify_depth (node's TLS has no setting for it). */
function depthChecked(limit: number) {
  return (host: string, cert: PeerCertificate): Error | undefined => {
    const mismatch = checkServerIdentity(host, cert);
    if (mismatch !== undefined) return mismatch;
    const depth = chainDepth(cert);
    return depth > limit ? new Error(`upstream certificate chain depth ${depth} exceeds tls_verify_depth ${limit}`) : undefined;
  };
}

export interface PoolOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
  readonly tls: UpstreamTls;
}

function poolKey(o: PoolOrigin): string {
  return `${o.scheme}://${o.host}:${o.port}|${o.connectTimeout}|${o.tls.verify ? 1 : 0}|${o.tls.verifyDepth ?? ''}|${o.tls.key}`;
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
          ...(origin.tls.verify && origin.tls.verifyDepth !== null ? { checkServerIdentity: depthChecked(origin.tls.verifyDepth) } : {}),
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
