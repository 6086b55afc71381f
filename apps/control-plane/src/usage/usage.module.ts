import { Inject, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CONTROL_PLANE_RUNTIME, type ControlPlaneRuntime } from '../control-plane-runtime';
import { MetricsModule } from '../metrics/metrics.module';
import { BatchApplier } from './batch-applier';
import { RollupMarks } from './rollup-marks';
import { RollupWriter } from './rollup-writer';
import { UsageIngestionWorker } from './usage-ingestion.worker';
import { UsageMetrics } from './usage-metrics';
import { UsageRetention } from './usage-retention';
import { UsageRoller } from './usage-roller';

/** Usage from data planes into rollups: the BullMQ worker, the hour/day roller, retention. */
@Module({
  imports: [MetricsModule],
  providers: [UsageMetrics, RollupWriter, RollupMarks, BatchApplier, UsageIngestionWorker, UsageRoller, UsageRetention],
  exports: [BatchApplier, UsageRoller],
})
export class UsageModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(CONTROL_PLANE_RUNTIME) private readonly runtime: ControlPlaneRuntime,
    private readonly worker: UsageIngestionWorker,
    private readonly roller: UsageRoller,
    private readonly retention: UsageRetention,
  ) {}

  onApplicationBootstrap(): void {
    const { settings, usageWorker } = this.runtime;
    if (settings.usageWorkerConcurrency > 0) {
      const { redisUrl, redisKeyPrefix, usageWorkerConcurrency: concurrency, usageLockMs } = settings;
      this.worker.start({ redisUrl, redisKeyPrefix, concurrency, lockDurationMs: usageLockMs, stalledIntervalMs: usageLockMs, ...usageWorker });
    }
    if (settings.usageRollIntervalMs > 0) this.roller.start(settings.usageRollIntervalMs);
    this.retention.start({ minuteRowsMs: settings.usageMinuteRetentionMs, batchIdsMs: settings.usageBatchIdRetentionMs });
  }

  /** Before the database pool closes (TypeORM closes it at shutdown, after this): a batch or roll in flight finishes first. */
  async onModuleDestroy(): Promise<void> {
    this.retention.stop();
    await this.worker.stop();
    await this.roller.stop();
  }
}
