import { Controller, Get, Injectable, Param, Query } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { invalidParameter } from '../analytics/usage-query';
import { instantParameter, oneOfParameter } from './invoice-query';

export interface RevenueBucket {
  bucket: string;
  currency: string;
  /** Minor units of `currency`: the totals of invoices issued in the bucket, voided ones left out. */
  total: number;
  invoices: number;
}

const DAY = 86_400;

function organizationNotFound(id: string): AdminError {
  return new AdminError(AdminErrorCode.NOT_FOUND, `could not find the 'organizations' entity with key '${id}'`, { id });
}

/** An organization's invoiced revenue per UTC day or month, one row per bucket and currency. */
@Injectable()
export class OrganizationRevenue {
  constructor(private readonly dataSource: DataSource) {}

  async revenue(id: string, query: Record<string, unknown>, now = Date.now()): Promise<{ organization: { id: string }; granularity: string; data: RevenueBucket[] }> {
    for (const name of Object.keys(query)) if (!['from', 'to', 'granularity'].includes(name)) throw invalidParameter(name, 'unknown parameter');
    const granularity = oneOfParameter(query, 'granularity', ['day', 'month'] as const) ?? 'day';
    const to = instantParameter(query, 'to') ?? Math.floor(now / 1000);
    const from = instantParameter(query, 'from') ?? to - 30 * DAY;
    if (to <= from) throw invalidParameter('to', "must be later than 'from'");
    if (to - from > 3660 * DAY) throw invalidParameter('to', 'range too long: at most ten years');
    const own = providerOrganization();
    if (!isUuid(id) || (own !== null && own !== id)) throw organizationNotFound(id);
    const exists = (await this.dataSource.query(`SELECT 1 FROM organizations WHERE id = $1`, [id])) as unknown[];
    if (exists.length === 0) throw organizationNotFound(id);
    const rows = (await this.dataSource.query(
      `SELECT to_char(date_trunc($2, to_timestamp(issued_at) AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS bucket, currency,
              sum(total)::text AS total, count(*)::int AS invoices
         FROM invoices WHERE organization_id = $1 AND status <> 'void' AND issued_at >= $3 AND issued_at < $4
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [id, granularity, from, to],
    )) as { bucket: string; currency: string; total: string; invoices: number }[];
    return { organization: { id }, granularity, data: rows.map((r) => ({ ...r, total: Number(r.total) })) };
  }
}

@Controller('organizations')
export class OrganizationRevenueController {
  constructor(private readonly revenue: OrganizationRevenue) {}

  @Get(':id/revenue')
  get(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.revenue.revenue(id, query);
  }
}
