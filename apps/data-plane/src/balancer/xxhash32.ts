/**
 * xxHash32 (seed 0) of a string's UTF-8 bytes: the hash Kong's consistent-hashing ring uses.
 * Fast, well distributed and non-cryptographic; the string is encoded into one reused buffer so
 * hashing a request's key allocates nothing.
 */
const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

let scratch = Buffer.allocUnsafe(1024);

export function xxhash32(input: string): number {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (input.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(input.length * 3);
  const length = scratch.write(input, 0, 'utf8');
  return xxhash32Bytes(scratch, length);
}

export function xxhash32Bytes(bytes: Uint8Array, length: number): number {
  let offset = 0;
  let h: number;
  if (length >= 16) {
    let v1 = (PRIME1 + PRIME2) | 0;
    let v2 = PRIME2;
    let v3 = 0;
    let v4 = -PRIME1 | 0;
    for (const limit = length - 16; offset <= limit; offset += 16) {
      v1 = round(v1, readU32(bytes, offset));
      v2 = round(v2, readU32(bytes, offset + 4));
      v3 = round(v3, readU32(bytes, offset + 8));
      v4 = round(v4, readU32(bytes, offset + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = PRIME5;
  }
  h = (h + length) | 0;
  for (; offset + 4 <= length; offset += 4) {
    h = Math.imul(rotl((h + Math.imul(readU32(bytes, offset), PRIME3)) | 0, 17), PRIME4);
  }
  for (; offset < length; offset++) {
    h = Math.imul(rotl((h + Math.imul(bytes[offset], PRIME5)) | 0, 11), PRIME1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function readU32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}
