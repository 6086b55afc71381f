import { runSteps, type Steps } from '@tollgate/config';

/** Receives, in trie order, every non-empty run of `ranks` whose prefix the path starts with. */
export interface CandidateSink {
  add(start: number, end: number, host: string | null): void;
}

/**
 * A node in `nodes` is a run of ints: its label (start in `labels`, length), its run of ranks
 * (start, end), its child count, then a (first char code of the label, node) pair per child,
 * sorted by code. A node and its child table share a cache line or two.
 */
const LABEL_START = 0;
const LABEL_LENGTH = 1;
const RANKS_START = 2;
const RANKS_END = 3;
const CHILD_COUNT = 4;
const HEADER_SIZE = 5;
/** Past this many children a lookup bisects the child table instead of scanning it. */
const LINEAR_CHILDREN = 8;

/**
 * Radix trees over path prefixes, one per route host (and one for host-less routes), packed
 * together into typed arrays and a single label string. Kong's prefixes are plain string
 * prefixes (`/foo` matches `/foobar`), so a lookup walks the path once and hands over, for every
 * node on the way, the run of entry ranks filed there: the root holds what applies to any path,
 * inner nodes the entries whose prefix (or regex literal prefix) ends there. Packing keeps the
 * structure small enough to stay in cache: a match touches a few cache lines per level, not a
 * few objects.
 */
export class PathTries {
  constructor(
    private readonly roots: Int32Array,
    private readonly nodes: Int32Array,
    private readonly labels: string,
    /** Entry ranks, each node's run ascending. */
    readonly ranks: Int32Array,
  ) {}

  collect(trie: number, path: string, sink: CandidateSink, host: string | null): void {
    const nodes = this.nodes;
    let node = this.roots[trie]!;
    if (nodes[node + RANKS_END]! > nodes[node + RANKS_START]!) sink.add(nodes[node + RANKS_START]!, nodes[node + RANKS_END]!, host);
    let offset = 0;
    while (offset < path.length) {
      node = this.childOf(node, path.charCodeAt(offset));
      if (node < 0) return;
      // The first character matched the child's code; compare the rest of its label.
      const start = nodes[node + LABEL_START]!;
      const length = nodes[node + LABEL_LENGTH]!;
      if (offset + length > path.length) return;
      for (let k = 1; k < length; k++) if (this.labels.charCodeAt(start + k) !== path.charCodeAt(offset + k)) return;
      offset += length;
      if (nodes[node + RANKS_END]! > nodes[node + RANKS_START]!) sink.add(nodes[node + RANKS_START]!, nodes[node + RANKS_END]!, host);
    }
  }

  private childOf(node: number, code: number): number {
    const nodes = this.nodes;
    const table = node + HEADER_SIZE;
    let low = 0;
    let high = nodes[node + CHILD_COUNT]!;
    while (high - low > LINEAR_CHILDREN) {
      const middle = (low + high) >>> 1;
      if (nodes[table + middle * 2]! <= code) low = middle;
      else high = middle;
    }
    for (let i = low; i < high; i++) if (nodes[table + i * 2] === code) return nodes[table + i * 2 + 1]!;
    return -1;
  }
}

type KeyRanks = ReadonlyMap<string, number | number[]>;

/** A node written but for its children's nodes: where its label ends, and its first child's key. */
interface OpenNode {
  readonly node: number;
  readonly end: number;
  readonly childrenFrom: number;
}

/** Subtrees with more keys than this are built in several steps. */
const KEYS_PER_STEP = 2048;

/** Collects (trie, key, rank) triples, ranks ascending, then packs every trie at once. */
export class PathTriesBuilder {
  /** Per trie, key -> its rank, or its ranks once a second entry shares the key. */
  private readonly keyed: Map<string, number | number[]>[] = [];
  private readonly nodes: number[] = [];
  private readonly labels: string[] = [];
  private labelsLength = 0;
  private readonly ranks: number[] = [];

  /** A new empty trie; returns its number for `add` and `collect`. */
  addTrie(): number {
    return this.keyed.push(new Map()) - 1;
  }

