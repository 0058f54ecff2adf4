// Alerts as marks on the war room chart: each in the 10 s bucket it was raised in, its why as the mark's text.
import type { Alert } from './contract';
import { ALERT_KIND } from './labels';

/** Bucket index → the lines of its mark ("Engagement spike: @ana's engagement is 4.0× …"). */
export function alertMarks(
  alerts: readonly Alert[],
  bucketStarts: readonly number[],
  bucketMs = 10_000,
): Map<number, string[]> {
  const marks = new Map<number, string[]>();
  if (bucketStarts.length === 0) return marks;
  const first = bucketStarts[0];
  for (const a of alerts) {
    const i = Math.floor((a.ts - first) / bucketMs);
    if (i < 0 || i >= bucketStarts.length) continue;
    const lines = marks.get(i) ?? [];
    lines.push(`${ALERT_KIND[a.kind]}: ${a.message}`);
    marks.set(i, lines);
  }
  return marks;
}
