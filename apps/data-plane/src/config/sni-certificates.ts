import type { Certificate, ConfigEntities, ConfigEntityError } from '@tollgate/config';
import { createSecureContext, type SecureContext } from 'node:tls';
import { pemDigest } from './pem-digest';

/**
 * TLS contexts by server name, for the https listener's SNICallback: exact names first, then
 * Kong's wildcards (`*.example.com`, `example.*`). A handshake without a known name gets the
 * first certificate of the config, so clients without SNI still connect.
 */
export class SniCertificates {
  constructor(
    private readonly exact: ReadonlyMap<string, SecureContext>,
    private readonly leadingWildcard: ReadonlyMap<string, SecureContext>,
    private readonly trailingWildcard: ReadonlyMap<string, SecureContext>,
    readonly fallback: SecureContext | null,
    /** PEMs of the fallback, for the listener's default context (handshakes without SNI). */
    readonly fallbackPem: { readonly cert: string[]; readonly key: string[] } | null,
  ) {}

  contextFor(servername: string | undefined): SecureContext | null {
    if (!servername) return this.fallback;
    const name = servername.toLowerCase();
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    const leading = dot === -1 ? undefined : this.leadingWildcard.get(name.slice(dot + 1));
    if (leading !== undefined) return leading;
    const lastDot = name.lastIndexOf('.');
    return (lastDot === -1 ? undefined : this.trailingWildcard.get(name.slice(0, lastDot))) ?? this.fallback;
  }
}

/** Secure contexts survive config swaps: parsing keys is slow, and most swaps change no certificate. */
export class SecureContextCache {
  private contexts = new Map<string, SecureContext>();

  build(certificates: readonly Certificate[]): { contexts: Map<string, SecureContext>; errors: ConfigEntityError[] } {
    const next = new Map<string, SecureContext>();
    const byId = new Map<string, SecureContext>();
    const errors: ConfigEntityError[] = [];
    for (const cert of certificates) {
      const key = `${cert.id}:${pemDigest(cert)}`;
      try {
        const context = this.contexts.get(key) ?? createSecureContext(contextOptions(cert));
        next.set(key, context);
        byId.set(cert.id, context);
      } catch (error) {
        errors.push({ entity: 'certificates', id: cert.id, field: 'cert', message: `invalid certificate or key: ${(error as Error).message}` });
      }
    }
    // A refused config must not evict the contexts of the one still serving.
    if (errors.length === 0) this.contexts = next;
    return { contexts: byId, errors };
  }
}

function contextOptions(cert: Certificate): { cert: string[]; key: string[] } {
  const certs = [cert.cert];
  const keys = [cert.key];
  if (cert.cert_alt && cert.key_alt) {
    certs.push(cert.cert_alt);
    keys.push(cert.key_alt);
  }
  return { cert: certs, key: keys };
}

export function buildSniCertificates(
  entities: Pick<ConfigEntities, 'certificates' | 'snis'>,
  cache: SecureContextCache,
): { certificates: SniCertificates; errors: ConfigEntityError[] } {
  const { contexts, errors } = cache.build(entities.certificates);
  const exact = new Map<string, SecureContext>();
  const leading = new Map<string, SecureContext>();
  const trailing = new Map<string, SecureContext>();
  for (const sni of entities.snis) {
    const context = contexts.get(sni.certificate.id);
    if (context === undefined) continue;
    const name = sni.name.toLowerCase();
    if (name.startsWith('*.')) leading.set(name.slice(2), context);
    else if (name.endsWith('.*')) trailing.set(name.slice(0, -2), context);
    else exact.set(name, context);
  }
  const first = entities.certificates[0];
  const fallback = first ? (contexts.get(first.id) ?? null) : null;
  const pem = first && fallback ? contextOptions(first) : null;
  return { certificates: new SniCertificates(exact, leading, trailing, fallback, pem), errors };
}
