import { BlockList, isIP } from 'node:net';

/**
 * Kong's `trusted_ips`, `real_ip_header` and `real_ip_recursive` (nginx's realip module): a
 * connection from a trusted address has its client address taken from the real-IP header, and
 * its X-Forwarded-* believed. Read once at start; `has` remembers the addresses it has seen.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly seen = new Map<string, boolean>();
  /** Lower-cased, as node names request headers. */
  readonly realIpHeader: string;

  constructor(
    entries: readonly string[],
    realIpHeader: string,
    readonly recursive: boolean,
  ) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || Number(bits) > (family === 4 ? 32 : 128)) {
        throw new Error(`TOLLGATE_TRUSTED_IPS: invalid ip or cidr range '${entry}'`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(address!, type);
      else this.list.addSubnet(address!, Number(bits), type);
    }
    this.realIpHeader = realIpHeader.toLowerCase();
  }

  has(address: string): boolean {
    let trusted = this.seen.get(address);
    if (trusted === undefined) {
      const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
      const family = isIP(bare);
      trusted = family !== 0 && this.list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.set(address, trusted);
    }
    return trusted;
  }

  /** The client address a trusted connection stands for: from the real-IP header, else the connection's. */
  clientAddress(headers: Readonly<Record<string, string | string[] | undefined>>, connection: string): string {
    const raw = headers[this.realIpHeader];
    if (raw === undefined) return connection;
    const addresses = (Array.isArray(raw) ? raw.join(',') : raw).split(',');
    let chosen = withoutPort(addresses[addresses.length - 1]!);
    // Recursive: the rightmost address that is not itself a trusted proxy (nginx real_ip_recursive).
    for (let i = addresses.length - 1; this.recursive && i >= 0; i--) {
      chosen = withoutPort(addresses[i]!);
      if (!this.has(chosen)) break;
    }
    return isIP(chosen) === 0 ? connection : chosen;
  }
}

/** `10.0.0.1:15` -> `10.0.0.1`, `[::1]:80` -> `::1`; a bare address as it is. */
function withoutPort(value: string): string {
  const address = value.trim();
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.indexOf(':');
  return colon !== -1 && colon === address.lastIndexOf(':') ? address.slice(0, colon) : address;
}

/** Null when TOLLGATE_TRUSTED_IPS is unset: nothing a client sends is believed (Kong's default). */
export function readTrustedProxies(trustedIps: string | undefined, realIpHeader: string | undefined, recursive: string | undefined): TrustedProxies | null {
  const entries = (trustedIps ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (recursive !== undefined && recursive !== 'on' && recursive !== 'off') {
    throw new Error(`TOLLGATE_REAL_IP_RECURSIVE: expected on or off, got '${recursive}'`);
  }
  const header = realIpHeader ?? 'X-Real-IP';
  if (header === 'proxy_protocol') throw new Error("TOLLGATE_REAL_IP_HEADER: 'proxy_protocol' is not supported (no PROXY protocol listener)");
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(header)) throw new Error(`TOLLGATE_REAL_IP_HEADER: invalid header name '${header}'`);
  // `unix:` (Kong: trust unix-socket peers) has no meaning on a TCP-only proxy.
  const list = entries.filter((entry) => entry !== 'unix:');
  return list.length === 0 ? null : new TrustedProxies(list, header, recursive === 'on');
}
