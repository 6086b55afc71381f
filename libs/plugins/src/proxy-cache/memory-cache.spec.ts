import { MemoryCache, type CachedResponse } from './memory-cache';

const entry = (size: number, expiresAt = 1e12): CachedResponse => ({ status: 200, headers: [], contentType: 'text/plain', body: Buffer.alloc(0), storedAt: 0, ttl: 300, expiresAt, size });

describe('proxy-cache memory store', () => {
  it('stays within its byte bound, dropping the least recently used entries first', () => {
    const cache = new MemoryCache(800);
    for (const key of ['a', 'b', 'c', 'd']) cache.store('p', key, entry(100));
    cache.fetch('p', 'a', 0); // a is now the most recently used
    for (const key of ['e', 'f', 'g', 'h', 'i']) cache.store('p', key, entry(100));
    expect(cache.usedBytes).toBeLessThanOrEqual(800);
    expect(cache.fetch('p', 'a', 0)).toBeDefined();
    expect(cache.fetch('p', 'b', 0)).toBeUndefined();
  });

  it('refuses an entry larger than an eighth of the bound, and forgets expired ones', () => {
    const cache = new MemoryCache(800);
    cache.store('p', 'big', entry(101));
    expect(cache.size).toBe(0);
    cache.store('p', 'old', entry(10, 5));
    expect(cache.fetch('p', 'old', 6)).toBeUndefined();
    expect(cache.usedBytes).toBe(0);
  });

  it('purges by plugin and key, by key on every plugin, or everything', () => {
    const cache = new MemoryCache(10_000);
    for (const p of ['p1', 'p2']) for (const k of ['k1', 'k2']) cache.store(p, k, entry(10));
    expect(cache.purge('p1', 'k1')).toBe(true);
    expect(cache.purge('p1', 'k1')).toBe(false);
    expect(cache.purge(null, 'k2')).toBe(true);
    expect(cache.size).toBe(1);
    cache.purge(null, null);
    expect(cache.size).toBe(0);
  });
});
