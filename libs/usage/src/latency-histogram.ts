import { ByteReader, ByteWriter } from './varint';

/**
 * Every quantile this histogram reports is within 1% of the true value (relative error), well
 * inside the 2% the analytics API promises. DDSketch's logarithmic mapping: bucket i holds
 * values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α), and reports 2γ^i/(γ+1), at most α away from any
 * value in the bucket.
 */
export const LATENCY_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + LATENCY_RELATIVE_ACCURACY) / (1 - LATENCY_RELATIVE_ACCURACY);
const INV_LOG_GAMMA = 1 / Math.log(GAMMA);
/** Below one microsecond a latency is noise: it counts as zero. */
const MIN_INDEXABLE_MS = 0.001;
/** Clamp at about 11.5 days so one absurd value cannot make the dense store huge. */
const MAX_INDEXABLE_MS = 1e9;
const INITIAL_CAPACITY = 16;
const FORMAT_VERSION = 1;

function bucketIndex(ms: number): number {
  return Math.ceil(Math.log(ms > MAX_INDEXABLE_MS ? MAX_INDEXABLE_MS : ms) * INV_LOG_GAMMA);
}

const MIN_INDEX = bucketIndex(MIN_INDEXABLE_MS);
const MAX_INDEX = bucketIndex(MAX_INDEXABLE_MS);

/** Decoding scratch space: at most one slot per possible bucket. */
const SCRATCH_INDEX = new Int32Array(MAX_INDEX - MIN_INDEX + 1);
const SCRATCH_COUNT = new Float64Array(MAX_INDEX - MIN_INDEX + 1);

function bucketValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

export class HistogramDecodeError extends Error {}

/** Reads an encoded histogram's buckets into the scratch arrays (ascending index), checking it. */
function readBuckets(bytes: Uint8Array): { zeroCount: number; buckets: number } {
  const input = new ByteReader(bytes, (message) => new HistogramDecodeError(`latency histogram: ${message}`));
  if (input.byte() !== FORMAT_VERSION) throw new HistogramDecodeError('latency histogram: unknown format version');
  const zeroCount = input.uint();
  const buckets = input.uint();
  if (buckets > MAX_INDEX - MIN_INDEX + 1) throw new HistogramDecodeError('latency histogram: too many buckets');
  let index = 0;
  for (let b = 0; b < buckets; b++) {
    const step = b === 0 ? input.int() : input.uint();
    if (b > 0 && step === 0) throw new HistogramDecodeError('latency histogram: bucket indexes must increase');
    index = b === 0 ? step : index + step;
    if (index < MIN_INDEX || index > MAX_INDEX) throw new HistogramDecodeError('latency histogram: bucket out of range');
    const c = input.uint();
    if (c === 0) throw new HistogramDecodeError('latency histogram: empty bucket encoded');
    SCRATCH_INDEX[b] = index;
    SCRATCH_COUNT[b] = c;
  }
  input.end();
  return { zeroCount, buckets };
}

/**
 * A mergeable latency histogram in milliseconds (DDSketch-style, log-bucketed). Recording is
 * O(1) and allocates only when the value range grows; two histograms merge exactly, so
 * per-node, per-minute histograms add up to hourly and daily ones with the same accuracy.
 */
export class LatencyHistogram {
  /** Dense bucket counts; counts[k] is bucket `offset + k`. */
  private counts: Float64Array = new Float64Array(0);
  private offset = 0;
  private zeroCount = 0;
  private total = 0;

  get count(): number {
    return this.total;
  }

  /** Records one latency; negative and NaN values (no such phase happened) are ignored. */
  record(ms: number): void {
    this.recordMany(ms, 1);
  }

  recordMany(ms: number, times: number): void {
    if (!(ms >= 0) || !(times > 0)) return;
    this.total += times;
    if (ms < MIN_INDEXABLE_MS) {
      this.zeroCount += times;
      return;
    }
    const index = bucketIndex(ms);
    let slot = index - this.offset;
    if (slot < 0 || slot >= this.counts.length) slot = this.makeRoom(index, index);
    this.counts[slot]! += times;
  }

  merge(other: LatencyHistogram): this {
    if (other.total === 0) return this;
    this.zeroCount += other.zeroCount;
    this.total += other.total;
    const [low, high] = other.usedRange();
    if (low > high) return this;
    this.makeRoom(low, high);
    for (let index = low; index <= high; index++) {
      const c = other.counts[index - other.offset]!;
      if (c !== 0) this.counts[index - this.offset]! += c;
    }
    return this;
  }

  /**
   * The value at rank ⌊q·(count−1)⌋ of the recorded values, within the relative accuracy;
   * null when nothing was recorded.
   */
  quantile(q: number): number | null {
    if (this.total === 0 || !(q >= 0 && q <= 1)) return null;
    const rank = q * (this.total - 1);
    let seen = this.zeroCount;
    if (seen > rank) return 0;
    for (let slot = 0; slot < this.counts.length; slot++) {
      seen += this.counts[slot]!;
      if (seen > rank) return bucketValue(slot + this.offset);
    }
    return bucketValue(this.counts.length - 1 + this.offset);
  }

