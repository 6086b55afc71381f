import fc from 'fast-check';
import { adjustmentLine, invoiceLines, overageAmount, type PlanTerms } from './invoice-lines';

const PRO: PlanTerms = { currency: 'USD', price: 4900, quotaLimit: 10_000, pricePer1000: 150 };

describe('invoice lines', () => {
  it('bills the base price and the requests above the quota, rounded half up at the line total', () => {
    const { lines, total } = invoiceLines({ terms: PRO, periodLabel: '2026-11', billable: 10_003, late: [] });
    // 3 requests * 150 / 1000 = 0.45 -> 0 cents; 10_004 would be 0.6 -> 1 cent.
    expect(lines).toEqual([{ kind: 'base', description: 'Plan price for 2026-11', quantity: 1, unit_price: 4900, amount: 4900 }, expect.objectContaining({ kind: 'overage', quantity: 3, amount: 0 })]);
    expect(total).toBe(4900);
    expect(overageAmount(PRO, 10_004)).toBe(1);
    expect(overageAmount(PRO, 13_333)).toBe(500); // 3333 * 0.15 = 499.95 -> 500
  });

  it('bills nothing above the quota of a block plan, and no overage line under the quota', () => {
    const block: PlanTerms = { ...PRO, pricePer1000: null };
    expect(invoiceLines({ terms: block, periodLabel: 'p', billable: 50_000, late: [] }).lines.map((l) => l.kind)).toEqual(['base']);
    expect(invoiceLines({ terms: PRO, periodLabel: 'p', billable: 9_999, late: [] }).total).toBe(4900);
  });

  it('adjusts an earlier period under its own terms by what its final count adds', () => {
    const old: PlanTerms = { ...PRO, pricePer1000: 1000 };
    const line = adjustmentLine({ periodLabel: '2026-10', terms: old, invoicedBillable: 9_990, billableNow: 10_020 });
    expect(line).toEqual({ kind: 'adjustment', description: '30 requests of 2026-10 counted after it was invoiced', quantity: 30, unit_price: 1000, amount: 20 });
    expect(adjustmentLine({ periodLabel: 'x', terms: old, invoicedBillable: 5, billableNow: 5 })).toBeNull();
  });

  it('bills the same total however usage is split between the close and later adjustments (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (onTime, lateBatches, quota, per1000) => {
          const terms: PlanTerms = { currency: 'EUR', price: 0, quotaLimit: quota, pricePer1000: per1000 };
          let invoiced = onTime;
          let billed = invoiceLines({ terms, periodLabel: 'p', billable: onTime, late: [] }).total;
          for (const late of lateBatches) {
            billed += adjustmentLine({ periodLabel: 'p', terms, invoicedBillable: invoiced, billableNow: invoiced + late })?.amount ?? 0;
            invoiced += late;
          }
          expect(billed).toBe(overageAmount(terms, invoiced));
          expect(Number.isInteger(billed)).toBe(true);
        },
      ),
    );
  });

  it('totals equal the sum of their lines (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000 }), (billable, price, per1000) => {
        const { lines, total } = invoiceLines({ terms: { currency: 'USD', price, quotaLimit: 1000, pricePer1000: per1000 }, periodLabel: 'p', billable, late: [] });
        expect(total).toBe(lines.reduce((s, l) => s + l.amount, 0));
      }),
    );
  });
});
