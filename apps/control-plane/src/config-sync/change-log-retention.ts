import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Keeps the change log bounded: versions older than the newest `keep` are purged, and the
 * purge watermark tells the delta builder that data planes behind it need a full snapshot.
 */
@Injectable()
export class ChangeLogRetention {
  constructor(private readonly dataSource: DataSource) {}

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
