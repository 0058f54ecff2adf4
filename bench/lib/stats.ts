// Small statistics for benchmark figures: percentiles, medians, rounding.

/** The p-th percentile (0–100) by nearest rank; null for no samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(samples: number[]): {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
} {
  const s = Float64Array.from(samples).sort();
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s.length ? s[s.length - 1] : null),
  };
}

export const median = (xs: number[]): number | null => percentile(Float64Array.from(xs).sort(), 50);

export function round(x: number | null, digits = 1): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a / b rounded to 2 decimals; null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
