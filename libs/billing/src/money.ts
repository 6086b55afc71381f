/**
 * Money is an integer count of a currency's minor units (cents for USD, yen for JPY) beside its
 * ISO 4217 code, in types, columns and JSON alike. Never a float: arithmetic that can leave the
 * safe-integer range runs in BigInt, and every result is checked back into it.
 */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** ISO 4217 minor-unit exponents of the currencies plans may be priced in. */
const MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  AED: 2, ARS: 2, AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2, DKK: 2,
  EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0,
  KWD: 3, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NZD: 2, OMR: 3, PHP: 2, PKR: 2, PLN: 2, QAR: 2, RON: 2,
  SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3, TRY: 2, TWD: 2, UAH: 2, USD: 2, VND: 0, ZAR: 2,
});

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(MINOR_UNITS, code);
}

/** Digits after the decimal point of `currency` (2 for USD, 0 for JPY, 3 for KWD). */
export function minorUnits(currency: string): number {
  const digits = MINOR_UNITS[currency];
  if (digits === undefined) throw new RangeError(`unknown currency '${currency}'`);
  return digits;
}

export class MoneyRangeError extends RangeError {}

/** An amount of minor units: a safe integer, or a MoneyRangeError saying which. */
export function minorAmount(value: bigint | number, what = 'amount'): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isSafeInteger(n) || (typeof value === 'bigint' && BigInt(n) !== value)) {
    throw new MoneyRangeError(`${what} ${String(value)} is not an integer of minor units within ±${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

/**
 * `a * b / d` rounded half up (half away from zero for negatives), exactly, in BigInt: the one
 * rounding rule of billing, applied once at a line's total, never per request.
 */
export function mulDivHalfUp(a: bigint, b: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const product = a * b;
  const negative = product < 0n;
  const magnitude = negative ? -product : product;
  const rounded = (magnitude * 2n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

/** `1234` USD as `12.34`, `500` JPY as `500`: for descriptions and CSV, never for arithmetic. */
export function formatMinor(amount: number, currency: string): string {
  const digits = minorUnits(currency);
  const negative = amount < 0;
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const whole = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}`;
}

export function sumMinor(amounts: readonly number[]): number {
  return minorAmount(amounts.reduce((total, a) => total + BigInt(a), 0n), 'total');
}
