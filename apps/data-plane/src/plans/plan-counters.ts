import type { CounterWindow, PluginServices, RedisConnection, WindowCounterStore, WindowCounts } from '@tollgate/plugins';
import type { GatewayServices } from '../pipeline/gateway-services';

/** Where the marketplace gate finds its counters among the data plane's process states. */
export const PLAN_COUNTERS_STATE = 'marketplace-plan-counters';

/** The counters plans count in: the region's Redis when TOLLGATE_PLAN_COUNTERS=redis, else this node's. */
export function planCounters(services: PluginServices): WindowCounterStore {
  return services.processState<WindowCounterStore>(PLAN_COUNTERS_STATE, () => services.nodeCounters);
}

/** REDIS_URL as the `redis` record the counter clients take. */
export function redisConnectionOf(url: string): RedisConnection {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    timeout: 2000,
    username: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
    database: Number(u.pathname.slice(1) || 0),
    ssl: u.protocol === 'rediss:',
    ssl_verify: true,
    server_name: null,
  };
}

interface Known {
  start: number;
  count: number;
}

/**
 * A region's plan counters in its Redis (every node of the region counts in one place, so a
 * quota is exact across them), falling back to this node's own counters while Redis is away:
 * the node then enforces on the last count Redis gave it plus what it admitted since, so the
 * overshoot during an outage is at most what the other nodes admit meanwhile.
 */
export class RegionPlanCounters implements WindowCounterStore {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly redis: WindowCounterStore,
    private readonly node: WindowCounterStore,
    private readonly warn: (error: unknown) => void,
  ) {}

  increment(key: string, windows: readonly CounterWindow[], amount = 1): Promise<WindowCounts> {
    return (this.redis.increment(key, windows, amount) as Promise<WindowCounts>).then(
      (counts) => {
        this.remember(key, windows[0]!, counts[windows[0]!.slot]!);
        return counts;
      },
      (error: unknown) => {
        this.warn(error);
        return this.offline(key, windows, amount);
      },
    );
  }

  private remember(key: string, window: CounterWindow, count: number): void {
    const known = this.known.get(key);
    if (known === undefined) this.known.set(key, { start: window.start, count });
    else {
      known.start = window.start;
      known.count = count;
    }
  }

  private async offline(key: string, windows: readonly CounterWindow[], amount: number): Promise<WindowCounts> {
    const local = Array.from(await this.node.increment(`offline:${key}`, windows, amount));
    const known = this.known.get(key);
    const w = windows[0]!;
    if (known !== undefined && known.start === w.start) local[w.slot] = local[w.slot]! + known.count;
    return local;
  }
}

/** TOLLGATE_PLAN_COUNTERS=redis: plans count in the region's Redis, this node's counters as the fallback. */
export function useRegionPlanCounters(services: GatewayServices, redisUrl: string): void {
  const redis = services.redisCounters(redisConnectionOf(redisUrl));
  services.processState<WindowCounterStore>(PLAN_COUNTERS_STATE, () =>
    new RegionPlanCounters(redis, services.nodeCounters, (error) => services.warnThrottled('plan-counters', 'plan counters: redis unreachable, enforcing on this node\'s counts', error)),
  );
}
