import type { EntityManager } from 'typeorm';

export interface BillableQuery {
  readonly consumerId: string;
  readonly serviceIds: readonly string[];
  /** Unix seconds, half-open [start, end). */
  readonly start: number;
  readonly end: number;
  readonly bill5xx: boolean;
}

/**
 * Requests of the subscription's consumer to the plan's services in the period, from the minute
 * rollups (a consumer holds at most one active subscription per plan). Upstream 5xx are left
 * out unless the plan bills them; 429 is the gateway refusing the call, never billed. Rollups
 * count by minute, so a period counts the minutes starting in it once both its bounds are
 * rounded down to the minute: each minute lands in exactly one period, none is lost or doubled.
 */
export async function billableRequests(db: EntityManager, q: BillableQuery): Promise<{ requests: number; billable: number }> {
  const [row] = (await db.query(
    `SELECT coalesce(sum(requests), 0)::text AS requests,
            coalesce(sum(requests) FILTER (WHERE status <> 429 AND (status < 500 OR $5)), 0)::text AS billable
       FROM usage_minute
      WHERE consumer_id = $1 AND service_id = ANY($2::uuid[])
        AND bucket >= date_trunc('minute', to_timestamp($3)) AND bucket < date_trunc('minute', to_timestamp($4))`,
    [q.consumerId, q.serviceIds, q.start, q.end, q.bill5xx],
  )) as { requests: string; billable: string }[];
  return { requests: Number(row!.requests), billable: Number(row!.billable) };
}
