// Money as integer minor units: parsing decimal amounts exactly and converting currencies with configured rates.
import { z } from 'zod';
import { expected } from './common.js';

export const currencyCode = z
  .string({ error: expected('expected an ISO 4217 currency code such as "USD"') })
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as "USD"')
  .refine((c) => isKnownCurrency(c), 'unknown currency code');

const exponentCache = new Map<string, number>();

export function isKnownCurrency(code: string): boolean {
  try {
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}

/** Number of minor-unit digits of a currency (USD 2, JPY 0, KWD 3). */
export function currencyExponent(currency: string): number {
  let exp = exponentCache.get(currency);
  if (exp === undefined) {
    exp = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(currency, exp);
  }
  return exp;
}

/**
 * Decimal major units → integer minor units without float error (19.99 → 1999, 1.005 → 101): works on
 * the digits of the number's shortest decimal form, rounding half away from zero.
 */
export function toMinor(amount: number, currency: string): number {
  if (!Number.isFinite(amount)) throw new RangeError('amount must be finite');
  const exp = currencyExponent(currency);
  let text = String(Math.abs(amount));
  if (text.includes('e')) text = Math.abs(amount).toFixed(Math.min(100, exp + 10));
  const [intPart, fracPart = ''] = text.split('.');
  let minor = Number(intPart + fracPart.slice(0, exp).padEnd(exp, '0'));
  if (fracPart.length > exp && fracPart.charCodeAt(exp) >= 53 /* '5' */) minor += 1;
  return amount < 0 ? -minor : minor;
}

export function fromMinor(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

/** Rates are "units of the base currency per 1 unit of X"; the base itself is 1. */
export type FxRates = Record<string, number>;

/**
 * Converts minor units between currencies. Returns null when either rate is unknown, so the caller
 * stores the event as unconverted instead of guessing.
 */
export function convertMinor(minor: number, from: string, to: string, rates: FxRates, base = 'USD'): number | null {
  if (from === to) return minor;
  const rateFrom = from === base ? 1 : rates[from];
  const rateTo = to === base ? 1 : rates[to];
  if (!rateFrom || !rateTo) return null;
  const major = minor / 10 ** currencyExponent(from);
  return Math.round(((major * rateFrom) / rateTo) * 10 ** currencyExponent(to));
}
