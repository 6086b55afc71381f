import type { DataSource } from 'typeorm';

/**
 * A read for the replica (DATABASE_READ_URL): analytics scans run there, off the primary that
 * takes every write. Without a replica configured TypeORM's `slave` runner is the primary's.
 * Rows arrive with the replica's lag (usually well under a second).
 */
export async function replicaQuery<T>(dataSource: DataSource, sql: string, params: unknown[]): Promise<T> {
  const runner = dataSource.createQueryRunner('slave');
  try {
    return (await runner.query(sql, params)) as T;
  } finally {
    await runner.release();
  }
}
