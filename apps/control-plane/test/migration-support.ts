import type { DataSource } from 'typeorm';

/**
 * Undoes migrations from the newest back to and including `name`, so a test of one migration's
 * `down` holds however many migrations are added after it.
 */
export async function undoThrough(db: DataSource, name: string): Promise<void> {
  const ran = async () => ((await db.query('SELECT 1 FROM migrations WHERE name = $1', [name])) as unknown[]).length > 0;
  while (await ran()) await db.undoLastMigration();
}
