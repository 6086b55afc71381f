import type { EntityManager } from 'typeorm';

/**
 * When a period's usage counts as settled: every data plane that had a batch applied during the
 * period has since had one applied that it flushed at or after the period's end (data planes flush
 * on a timer even when idle, so a live node always gets there), or `graceMs` has passed since the
 * end (a node that went away). Usage arriving later still becomes an adjustment.
 */
export async function usageSettled(db: EntityManager, periodStart: number, periodEnd: number, now: number, graceMs: number): Promise<boolean> {
  if (now >= periodEnd * 1000 + graceMs) return true;
  if (now < periodEnd * 1000) return false;
  const [row] = (await db.query(
    `SELECT count(*)::int AS behind FROM (
       SELECT node_id, max(flushed_at) AS last FROM usage_batches
        WHERE flushed_at >= to_timestamp($1) GROUP BY node_id) n
      WHERE n.last < to_timestamp($2)
        AND EXISTS (SELECT 1 FROM usage_batches b WHERE b.node_id = n.node_id AND b.flushed_at < to_timestamp($2))`,
    [periodStart, periodEnd],
  )) as { behind: number }[];
  return row!.behind === 0;
}