  /** Compact binary form: zero count, then (index gap, count) varints for non-empty buckets. */
  encode(): Buffer {
    const [low, high] = this.usedRange();
    let buckets = 0;
    for (let index = low; index <= high; index++) if (this.counts[index - this.offset] !== 0) buckets++;
    const out = ByteWriter.shared(16 + buckets * 16);
    out.byte(FORMAT_VERSION);
    out.uint(this.zeroCount);
    out.uint(buckets);
    let previous: number | null = null;
    for (let index = low; index <= high; index++) {
      const c = this.counts[index - this.offset]!;
      if (c === 0) continue;
      if (previous === null) out.int(index);
      else out.uint(index - previous);
      out.uint(c);
      previous = index;
    }
    return out.finish();
  }

  toBase64(): string {
    return this.encode().toString('base64');
  }

  static decode(bytes: Uint8Array): LatencyHistogram {
    const h = new LatencyHistogram();
    const { zeroCount, buckets } = readBuckets(bytes);
    h.zeroCount = zeroCount;
    h.total = zeroCount;
    if (buckets === 0) return h;
    h.offset = SCRATCH_INDEX[0]!;
    h.counts = new Float64Array(SCRATCH_INDEX[buckets - 1]! - h.offset + 1);
    for (let b = 0; b < buckets; b++) {
      h.counts[SCRATCH_INDEX[b]! - h.offset] = SCRATCH_COUNT[b]!;
      h.total += SCRATCH_COUNT[b]!;
    }
    return h;
  }

  /**
   * `encode(decode(stored).merge(this))` without building the stored histogram: what the
   * control plane does for every rollup row it updates, so it is done in one pass over both.
   */
  mergedWithEncoded(stored: Uint8Array): Buffer {
    const { zeroCount, buckets } = readBuckets(stored);
    const [low, high] = this.usedRange();
    let union = buckets;
    for (let index = low, b = 0; index <= high; index++) {
      if (this.counts[index - this.offset] === 0) continue;
      while (b < buckets && SCRATCH_INDEX[b]! < index) b++;
      if (b >= buckets || SCRATCH_INDEX[b] !== index) union++;
    }
    const out = ByteWriter.shared(16 + union * 16);
    out.byte(FORMAT_VERSION);
    out.uint(zeroCount + this.zeroCount);
    out.uint(union);
    let previous: number | null = null;
    let b = 0;
    let index = low;
    const emit = (at: number, count: number) => {
      if (previous === null) out.int(at);
      else out.uint(at - previous);
      out.uint(count);
      previous = at;
    };
    while (b < buckets || index <= high) {
      while (index <= high && this.counts[index - this.offset] === 0) index++;
      const mine = index <= high ? index : Infinity;
      const theirs = b < buckets ? SCRATCH_INDEX[b]! : Infinity;
      if (mine === Infinity && theirs === Infinity) break;
      if (theirs < mine) emit(theirs, SCRATCH_COUNT[b++]!);
      else if (mine < theirs) emit(mine, this.counts[index++ - this.offset]!);
      else emit(mine, this.counts[index++ - this.offset]! + SCRATCH_COUNT[b++]!);
    }
    return out.finish();
  }

  static fromBase64(text: string): LatencyHistogram {
    return LatencyHistogram.decode(Buffer.from(text, 'base64'));
  }

  /** [lowest, highest] bucket index holding a count; low > high when there is none. */
  private usedRange(): [number, number] {
    let first = 0;
    while (first < this.counts.length && this.counts[first] === 0) first++;
    let last = this.counts.length - 1;
    while (last >= first && this.counts[last] === 0) last--;
    return [first + this.offset, last + this.offset];
  }

  /** Grows the dense store to cover [low, high], doubling so growth is rare; returns low's slot. */
  private makeRoom(low: number, high: number): number {
    const length = this.counts.length;
    if (length > 0 && low >= this.offset && high < this.offset + length) return low - this.offset;
    const from = length === 0 ? low : Math.min(low, this.offset);
    const to = length === 0 ? high : Math.max(high, this.offset + length - 1);
    const needed = to - from + 1;
    // A histogram filled by merging is sized exactly; one filled by recording grows with room to spare.
    const capacity = length === 0 && low !== high ? needed : Math.max(INITIAL_CAPACITY, needed, length * 2);
    // Leave head room on the side that grew, where the next values most likely land.
    const slack = capacity - needed;
    const newOffset = length === 0 ? from - (slack >> 1) : low < this.offset ? from - slack : from;
    const grown = new Float64Array(capacity);
    if (length > 0) grown.set(this.counts, this.offset - newOffset);
    this.counts = grown;
    this.offset = newOffset;
    return low - newOffset;
  }
}
