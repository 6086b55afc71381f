import { Injectable } from '@nestjs/common';
import { invoiceLines, type BillingPeriod, type InvoiceLine, type LateUsage } from '@tollgate/billing';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { billableRequests } from './billable-usage';
import { nextInvoiceNumber } from './invoice-numbers';
import { termsForPeriod } from './period-terms';

/** Advisory-lock class of "closing this subscription's period" (the other key is its id's hash). */
const CLOSE_LOCK_CLASS = 7_413;
/** Earlier periods whose invoice was issued this long ago are still checked for late usage. */
export const LATE_USAGE_LOOKBACK_S = 7 * 86_400;

export type IssueOutcome = { readonly issued: string } | { readonly skipped: 'already-invoiced' | 'busy' | 'gone' };

interface SubscriptionRow {
  consumer_id: string;
  plan_id: string;
  services: { id: string }[];
  organization_id: string | null;
  organization_name: string | null;
}

interface InvoicedPeriod {
  period_start: number;
  period_end: number;
  plan_id: string;
  covered: string;
}

const label = (p: BillingPeriod) => `${new Date(p.start).toISOString()} – ${new Date(p.end).toISOString()}`;

/**
 * Issues one subscription's invoice for one period, in one transaction: the period's terms,
 * its billable requests, adjustments for late usage of earlier periods, the organization's next
 * number, the invoice and its lines. Exactly once: replicas racing on a subscription serialize on
 * an advisory lock (the loser skips), and the unique (subscription, period_start) index refuses
 * a second live invoice whatever else goes wrong; a crash mid-way rolls everything back.
 */
@Injectable()
export class InvoiceIssuer {
  constructor(private readonly dataSource: DataSource) {}

  issue(subscriptionId: string, period: BillingPeriod, now = Date.now()): Promise<IssueOutcome> {
    return this.dataSource.transaction((db) => this.issueIn(db, subscriptionId, period, now));
  }

  private async issueIn(db: EntityManager, subscriptionId: string, period: BillingPeriod, now: number): Promise<IssueOutcome> {
    const [lock] = (await db.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok`, [CLOSE_LOCK_CLASS, subscriptionId])) as { ok: boolean }[];
    if (!lock!.ok) return { skipped: 'busy' };
    const start = period.start / 1000;
    const done = (await db.query(`SELECT 1 FROM invoices WHERE subscription_id = $1 AND period_start = $2 AND kind = 'period' AND status <> 'void'`, [
      subscriptionId,
      start,
    ])) as unknown[];
    if (done.length > 0) return { skipped: 'already-invoiced' };
    const sub = await this.subscription(db, subscriptionId);
    if (!sub) return { skipped: 'gone' };
    const terms = await termsForPeriod(db, sub.plan_id, start);
    const services = sub.services.map((s) => s.id);
    const usage = await billableRequests(db, { consumerId: sub.consumer_id, serviceIds: services, start, end: period.end / 1000, bill5xx: terms.bill5xx });
    const late = await this.lateUsage(db, subscriptionId, sub, start, now);
    const { lines, total } = invoiceLines({ terms, periodLabel: label(period), billable: usage.billable, late: late.map((l) => l.usage) });
    const number = await nextInvoiceNumber(db, sub.organization_id, sub.organization_name);
    const id = randomUUID();
    // A voided invoice of this period is replaced by this one, never edited.
    await db.query(
      `INSERT INTO invoices (id, number, kind, organization_id, subscription_id, consumer_id, plan_id, terms_version, currency,
         period_start, period_end, billable, total, status, issued_at, replaces)
       VALUES ($1, $2, 'period', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'issued', $13,
         (SELECT id FROM invoices WHERE subscription_id = $4 AND period_start = $9 AND kind = 'period' AND status = 'void' ORDER BY issued_at DESC, number DESC LIMIT 1))`,
      [id, number, sub.organization_id, subscriptionId, sub.consumer_id, sub.plan_id, terms.version, terms.currency, start, period.end / 1000, usage.billable, total, Math.floor(now / 1000)],
    );
    await insertLines(db, id, lines, late);
    return { issued: id };
  }

  private async subscription(db: EntityManager, id: string): Promise<SubscriptionRow | undefined> {
    const rows = (await db.query(
      `SELECT s.consumer_id, s.plan_id, p.services, p.organization_id, o.name AS organization_name
         FROM subscriptions s JOIN plans p ON p.id = s.plan_id LEFT JOIN organizations o ON o.id = p.organization_id
        WHERE s.id = $1`,
      [id],
    )) as SubscriptionRow[];
    return rows[0];
  }

  /** Earlier invoiced periods whose billable count grew since: each becomes an adjustment line. */
  private async lateUsage(db: EntityManager, subscriptionId: string, sub: SubscriptionRow, before: number, now: number): Promise<{ period: number; usage: LateUsage }[]> {
    const periods = (await db.query(
      `SELECT i.period_start, i.period_end, i.plan_id,
              greatest(i.billable, coalesce((SELECT max(l.covers_billable) FROM invoice_lines l JOIN invoices j ON j.id = l.invoice_id
                 WHERE j.subscription_id = i.subscription_id AND j.status <> 'void' AND l.covers_period_start = i.period_start), 0))::text AS covered
         FROM invoices i
        WHERE i.subscription_id = $1 AND i.kind = 'period' AND i.status <> 'void' AND i.period_start < $2 AND i.issued_at >= $3
        ORDER BY i.period_start`,
      [subscriptionId, before, Math.floor(now / 1000) - LATE_USAGE_LOOKBACK_S],
    )) as InvoicedPeriod[];
    const late: { period: number; usage: LateUsage }[] = [];
    for (const p of periods) {
      const terms = await termsForPeriod(db, p.plan_id, p.period_start);
      const q = { consumerId: sub.consumer_id, serviceIds: sub.services.map((s) => s.id), start: p.period_start, end: p.period_end, bill5xx: terms.bill5xx };
      const now_ = await billableRequests(db, q);
      if (now_.billable <= Number(p.covered)) continue;
      const periodLabel = label({ start: p.period_start * 1000, end: p.period_end * 1000 });
      late.push({ period: p.period_start, usage: { periodLabel, terms, invoicedBillable: Number(p.covered), billableNow: now_.billable } });
    }
    return late;
  }
}

async function insertLines(db: EntityManager, invoiceId: string, lines: readonly InvoiceLine[], late: readonly { period: number; usage: LateUsage }[]): Promise<void> {
  let adjustment = 0;
  for (const [position, line] of lines.entries()) {
    // Adjustment lines come out of invoiceLines in the order of `late` (a zero-amount one included).
    const covers = line.kind === 'adjustment' ? late[adjustment++] : undefined;
    await db.query(
      `INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price, amount, covers_period_start, covers_billable)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [invoiceId, position, line.kind, line.description, line.quantity, line.unit_price, line.amount, covers?.period ?? null, covers?.usage.billableNow ?? null],
    );
  }
}
