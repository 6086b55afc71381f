import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const DEFAULT_RETAINED_VERSIONS = 10_000;
const SWEEP_MS = 10 * 60_000;

/**
 * Keeps the change log bounded: versions older than the newest `keep` are purged, and the
 * purge watermark tells the delta builder that data planes behind it need a full snapshot.
 * Every replica sweeps; the statements are idempotent, so replicas never conflict.
 */
@Injectable()
export class ChangeLogRetention {
  private readonly logger = new Logger('ChangeLogRetention');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly dataSource: DataSource) {}

  start(keep = DEFAULT_RETAINED_VERSIONS): void {
    this.timer = setInterval(() => {
      this.keepLatest(keep).catch((err: unknown) => this.logger.warn(`change log sweep failed: ${String(err)}`));
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async purgeThrough(version: number): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      await db.query('UPDATE config_state SET changes_purged_through = GREATEST(changes_purged_through, $1)', [version]);
      await db.query('DELETE FROM config_changes WHERE version <= $1', [version]);
    });
  }

  async keepLatest(keep: number): Promise<void> {
    const [state] = await this.dataSource.query('SELECT version FROM config_state');
    const through = Number(state.version) - keep;
    if (through > 0) await this.purgeThrough(through);
  }
}
