import { minorAmount, mulDivHalfUp, sumMinor } from './money';

/** What a plan charged for one period: the terms an invoice line is computed from. */
export interface PlanTerms {
  readonly currency: string;
  /** Minor units per period. */
  readonly price: number;
  /** Included requests per period; null = unlimited. */
  readonly quotaLimit: number | null;
  /** Minor units per 1,000 requests above the quota; null = `block` (nothing is billed above it). */
  readonly pricePer1000: number | null;
}

export type InvoiceLineKind = 'base' | 'overage' | 'adjustment';

export interface InvoiceLine {
  readonly kind: InvoiceLineKind;
  readonly description: string;
  readonly quantity: number;
  /** Minor units per unit of `quantity`, where one exists (overage: per 1,000 requests). */
  readonly unit_price: number;
  readonly amount: number;
}

/**
 * The overage charge of `billable` requests in one period: requests above the quota times
 * price_per_1000 / 1000, rounded half up once, at the line total.
 */
export function overageAmount(terms: PlanTerms, billable: number): number {
  if (terms.quotaLimit === null || terms.pricePer1000 === null) return 0;
  const over = Math.max(0, billable - terms.quotaLimit);
  return minorAmount(mulDivHalfUp(BigInt(over), BigInt(terms.pricePer1000), 1000n), 'overage');
}

export function overageRequests(terms: PlanTerms, billable: number): number {
  if (terms.quotaLimit === null || terms.pricePer1000 === null) return 0;
  return Math.max(0, billable - terms.quotaLimit);
}

/** Usage of an earlier, already invoiced period that reached the control plane after its close. */
export interface LateUsage {
  readonly periodLabel: string;
  readonly terms: PlanTerms;
  /** Billable requests the earlier invoices of that period were computed from. */
  readonly invoicedBillable: number;
  /** Billable requests counted for that period now. */
  readonly billableNow: number;
}

/**
 * An adjustment bills the difference between the overage the period's final count earns and the
 * overage already invoiced, under that period's own terms; so however usage is split between the
 * close and later adjustments, the total billed equals what the final count would have cost.
 */
export function adjustmentLine(late: LateUsage): InvoiceLine | null {
  const extra = late.billableNow - late.invoicedBillable;
  if (extra <= 0) return null;
  const amount = overageAmount(late.terms, late.billableNow) - overageAmount(late.terms, late.invoicedBillable);
  return {
    kind: 'adjustment',
    description: `${extra} requests of ${late.periodLabel} counted after it was invoiced`,
    quantity: extra,
    unit_price: late.terms.pricePer1000 ?? 0,
    amount: minorAmount(amount, 'adjustment'),
  };
}

export interface PeriodCharges {
  readonly terms: PlanTerms;
  readonly periodLabel: string;
  readonly billable: number;
  readonly late: readonly LateUsage[];
}

/** The lines of one period's invoice and their total: base, overage, then adjustments. */
export function invoiceLines(charges: PeriodCharges): { lines: InvoiceLine[]; total: number } {
  const { terms, billable } = charges;
  const lines: InvoiceLine[] = [
    { kind: 'base', description: `Plan price for ${charges.periodLabel}`, quantity: 1, unit_price: terms.price, amount: minorAmount(terms.price, 'price') },
  ];
  const over = overageRequests(terms, billable);
  if (over > 0) {
    lines.push({
      kind: 'overage',
      description: `${over} requests above the quota of ${terms.quotaLimit} (per 1,000)`,
      quantity: over,
      unit_price: terms.pricePer1000!,
      amount: overageAmount(terms, billable),
    });
  }
  for (const late of charges.late) {
    const line = adjustmentLine(late);
    if (line) lines.push(line);
  }
  return { lines, total: sumMinor(lines.map((l) => l.amount)) };
}
