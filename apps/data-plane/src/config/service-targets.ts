import { chunkSteps, type CaCertificate, type Certificate, type Service, type Steps, type Upstream } from '@tollgate/config';
import type { Pool } from 'undici';
import type { Balancer } from '../balancer';
import { pemDigest } from './pem-digest';
import { PLAIN_TLS, type UpstreamPools, type UpstreamTls } from '../proxy/upstream-pools';

/** Where a service's requests go, resolved once per config. */
export interface ServiceTarget {
  readonly service: Service;
  readonly scheme: 'http' | 'https';
  /** Host header sent upstream unless the route preserves the client's. */
  readonly hostHeader: string;
  /** The pool of a service that names a host directly; null when it names an upstream. */
  readonly pool: Pool | null;
  /** The balancer of the upstream the service names. */
  readonly balancer: Balancer | null;
  /** Pools of that upstream's targets, by target key (`host:port`). */
  readonly targetPools: ReadonlyMap<string, Pool>;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
}

const DEFAULT_PORT = { http: 80, https: 443 } as const;

function schemeOf(service: Service): 'http' | 'https' | null {
  switch (service.protocol) {
    case 'http':
    case 'ws':
      return 'http';
    case 'https':
    case 'wss':
      return 'https';
    default:
      return null;
  }
}

/** Kong's upstream Host: the service (or upstream) host, with the port when it is not the default. */
function hostHeader(host: string, port: number, scheme: 'http' | 'https'): string {
  return port === DEFAULT_PORT[scheme] ? host : `${host}:${port}`;
}

/** A balancer's target key, `host:port` or `[v6]:port`, back into its parts. */
function parseTargetKey(key: string): { host: string; port: number } {
  const colon = key.lastIndexOf(':');
  return { host: key.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(key.slice(colon + 1)) };
}

/** The certificates services may refer to, by id. */
export interface TlsMaterial {
  readonly certificates: readonly Certificate[];
  readonly ca_certificates: readonly CaCertificate[];
}

/**
 * A service's upstream TLS: Kong's tls_verify (off unless true), tls_verify_depth, ca_certificates
 * (trusted instead of the system's CAs) and client_certificate (presented for mTLS; the upstream
 * entity's when the service has none, as Kong falls back to it). References were checked before
 * apply; one that is missing here is skipped.
 */
function upstreamTls(
  service: Service,
  upstream: Upstream | null,
  certificates: ReadonlyMap<string, Certificate>,
  cas: ReadonlyMap<string, CaCertificate>,
): UpstreamTls {
  const caIds = service.ca_certificates ?? [];
  const clientRef = service.client_certificate ?? upstream?.client_certificate ?? null;
  const client = clientRef === null ? null : (certificates.get(clientRef.id) ?? null);
  if (service.tls_verify !== true && caIds.length === 0 && client === null) return PLAIN_TLS;
  const trusted = caIds.map((id) => cas.get(id)).filter((ca): ca is CaCertificate => ca !== undefined);
  return {
    verify: service.tls_verify === true,
    verifyDepth: service.tls_verify_depth,
    ca: trusted.length === 0 ? null : trusted.map((ca) => ca.cert),
    client: client === null ? null : { cert: client.cert, key: client.key },
    key: `${trusted.map(pemDigest).join(',')}|${client === null ? '' : pemDigest(client)}`,
  };
}

export interface TargetResolution {
  readonly targets: Map<string, ServiceTarget>;
  /** Services whose protocol the proxy cannot speak (tcp, tls, grpc): requests to them get 502. */
  readonly unsupported: readonly Service[];
}

/** Resolves every service to a pool or a balancer, and marks the pools in use in `inUse` (in steps, see Steps). */
export function* resolveServiceTargets(
  services: readonly Service[],
  balancers: ReadonlyMap<string, Balancer>,
  pools: UpstreamPools,
  inUse: Set<string>,
  material: TlsMaterial,
): Steps<TargetResolution> {
  const certificates = new Map(material.certificates.map((c) => [c.id, c]));
  const cas = new Map(material.ca_certificates.map((c) => [c.id, c]));
  const targets = new Map<string, ServiceTarget>();
  const unsupported: Service[] = [];
  yield* chunkSteps(services.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const service = services[i]!;
      const scheme = schemeOf(service);
      if (scheme === null) unsupported.push(service);
      const balancer = scheme === null ? null : (balancers.get(service.host) ?? null);
      const connect = { connectTimeout: service.connect_timeout, tls: scheme === 'https' ? upstreamTls(service, balancer?.upstream ?? null, certificates, cas) : PLAIN_TLS };
      const targetPools = new Map<string, Pool>();
      for (const { target: key } of balancer?.health() ?? []) {
        targetPools.set(key, pools.poolFor({ scheme: scheme!, ...parseTargetKey(key), ...connect }, inUse));
      }
      const direct = scheme !== null && balancer === null;
      targets.set(service.id, {
        service,
        scheme: scheme ?? 'http',
        hostHeader: balancer?.upstream.host_header ?? hostHeader(service.host, service.port, scheme ?? 'http'),
        pool: direct ? pools.poolFor({ scheme, host: service.host, port: service.port, ...connect }, inUse) : null,
        balancer,
        targetPools,
        retries: service.retries,
        connectTimeout: service.connect_timeout,
        readTimeout: service.read_timeout,
        writeTimeout: service.write_timeout,
      });
    }
  });
  return { targets, unsupported };
}
