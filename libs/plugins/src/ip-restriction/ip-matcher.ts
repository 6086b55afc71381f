import { isIPv4, isIPv6 } from 'node:net';

/**
 * A list of addresses and CIDR ranges compiled once per config into masked words: IPv4 as one
 * 32-bit word per range, IPv6 as four. Matching a client address parses it and compares words;
 * an IPv4 client costs no allocation.
 */
const MAPPED = '::ffff:';

export class IpMatcher {
  /** [network, mask] pairs. */
  private readonly v4: Uint32Array;
  /** [network x4, mask x4] per range. */
  private readonly v6: Uint32Array;
  private readonly words = new Uint32Array(4);

  constructor(entries: readonly string[]) {
    const v4: number[] = [];
    const v6: number[] = [];
    for (const entry of entries) {
      const [ip, bits] = entry.split('/') as [string, string | undefined];
      if (isIPv4(ip)) {
        const mask = maskWord(bits === undefined ? 32 : Number(bits));
        v4.push((parseV4(ip) & mask) >>> 0, mask);
      } else if (isIPv6(ip)) {
        const words = new Uint32Array(4);
        parseV6(ip, words);
        const prefix = bits === undefined ? 128 : Number(bits);
        const masks = [0, 1, 2, 3].map((i) => maskWord(Math.max(0, Math.min(32, prefix - 32 * i))));
        v6.push(...[0, 1, 2, 3].map((i) => (words[i]! & masks[i]!) >>> 0), ...masks);
      } else {
        throw new Error(`invalid ip or cidr range: ${entry}`);
      }
    }
    this.v4 = Uint32Array.from(v4);
    this.v6 = Uint32Array.from(v6);
  }

  /** Whether `address` (as node reports a peer: IPv4, IPv6, or IPv4-mapped IPv6) is in the list. */
  matches(address: string): boolean {
    if (!address.includes(':') || (address.startsWith(MAPPED) && address.includes('.'))) {
      const v4 = parseV4(address.includes(':') ? address.slice(MAPPED.length) : address);
      return v4 !== -1 && this.matchV4(v4);
    }
    return parseV6(address, this.words) && this.matchV6(this.words);
  }

  private matchV4(ip: number): boolean {
    const list = this.v4;
    for (let i = 0; i < list.length; i += 2) if ((ip & list[i + 1]!) >>> 0 === list[i]) return true;
    return false;
  }

  private matchV6(w: Uint32Array): boolean {
    const list = this.v6;
    for (let i = 0; i < list.length; i += 8) {
      if (
        (w[0]! & list[i + 4]!) >>> 0 === list[i] &&
        (w[1]! & list[i + 5]!) >>> 0 === list[i + 1] &&
        (w[2]! & list[i + 6]!) >>> 0 === list[i + 2] &&
        (w[3]! & list[i + 7]!) >>> 0 === list[i + 3]
      ) {
        return true;
      }
    }
    return false;
  }
}

function maskWord(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Dotted quad to an unsigned 32-bit word; -1 when malformed. */
function parseV4(ip: string): number {
  let word = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return -1;
      word = word * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      octet = octet * 10 + (c - 0x30);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return word * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** IPv6 text (with `::`, a zone or an embedded IPv4 tail) into four words; false when malformed. */
function parseV6(ip: string, out: Uint32Array): boolean {
  const zone = ip.indexOf('%');
  const text = zone === -1 ? ip : ip.slice(0, zone);
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < text.length) {
    if (text.includes('.', i) && text.indexOf(':', i) === -1) {
      const v4 = parseV4(text.slice(i));
      if (v4 === -1) return false;
      groups.push(v4 >>> 16, v4 & 0xffff);
      break;
    }
    let value = 0;
    let digits = 0;
    while (i < text.length && text.charCodeAt(i) !== 0x3a) {
      const h = hexValue(text.charCodeAt(i++));
      if (h === -1 || ++digits > 4) return false;
      value = value * 16 + h;
    }
    if (digits === 0) return false;
    groups.push(value);
    if (i < text.length) {
      i++;
      if (text.charCodeAt(i) === 0x3a) {
        if (gap !== -1) return false;
        gap = groups.length;
        i++;
      } else if (i === text.length) return false;
    }
  }
  const missing = 8 - groups.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return false;
  if (gap !== -1) groups.splice(gap, 0, ...new Array<number>(missing).fill(0));
  for (let w = 0; w < 4; w++) out[w] = ((groups[2 * w]! << 16) | groups[2 * w + 1]!) >>> 0;
  return true;
}
