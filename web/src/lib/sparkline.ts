// Sparkline geometry and per-bucket metric series, as plain functions (rendered as inline SVG).
import { emptySeriesPoint } from '@pulseroom/schema/rowPatch';
import type { SeriesPoint } from './contract';

/** An SVG path through the values, scaled into width × height; null values break the line. */
export function sparkPath(values: readonly (number | null)[], width: number, height: number, pad = 2): string {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (nums.length < 2) return '';
  let min = Math.min(...nums);
  let max = Math.max(...nums);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const n = values.length;
  const x = (i: number) => (n === 1 ? width / 2 : (i / (n - 1)) * width);
  const y = (v: number) => pad + (1 - (v - min) / (max - min)) * (height - 2 * pad);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** The filled area under each unbroken run of the sparkline, closed down to the baseline. */
export function sparkArea(path: string, height: number): string {
  if (!path) return '';
  return path
    .split('M')
    .filter(Boolean)
    .map((seg) => {
      const pts = seg.split('L');
      const first = pts[0].split(',')[0];
      const last = pts[pts.length - 1].split(',')[0];
      return `M${first},${height}L${seg}L${last},${height}Z`;
    })
    .join('');
}

export type SeriesMetric =
  'unique_clicks' | 'clicks' | 'conversions' | 'revenue_minor' | 'er' | 'net_sentiment' | 'views' | 'comments_n';

/** Per-bucket values of a metric; ratios are null in buckets without a denominator. */
export function seriesValues(points: readonly SeriesPoint[], metric: SeriesMetric): (number | null)[] {
  return points.map((p) => {
    switch (metric) {
      case 'er':
        return p.views ? (p.interactions / p.views) * 100 : null;
      case 'net_sentiment': {
        const all = p.pos_n + p.neu_n + p.neg_n;
        return all ? ((p.pos_n - p.neg_n) / all) * 100 : null;
      }
      default:
        return p[metric];
    }
  });
}

/**
 * The last `count` 10-second buckets ending at `now`, with missing buckets filled with zeros, so a
 * quiet period shows as a flat line instead of being skipped.
 */
export function fillBuckets(
  points: readonly SeriesPoint[],
  now: number,
  count: number,
  bucketMs = 10_000,
): SeriesPoint[] {
  const byT = new Map(points.map((p) => [p.t, p]));
  const last = Math.floor(now / bucketMs) * bucketMs;
  const out: SeriesPoint[] = [];
  for (let t = last - (count - 1) * bucketMs; t <= last; t += bucketMs) {
    out.push(byT.get(t) ?? emptySeriesPoint(t));
  }
  return out;
}
