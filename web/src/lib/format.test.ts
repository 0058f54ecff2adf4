import { describe, expect, it } from 'vitest';
import {
  currencyDigits,
  DASH,
  formatAgo,
  formatClock,
  formatCount,
  formatFraction,
  formatMoney,
  formatNetSentiment,
  formatPercent,
  formatRoas,
  minorToMajor,
  trendOf,
} from './format';

describe('format', () => {
  it('converts minor units with the currency digits from Intl', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
    expect(minorToMajor(1999, 'EUR')).toBe(19.99);
    expect(minorToMajor(1999, 'JPY')).toBe(1999);
    expect(formatMoney(123456, 'EUR', { locale: 'en-US' })).toBe('€1,234.56');
    expect(formatMoney(1500, 'JPY', { locale: 'en-US' })).toBe('¥1,500');
    expect(formatMoney(123456789, 'USD', { compact: true, locale: 'en-US' })).toBe('$1.2M');
    expect(formatMoney(500050, 'USD', { compact: true, locale: 'en-US' })).toBe('$5,001');
  });
  it('shows a dash for null, undefined and non-finite', () => {
    for (const f of [formatMoney, formatCount, formatPercent, formatFraction, formatRoas, formatNetSentiment] as ((
      v: unknown,
      ...a: unknown[]
    ) => string)[]) {
      expect(f(null, 'EUR')).toBe(DASH);
      expect(f(undefined, 'EUR')).toBe(DASH);
      expect(f(NaN, 'EUR')).toBe(DASH);
    }
  });
  it('formats counts, percents, fractions, sentiment and ROAS', () => {
    expect(formatCount(9999, { locale: 'en-US' })).toBe('9,999');
    expect(formatCount(12345, { locale: 'en-US' })).toBe('12.3K');
    expect(formatPercent(4.531, { locale: 'en-US' })).toBe('4.53%');
    expect(formatPercent(45.31, { locale: 'en-US' })).toBe('45.3%');
    expect(formatFraction(0.0123, { locale: 'en-US' })).toBe('1.23%');
    expect(formatNetSentiment(-18.2, 'en-US')).toBe('−18');
    expect(formatNetSentiment(62, 'en-US')).toBe('+62');
    expect(formatRoas(3.2, 'en-US')).toBe('3.20×');
  });
  it('formats ages and clock times', () => {
    expect(formatAgo(420)).toBe('0.4 s');
    expect(formatAgo(12_500)).toBe('12 s');
    expect(formatAgo(180_000)).toBe('3 min');
    expect(formatClock(Date.UTC(2026, 10, 25, 14, 3, 12), 'UTC')).toBe('14:03:12');
  });
  it('computes trends relative or in points, with direction and good/bad', () => {
    expect(trendOf(120, 100)).toMatchObject({ direction: 'up', good: true, label: '+20%' });
    expect(trendOf(80, 100, { higherIsBetter: false })).toMatchObject({ direction: 'down', good: true, label: '−20%' });
    expect(trendOf(5, 0)).toMatchObject({ direction: 'up', label: 'new' });
    expect(trendOf(0, 0)).toMatchObject({ direction: 'flat' });
    expect(trendOf(null, 3)).toMatchObject({ direction: 'none', label: DASH });
    expect(trendOf(-18, 62, { points: true })).toMatchObject({ direction: 'down', good: false, label: '−80 pts' });
  });
});
