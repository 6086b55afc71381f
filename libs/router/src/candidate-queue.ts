import type { CandidateSink } from './path-trie';

/**
 * Merges the runs of entry ranks a request gathered (one per host bucket and trie node, each
 * ascending) so candidates come out in global priority order, reading only the packed ranks.
 * One queue per router, reused by every match: JavaScript runs a match to completion, so nothing
 * else touches it meanwhile.
 */
export class CandidateQueue implements CandidateSink {
  private readonly positions: number[] = [];
  private readonly ends: number[] = [];
  private readonly hosts: (string | null)[] = [];
  private count = 0;

  constructor(private readonly ranks: Int32Array) {}

  reset(): void {
    this.count = 0;
  }

  add(start: number, end: number, host: string | null): void {
    const i = this.count++;
    this.positions[i] = start;
    this.ends[i] = end;
    this.hosts[i] = host;
  }

  /** The run whose next rank comes first, or -1 when every run is spent. */
  nextList(): number {
    let best = -1;
    let bestRank = 0x7fffffff;
    for (let i = 0; i < this.count; i++) {
      const position = this.positions[i]!;
      if (position < this.ends[i]! && this.ranks[position]! < bestRank) {
        best = i;
        bestRank = this.ranks[position]!;
      }
    }
    return best;
  }

  rank(list: number): number {
    return this.ranks[this.positions[list]!]!;
  }

  host(list: number): string | null {
    return this.hosts[list] ?? null;
  }

  advance(list: number): void {
    this.positions[list] = this.positions[list]! + 1;
  }
}
