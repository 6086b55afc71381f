import { Controller, Get, Injectable, Param } from '@nestjs/common';
import { invoiceLines, periodContaining, type BillingInterval } from '@tollgate/billing';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { billableRequests } from './billable-usage';
import { termsForPeriod } from './period-terms';

export interface SubscriptionUsage {
  subscription: { id: string };
  period_start: number;
  period_end: number;
  requests: number;
  billable: number;
  quota: { limit: number; remaining: number } | null;
  currency: string;
  /** What the period's invoice would total if it closed now (base, and overage so far). */
  projected_total: number;
}

interface Row {
  consumer_id: string;
  plan_id: string;
  services: { id: string }[];
  current_period_start: number;
  interval: BillingInterval;
  interval_count: number;
}

function subscriptionNotFound(id: string): AdminError {
  return new AdminError(AdminErrorCode.NOT_FOUND, `could not find the 'subscriptions' entity with key '${id}'`, { id });
}

/** The current period of a subscription, counted from the usage rollups as an invoice would be. */
@Injectable()
export class SubscriptionUsageReader {
  constructor(private readonly dataSource: DataSource) {}

  async current(id: string, now = Date.now()): Promise<SubscriptionUsage> {
    if (!isUuid(id)) throw subscriptionNotFound(id);
    const params: unknown[] = [id];
    const organization = providerOrganization();
    const tenant = organization === null ? '' : `AND p.organization_id = $${params.push(organization)}`;
    const [row] = (await this.dataSource.query(
      `SELECT s.consumer_id, s.plan_id, p.services, s.current_period_start, p."interval", p.interval_count
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.id = $1 ${tenant}`,
      params,
    )) as Row[];
    if (!row) throw subscriptionNotFound(id);
    const anchor = row.current_period_start * 1000;
    const period = now < anchor ? { start: anchor, end: anchor } : periodContaining(anchor, { interval: row.interval, intervalCount: row.interval_count }, now);
    const start = period.start / 1000;
    const terms = await termsForPeriod(this.dataSource.manager, row.plan_id, start);
    const usage = await billableRequests(this.dataSource.manager, {
      consumerId: row.consumer_id,
      serviceIds: row.services.map((s) => s.id),
      start,
      end: period.end / 1000,
      bill5xx: terms.bill5xx,
    });
    const { total } = invoiceLines({ terms, periodLabel: 'current period', billable: usage.billable, late: [] });
    return {
      subscription: { id },
      period_start: start,
      period_end: period.end / 1000,
      requests: usage.requests,
      billable: usage.billable,
      quota: terms.quotaLimit === null ? null : { limit: terms.quotaLimit, remaining: Math.max(0, terms.quotaLimit - usage.billable) },
      currency: terms.currency,
      projected_total: total,
    };
  }
}

@Controller('subscriptions')
export class SubscriptionUsageController {
  constructor(private readonly usage: SubscriptionUsageReader) {}

  @Get(':id/usage')
  current(@Param('id') id: string): Promise<SubscriptionUsage> {
    return this.usage.current(id);
  }
}
