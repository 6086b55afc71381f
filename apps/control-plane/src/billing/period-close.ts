import { Injectable, Logger, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { periodContaining, periodStart, type BillingInterval, type BillingPeriod } from '@tollgate/billing';
import { DataSource } from 'typeorm';
import { InvoiceIssuer, type IssueOutcome } from './invoice-issuer';
import { usageSettled } from './usage-settlement';

/** Subscriptions read per query while looking for due periods. */
const PAGE = 1000;
/** Invoices one replica issues at once by default (each holds a pooled connection of 10). */
const DEFAULT_CONCURRENCY = 4;

export interface CloseSummary {
  readonly issued: number;
  readonly skipped: number;
  /** Periods that ended but whose usage has not settled yet. */
  readonly waiting: number;
}

interface DueRow {
  id: string;
  status: string;
  current_period_start: number;
  current_period_end: number;
  canceled_at: number | null;
  cancel_at_period_end: boolean;
  interval: BillingInterval;
  interval_count: number;
  invoiced_to: number | null;
}

/** The next period of a subscription to invoice, or null when none has ended that it was served in. */
export function nextPeriodToClose(row: DueRow, now: number): BillingPeriod | null {
  const anchor = row.current_period_start * 1000;
  const cycle = { interval: row.interval, intervalCount: row.interval_count };
  const period =
    row.invoiced_to === null ? { start: anchor, end: periodStart(anchor, cycle, 1) } : periodContaining(anchor, cycle, row.invoiced_to * 1000);
  if (period.end > now) return null;
  // A canceled subscription's last period is the one it was canceled in; one canceled at its
  // period's end serves up to current_period_end (data planes stop it there).
  if (row.canceled_at !== null && period.start > row.canceled_at * 1000) return null;
  if (row.cancel_at_period_end && period.start >= row.current_period_end * 1000) return null;
  return period;
}

/**
 * Closes every period that has ended and settled: safe on every replica at once and to rerun,
 * since InvoiceIssuer issues each (subscription, period) once. A subscription several periods
 * behind gets one per pass, oldest first.
 */
@Injectable()
export class PeriodClose implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PeriodClose');
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;
  intervalMs = Number(process.env.TOLLGATE_BILLING_CLOSE_INTERVAL ?? '10') * 1000;
  graceMs = Number(process.env.TOLLGATE_BILLING_SETTLE_GRACE ?? '120') * 1000;
  /** Invoices issued at once (each holds a pooled connection). */
  concurrency = DEFAULT_CONCURRENCY;

  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: InvoiceIssuer,
  ) {}

  onApplicationBootstrap(): void {
    if (!(this.intervalMs > 0)) return;
    this.timer = setInterval(() => {
      if (this.pass) return;
      this.pass = this.closeDue()
        .catch((err: unknown) => this.logger.warn(`period close failed: ${String(err)}`))
        .finally(() => (this.pass = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pass;
  }

  async closeDue(now = Date.now()): Promise<CloseSummary> {
    let issued = 0, skipped = 0, waiting = 0;
    const settled = new Map<string, Promise<boolean>>();
    const isSettled = (p: BillingPeriod) => {
      const key = `${p.start}:${p.end}`;
      let s = settled.get(key);
      if (!s) settled.set(key, (s = usageSettled(this.dataSource.manager, p.start / 1000, p.end / 1000, now, this.graceMs)));
      return s;
    };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.page(after);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const due = rows.map((r) => ({ id: r.id, period: nextPeriodToClose(r, now) })).filter((d) => d.period !== null);
      await runPool(due, this.concurrency, async (d) => {
        if (!(await isSettled(d.period!))) return void waiting++;
        const outcome: IssueOutcome = await this.issuer.issue(d.id, d.period!, now);
        if ('issued' in outcome) issued++;
        else skipped++;
      });
    }
    return { issued, skipped, waiting };
  }

  private page(after: string): Promise<DueRow[]> {
    return this.dataSource.query(
      `SELECT s.id, s.status, s.current_period_start, s.current_period_end, s.canceled_at, s.cancel_at_period_end,
              p."interval", p.interval_count,
              (SELECT max(period_end) FROM invoices i WHERE i.subscription_id = s.id AND i.kind = 'period' AND i.status <> 'void') AS invoiced_to
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id
        WHERE s.id > $1 ORDER BY s.id LIMIT ${PAGE}`,
      [after],
    );
  }
}

async function runPool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
