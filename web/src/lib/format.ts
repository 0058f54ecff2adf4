// Number, money, percent and time formatting with Intl; every ratio that is null shows as "—".
export const DASH = '—';

const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string | undefined, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

/** Minor-unit digits of a currency, from Intl (EUR 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  try {
    return nf('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function minorToMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyDigits(currency);
}

export interface MoneyOptions {
  /** Compact (€12.3K) for tiles and walls; full precision otherwise. */
  compact?: boolean;
  /** Drop the minor digits (€12,345). */
  whole?: boolean;
  locale?: string;
}

export function formatMoney(minor: number | null | undefined, currency: string, o: MoneyOptions = {}): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return DASH;
  const major = minorToMajor(minor, currency);
  try {
    if (o.compact && Math.abs(major) >= 10_000) {
      return nf(o.locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(major);
    }
    if (o.whole || o.compact)
      return nf(o.locale, { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(
        major,
      );
    return nf(o.locale, { style: 'currency', currency }).format(major);
  } catch {
    return `${major.toFixed(2)} ${currency}`;
  }
}

/** Counts: 1,234 below 10K, then compact (12.3K, 4.5M). */
export function formatCount(n: number | null | undefined, o: { compact?: boolean; locale?: string } = {}): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (o.compact !== false && Math.abs(n) >= 10_000)
    return nf(o.locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
  return nf(o.locale, { maximumFractionDigits: 0 }).format(n);
}

/** A value already in percent (ER, net sentiment): 4.53 → "4.53%". */
export function formatPercent(
  p: number | null | undefined,
  o: { digits?: number; signed?: boolean; locale?: string } = {},
): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  const digits = o.digits ?? (Math.abs(p) >= 10 ? 1 : 2);
  return nf(o.locale, {
    style: 'percent',
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
    signDisplay: o.signed ? 'exceptZero' : 'auto',
  }).format(p / 100);
}

/** A fraction (CTR, CR, shares): 0.0123 → "1.23%". */
export function formatFraction(f: number | null | undefined, o: { digits?: number; locale?: string } = {}): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return DASH;
  return formatPercent(f * 100, o);
}

/** Net sentiment is a score from −100 to +100, shown signed without a percent sign: "+62". */
export function formatNetSentiment(p: number | null | undefined, locale?: string): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  return nf(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' }).format(p).replace('-', '−');
}

/** ROAS as a multiple: 3.2 → "3.20×". */
export function formatRoas(r: number | null | undefined, locale?: string): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return DASH;
  return `${nf(locale, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(r)}×`;
}

/** "0.4 s", "12 s", "3 min", "2 h". */
export function formatAgo(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  return `${Math.floor(ms / 3_600_000)} h`;
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
/** DateTimeFormat objects are costly to build and the wall formats clocks several times a second: keep them. */
function dtf(locale: string | undefined, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = dtfCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, opts);
    } catch {
      // An unknown time zone: fall back to the browser's.
      f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: undefined });
    }
    dtfCache.set(key, f);
  }
  return f;
}

/** Clock time "14:03:12" in a time zone (the campaign's, or the browser's). */
export function formatClock(ts: number, timeZone?: string, locale = 'en-GB'): string {
  return dtf(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone }).format(ts);
}

export function formatDate(ts: number, timeZone?: string, locale?: string): string {
  return dtf(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(ts);
}

/** "4 Dec, 14:03" in a time zone: when an order or a status change happened. */
export function formatDateTime(ts: number, timeZone?: string, locale = 'en-GB'): string {
  return dtf(locale, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone,
  }).format(ts);
}

export interface Trend {
  /** Relative change in percent, null when there is nothing to compare with. */
  change: number | null;
  direction: 'up' | 'down' | 'flat' | 'none';
  /** Whether the movement is good news for this metric. */
  good: boolean | null;
  label: string;
}

/**
 * Trend of a value against the previous window. For percent metrics (ER, net sentiment) the change
 * is in points; for everything else it is relative.
 */
export function trendOf(
  current: number | null | undefined,
  previous: number | null | undefined,
  o: { higherIsBetter?: boolean; points?: boolean } = {},
): Trend {
  const higherIsBetter = o.higherIsBetter ?? true;
  if (
    current === null ||
    current === undefined ||
    previous === null ||
    previous === undefined ||
    !Number.isFinite(current) ||
    !Number.isFinite(previous)
  ) {
    return { change: null, direction: 'none', good: null, label: DASH };
  }
  let change: number | null;
  let label: string;
  if (o.points) {
    change = current - previous;
    const abs = Math.abs(change);
    label = abs < 0.05 ? '±0 pts' : `${change > 0 ? '+' : '−'}${abs.toFixed(abs >= 10 ? 0 : 1)} pts`;
  } else if (previous === 0) {
    if (current === 0) return { change: 0, direction: 'flat', good: null, label: '±0%' };
    return { change: null, direction: current > 0 ? 'up' : 'down', good: current > 0 === higherIsBetter, label: 'new' };
  } else {
    change = ((current - previous) / Math.abs(previous)) * 100;
    const abs = Math.abs(change);
    label = `${change > 0 ? '+' : change < 0 ? '−' : '±'}${abs >= 100 ? Math.round(abs).toLocaleString('en') : abs.toFixed(abs >= 10 ? 0 : 1)}%`;
  }
  const eps = o.points ? 0.05 : 0.5;
  const direction = Math.abs(change) < eps ? 'flat' : change > 0 ? 'up' : 'down';
  const good = direction === 'flat' ? null : (direction === 'up') === higherIsBetter;
  return { change, direction, good, label };
}
