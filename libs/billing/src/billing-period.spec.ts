import fc from 'fast-check';
import { BILLING_INTERVALS, nextPeriod, periodContaining, type BillingCycle } from './billing-period';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('billing periods', () => {
  it('steps fixed intervals from the anchor', () => {
    const anchor = at('2026-01-01T00:00:30Z');
    const p = periodContaining(anchor, { interval: 'minute', intervalCount: 2 }, at('2026-01-01T00:05:00Z'));
    expect([iso(p.start), iso(p.end)]).toEqual(['2026-01-01T00:04:30.000Z', '2026-01-01T00:06:30.000Z']);
    const before = periodContaining(anchor, { interval: 'hour', intervalCount: 1 }, at('2025-12-31T23:59:00Z'));
    expect(iso(before.start)).toBe('2025-12-31T23:00:30.000Z');
  });

  it('clamps monthly periods to the end of shorter months and returns to the anchor day', () => {
    const anchor = at('2026-01-31T12:00:00Z');
    const cycle: BillingCycle = { interval: 'month', intervalCount: 1 };
    const feb = periodContaining(anchor, cycle, at('2026-02-15T00:00:00Z'));
    expect([iso(feb.start), iso(feb.end)]).toEqual(['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z']);
    const mar = nextPeriod(anchor, cycle, feb);
    expect([iso(mar.start), iso(mar.end)]).toEqual(['2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z']);
    const leap = periodContaining(at('2027-02-29T00:00:00Z'.replace('2027', '2028')), { interval: 'year', intervalCount: 1 }, at('2029-06-01T00:00:00Z'));
    expect([iso(leap.start), iso(leap.end)]).toEqual(['2029-02-28T00:00:00.000Z', '2030-02-28T00:00:00.000Z']);
  });

  it('tiles time: every instant is in exactly one period, and periods follow each other (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
        fc.integer({ min: -50 * 86_400_000, max: 400 * 86_400_000 }),
        fc.constantFrom(...BILLING_INTERVALS),
        fc.integer({ min: 1, max: 3 }),
        (anchor, offset, interval, intervalCount) => {
          const cycle = { interval, intervalCount };
          const t = anchor + offset;
          const p = periodContaining(anchor, cycle, t);
          expect(p.start <= t && t < p.end).toBe(true);
          const next = nextPeriod(anchor, cycle, p);
          expect(next.start).toBe(p.end);
          expect(periodContaining(anchor, cycle, p.end - 1)).toEqual(p);
        },
      ),
    );
  });

  it('refuses cycles that are not one', () => {
    expect(() => periodContaining(0, { interval: 'fortnight' as never, intervalCount: 1 }, 0)).toThrow("unknown billing interval 'fortnight'");
    expect(() => periodContaining(0, { interval: 'day', intervalCount: 0 }, 0)).toThrow('interval_count must be a positive integer');
  });
});
