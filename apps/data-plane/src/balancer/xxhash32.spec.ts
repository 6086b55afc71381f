import { xxhash32, xxhash32Bytes } from './xxhash32';

describe('xxhash32', () => {
  it('matches the reference vectors (seed 0)', () => {
    expect(xxhash32('')).toBe(0x02cc5d05);
    expect(xxhash32('a')).toBe(0x550d7456);
    expect(xxhash32('abc')).toBe(0x32d153ff);
    // 39 bytes: exercises the 16-byte stripes, the 4-byte lanes and the tail.
    expect(xxhash32('Nobody inspects the spammish repetition')).toBe(0xe2293b2f);
  });

  it('hashes the UTF-8 bytes of non-ASCII and of keys longer than its reused buffer', () => {
    for (const key of ['é', 'ключ-🔑', 'x'.repeat(5000) + 'ü']) {
      const bytes = Buffer.from(key, 'utf8');
      expect(xxhash32(key)).toBe(xxhash32Bytes(bytes, bytes.length));
    }
    expect(xxhash32('é')).not.toBe(xxhash32('e'));
  });
});
