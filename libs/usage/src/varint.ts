/**
 * LEB128 varints over plain numbers (safe up to 2^53, not 2^32: daily rollup counts can pass
 * four billion), so arithmetic is done with division rather than 32-bit shifts.
 */
export class ByteWriter {
  private static scratch = new ByteWriter(new Uint8Array(4096));
  private length = 0;

  private constructor(private bytes: Uint8Array) {}

  /** A writer over shared scratch space (encoding is synchronous), big enough for `maxBytes`. */
  static shared(maxBytes: number): ByteWriter {
    const w = ByteWriter.scratch;
    if (w.bytes.length < maxBytes) w.bytes = new Uint8Array(maxBytes);
    w.length = 0;
    return w;
  }

  byte(value: number): void {
    this.bytes[this.length++] = value & 0xff;
  }

  uint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  /** Zig-zag: small negative numbers stay short. */
  int(value: number): void {
    this.uint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  /** The bytes written, copied out of the scratch space. */
  finish(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.length));
  }
}

export class ByteReader {
  private position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (message: string) => Error,
  ) {}

  byte(): number {
    if (this.position >= this.bytes.length) throw this.fail('truncated');
    return this.bytes[this.position++]!;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw this.fail('varint too long');
    }
    if (!Number.isSafeInteger(value)) throw this.fail('varint too large');
    return value;
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  end(): void {
    if (this.position !== this.bytes.length) throw this.fail('trailing bytes');
  }
}
