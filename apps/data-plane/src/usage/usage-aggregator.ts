import { LatencyHistogram, MINUTE_MS, type UsageRow } from '@tollgate/usage';

/** One (minute, service, route, consumer, status) cell: what a batch row reports. */
class UsageCell {
  count = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly gateway = new LatencyHistogram();
  readonly upstream = new LatencyHistogram();
}

class ConsumerUsage {
  readonly statuses = new Map<number, UsageCell>();
  constructor(readonly consumerId: string | null) {}
}

class RouteUsage {
  readonly consumers = new Map<string, ConsumerUsage>();
  constructor(
    readonly serviceId: string | null,
    readonly routeId: string | null,
  ) {}
}

class MinuteUsage {
  readonly routes = new Map<string, RouteUsage>();
  constructor(readonly start: number) {}
}

const NONE = '';

/**
 * Counts calls per (minute, service, route, consumer, status) in memory until the next flush.
 * A call is three map lookups keyed by ids the config already holds as strings (route id,
 * consumer id) and the status number, then counter and histogram updates; it allocates only the
 * first time a cell is seen within a flush interval. The recorder feeds it calls in bulk (see
 * CallBuffer), where those lookups stay in cache.
 */
export class UsageAggregator {
  private minutes = new Map<number, MinuteUsage>();
  private current: MinuteUsage | null = null;
  private cells = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Cells held since the last drain (the batch's row count). */
  get size(): number {
    return this.cells;
  }

  /**
   * @param totalMs     whole time from request received to response finished
   * @param upstreamMs  time spent upstream; negative when the call never went upstream
   */
  record(
    serviceId: string | null,
    routeId: string | null,
    consumerId: string | null,
    status: number,
    bytesIn: number,
    bytesOut: number,
    totalMs: number,
    upstreamMs: number,
  ): void {
    this.recordAt(this.clock(), serviceId, routeId, consumerId, status, bytesIn, bytesOut, totalMs, upstreamMs);
  }

  /** `record` for a call that finished at `now` (epoch ms): counted in that minute. */
  recordAt(
    now: number,
    serviceId: string | null,
    routeId: string | null,
    consumerId: string | null,
    status: number,
    bytesIn: number,
    bytesOut: number,
    totalMs: number,
    upstreamMs: number,
  ): void {
    let minute = this.current;
    if (minute === null || now < minute.start || now >= minute.start + MINUTE_MS) minute = this.enterMinute(now);
    let route = minute.routes.get(routeId ?? NONE);
    if (route === undefined || route.serviceId !== serviceId) route = this.routeUsage(minute, serviceId, routeId, route);
    let consumer = route.consumers.get(consumerId ?? NONE);
    if (consumer === undefined) {
      consumer = new ConsumerUsage(consumerId);
      route.consumers.set(consumerId ?? NONE, consumer);
    }
    let cell = consumer.statuses.get(status);
    if (cell === undefined) {
      cell = new UsageCell();
      consumer.statuses.set(status, cell);
      this.cells++;
    }
    cell.count++;
    cell.bytesIn += bytesIn;
    cell.bytesOut += bytesOut;
    if (upstreamMs >= 0) {
      cell.upstream.record(upstreamMs);
      cell.gateway.record(Math.max(0, totalMs - upstreamMs));
    } else {
      cell.gateway.record(totalMs);
    }
  }

  /** Everything counted since the last drain, as batch rows; the aggregator starts empty again. */
  drain(): UsageRow[] {
    const rows: UsageRow[] = [];
    for (const minute of this.minutes.values()) {
      for (const route of minute.routes.values()) {
        for (const consumer of route.consumers.values()) {
          for (const [status, cell] of consumer.statuses) {
            rows.push({
              minute: minute.start,
              service_id: route.serviceId,
              route_id: route.routeId,
              consumer_id: consumer.consumerId,
              status,
              count: cell.count,
              bytes_in: cell.bytesIn,
              bytes_out: cell.bytesOut,
              gateway_latency: cell.gateway.toBase64(),
              upstream_latency: cell.upstream.toBase64(),
            });
          }
        }
      }
    }
    this.minutes = new Map();
    this.current = null;
    this.cells = 0;
    return rows;
  }

  /** Once a minute (or when the clock steps back): find or open that minute's table. */
  private enterMinute(now: number): MinuteUsage {
    const start = now - (now % MINUTE_MS);
    let minute = this.minutes.get(start);
    if (minute === undefined) {
      minute = new MinuteUsage(start);
      this.minutes.set(start, minute);
    }
    this.current = minute;
    return minute;
  }

  /**
   * A route seen for the first time this minute, or one whose service changed under it (a config
   * change): the latter keys on route and service so the two services' calls stay apart.
   */
  private routeUsage(minute: MinuteUsage, serviceId: string | null, routeId: string | null, seen: RouteUsage | undefined): RouteUsage {
    const key = seen === undefined ? (routeId ?? NONE) : `${routeId ?? NONE}\u0000${serviceId ?? NONE}`;
    let route = minute.routes.get(key);
    if (route === undefined) {
      route = new RouteUsage(serviceId, routeId);
      minute.routes.set(key, route);
    }
    return route;
  }
}