  add(trie: number, key: string, rank: number): void {
    const byKey = this.keyed[trie]!;
    const ranks = byKey.get(key);
    if (ranks === undefined) byKey.set(key, rank);
    else if (typeof ranks === 'number') byKey.set(key, [ranks, rank]);
    else ranks.push(rank);
  }

  build(): PathTries {
    return runSteps(this.buildSteps());
  }

  /** build in steps: one per trie, and one per child of a node above many keys. */
  *buildSteps(): Steps<PathTries> {
    const roots = new Int32Array(this.keyed.length);
    for (let trie = 0; trie < this.keyed.length; trie++) {
      const byKey = this.keyed[trie]!;
      const keys = [...byKey.keys()].sort();
      roots[trie] = yield* this.nodeSteps(byKey, keys, 0, keys.length, 0, true);
      yield;
    }
    return new PathTries(roots, Int32Array.from(this.nodes), this.labels.join(''), Int32Array.from(this.ranks));
  }

  /** buildNode, yielding between the children of nodes that hold many keys. */
  private *nodeSteps(byKey: KeyRanks, keys: readonly string[], low: number, high: number, start: number, root: boolean): Steps<number> {
    if (high - low <= KEYS_PER_STEP) return this.buildNode(byKey, keys, low, high, start, root);
    const { node, end, childrenFrom } = this.openNode(byKey, keys, low, high, start, root);
    let slot = node + HEADER_SIZE;
    for (let i = childrenFrom; i < high; slot += 2) {
      const j = childEnd(keys, i, high, end);
      this.nodes[slot + 1] = yield* this.nodeSteps(byKey, keys, i, j, end, false);
      yield;
      i = j;
    }
    return node;
  }

  /**
   * The node for sorted keys[low..high), which share their first `start` characters. Its label
   * runs from `start` to the longest prefix they all share (the root's label is empty).
   */
  private buildNode(byKey: KeyRanks, keys: readonly string[], low: number, high: number, start: number, root: boolean): number {
    const { node, end, childrenFrom } = this.openNode(byKey, keys, low, high, start, root);
    let slot = node + HEADER_SIZE;
    for (let i = childrenFrom; i < high; slot += 2) {
      const j = childEnd(keys, i, high, end);
      this.nodes[slot + 1] = this.buildNode(byKey, keys, i, j, end, false);
      i = j;
    }
    return node;
  }

  /** Writes a node with its label and ranks, and its child table but for the children's nodes, which the caller builds. */
  private openNode(byKey: KeyRanks, keys: readonly string[], low: number, high: number, start: number, root: boolean): OpenNode {
    let end = start;
    if (!root && high > low) {
      const first = keys[low]!;
      const last = keys[high - 1]!;
      const max = Math.min(first.length, last.length);
      while (end < max && first.charCodeAt(end) === last.charCodeAt(end)) end++;
    }
    const node = this.nodes.length;
    const ranksStart = this.ranks.length;
    if (end > start) {
      this.labels.push(keys[low]!.slice(start, end));
      this.labelsLength += end - start;
    }
    if (low < high && keys[low]!.length === end) {
      const ranks = byKey.get(keys[low]!)!;
      if (typeof ranks === 'number') this.ranks.push(ranks);
      else for (const rank of ranks) this.ranks.push(rank);
      low++;
    }
    let count = 0;
    for (let i = low; i < high; i = childEnd(keys, i, high, end)) count++;
    this.nodes.push(this.labelsLength - (end - start), end - start, ranksStart, this.ranks.length, count);
    for (let i = low; i < high; i = childEnd(keys, i, high, end)) this.nodes.push(keys[i]!.charCodeAt(end), 0);
    return { node, end, childrenFrom: low };
  }
}

/** Past keys[from], the first key (before `high`) whose character at `at` differs from keys[from]'s. */
function childEnd(keys: readonly string[], from: number, high: number, at: number): number {
  const code = keys[from]!.charCodeAt(at);
  let i = from + 1;
  while (i < high && keys[i]!.charCodeAt(at) === code) i++;
  return i;
}

