import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';

/**
 * The control plane's Prometheus registry behind `/metrics`. One per app (not prom-client's
 * global), so several control planes in one process (tests, benchmarks) never share counters.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
}
