import fc from 'fast-check';
import { formatMinor, isCurrency, minorAmount, minorUnits, MoneyRangeError, mulDivHalfUp, sumMinor } from './money';

describe('money in minor units', () => {
  it('knows ISO 4217 exponents and refuses unknown codes', () => {
    expect([minorUnits('USD'), minorUnits('JPY'), minorUnits('KWD')]).toEqual([2, 0, 3]);
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XXX')).toBe(false);
    expect(() => minorUnits('ABC')).toThrow("unknown currency 'ABC'");
  });

  it('rounds half up at the line total, half away from zero below it', () => {
    expect(mulDivHalfUp(1n, 5n, 10n)).toBe(1n); // 0.5 -> 1
    expect(mulDivHalfUp(1n, 4n, 10n)).toBe(0n); // 0.4 -> 0
    expect(mulDivHalfUp(1n, 15n, 10n)).toBe(2n); // 1.5 -> 2
    expect(mulDivHalfUp(-1n, 5n, 10n)).toBe(-1n);
    expect(mulDivHalfUp(1501n, 1n, 1000n)).toBe(2n);
    expect(mulDivHalfUp(1499n, 1n, 1000n)).toBe(1n);
  });

  it('matches exact rational rounding for any operands (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (a, b, d) => {
        const r = mulDivHalfUp(a, b, d);
        // r is the integer nearest a*b/d with ties rounded up: -d/2 <= a*b - r*d < d/2.
        const diff = a * b - r * d;
        expect(2n * diff >= -d && 2n * diff < d).toBe(true);
      }),
    );
  });

  it('keeps amounts within safe integers and says so otherwise', () => {
    expect(minorAmount(12n)).toBe(12);
    expect(() => minorAmount(2n ** 60n, 'overage')).toThrow(MoneyRangeError);
    expect(() => minorAmount(0.5)).toThrow('amount 0.5 is not an integer of minor units');
    expect(sumMinor([1, 2, 3])).toBe(6);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(MoneyRangeError);
  });

  it('formats for people without float arithmetic', () => {
    expect(formatMinor(1234, 'USD')).toBe('12.34');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-5, 'EUR')).toBe('-0.05');
    expect(formatMinor(500, 'JPY')).toBe('500');
    expect(formatMinor(1, 'KWD')).toBe('0.001');
  });
});
