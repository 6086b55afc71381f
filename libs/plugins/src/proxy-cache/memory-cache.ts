/** One cached response, as the access phase replays it. */
export interface CachedResponse {
  readonly status: number;
  /** Flat `[name, value, ...]`, hop-by-hop and length headers left out. */
  readonly headers: readonly string[];
  readonly contentType: string;
  readonly body: Buffer;
  /** Seconds since the epoch, when stored. */
  readonly storedAt: number;
  /** Seconds the entry is fresh (cache_ttl, or the upstream's max-age with cache_control). */
  readonly ttl: number;
  /** Seconds since the epoch after which the entry is gone. */
  readonly expiresAt: number;
  readonly size: number;
}

/**
 * Each process's proxy-cache entries, by plugin id then cache key, bounded in bytes: the least
 * recently used entries go first (a Map keeps insertion order; a hit re-inserts). Kong's memory
 * strategy is a shared dict per node; here each worker holds its own, so memory stays bounded per
 * process and a hit never waits on IPC.
 */
export class MemoryCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  fetch(pluginId: string, key: string, now: number): CachedResponse | undefined {
    const id = pluginId + '|' + key;
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= now) {
      this.bytes -= entry.size;
      return undefined;
    }
    this.entries.set(id, entry);
    return entry;
  }

  store(pluginId: string, key: string, entry: CachedResponse): void {
    if (entry.size > this.maxBytes / 8) return; // one huge answer must not empty the cache
    const id = pluginId + '|' + key;
    this.remove(id);
    this.entries.set(id, entry);
    this.bytes += entry.size;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.size;
    }
  }

  /** Purges one key (of one plugin, or of every plugin when pluginId is null); returns whether any went. */
  purge(pluginId: string | null, key: string | null): boolean {
    let purged = false;
    for (const id of [...this.entries.keys()]) {
      const bar = id.indexOf('|');
      if (pluginId !== null && id.slice(0, bar) !== pluginId) continue;
      if (key !== null && id.slice(bar + 1) !== key) continue;
      purged = this.remove(id) || purged;
    }
    return purged;
  }

  private remove(id: string): boolean {
    const old = this.entries.get(id);
    if (old === undefined) return false;
    this.entries.delete(id);
    this.bytes -= old.size;
    return true;
  }
}

/** Per process; TOLLGATE_PROXY_CACHE_MEMORY (bytes) bounds it, 64 MiB by default. */
export const processCache = new MemoryCache(Number(process.env.TOLLGATE_PROXY_CACHE_MEMORY ?? '') || 64 * 1024 * 1024);
