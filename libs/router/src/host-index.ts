import type { HostPattern } from './host-pattern';

/** What one route host leads to: its own path index, and the port it insists on (0: any). */
export interface HostBucket<T> {
  readonly pattern: string;
  readonly port: number;
  readonly target: T;
}

const NONE: readonly never[] = [];
/** Distinct unknown hostnames remembered; past this the memo starts over. */
const MEMO_LIMIT = 10_000;

/**
 * Hostname -> every host bucket whose pattern matches it. Exact names are one map lookup that
 * already includes the wildcard buckets matching them (worked out at compile time); other names
 * try each wildcard suffix and prefix length once, then are remembered.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, HostBucket<T>[]>();
  private readonly suffixes = new Map<string, HostBucket<T>[]>();
  private readonly prefixes = new Map<string, HostBucket<T>[]>();
  private readonly suffixLengths: readonly number[];
  private readonly prefixLengths: readonly number[];
  private readonly memo = new Map<string, readonly HostBucket<T>[]>();

  constructor(buckets: ReadonlyArray<{ readonly host: HostPattern; readonly target: T }>) {
    for (const { host, target } of buckets) {
      const bucket: HostBucket<T> = { pattern: host.pattern, port: host.port, target };
      const map = host.kind === 'exact' ? this.exact : host.kind === 'suffix' ? this.suffixes : this.prefixes;
      const list = map.get(host.value);
      if (list) list.push(bucket);
      else map.set(host.value, [bucket]);
    }
    this.suffixLengths = distinctLengths(this.suffixes);
    this.prefixLengths = distinctLengths(this.prefixes);
    for (const [name, list] of this.exact) {
      const wildcards = this.wildcardBuckets(name);
      for (let i = 0; i < wildcards.length; i++) list.push(wildcards[i]!);
    }
  }

  get hasWildcards(): boolean {
    return this.suffixLengths.length > 0 || this.prefixLengths.length > 0;
  }

  resolve(hostname: string): readonly HostBucket<T>[] {
    const exact = this.exact.get(hostname);
    if (exact !== undefined) return exact;
    if (!this.hasWildcards) return NONE;
    let found = this.memo.get(hostname);
    if (found === undefined) {
      found = this.wildcardBuckets(hostname);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(hostname, found);
    }
    return found;
  }

  private wildcardBuckets(name: string): readonly HostBucket<T>[] {
    let found: HostBucket<T>[] | null = null;
    // The wildcard stands for at least one character, hence `length < name.length`.
    for (const length of this.suffixLengths) {
      if (length >= name.length) break;
      const list = this.suffixes.get(name.slice(name.length - length));
      if (list !== undefined) found = found === null ? list.slice() : found.concat(list);
    }
    for (const length of this.prefixLengths) {
      if (length >= name.length) break;
      const list = this.prefixes.get(name.slice(0, length));
      if (list !== undefined) found = found === null ? list.slice() : found.concat(list);
    }
    return found ?? NONE;
  }
}

function distinctLengths(map: ReadonlyMap<string, unknown>): number[] {
  return [...new Set([...map.keys()].map((key) => key.length))].sort((a, b) => a - b);
}
