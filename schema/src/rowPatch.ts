// Row patches on the wire: only the base fields that moved, field by field, and how a receiver merges them into the
// rows it holds.
import { windowRangeEndingAt, type WindowName } from './constants.js';
import { computeMetrics, feeShare, TOTAL_FIELDS, type Metrics } from './metrics.js';
import type { BaseField, FeeTerm, FieldPatch, GroupPatch, GroupRow, SeriesPoint } from './live.js';

/** A series bucket with nothing in it (the server's engine and the web app's sparklines fill gaps with it). */
export function emptySeriesPoint(t: number): SeriesPoint {
  return {
    t,
    views: 0,
    interactions: 0,
    clicks: 0,
    unique_clicks: 0,
    conversions: 0,
    revenue_minor: 0,
    comments_n: 0,
    pos_n: 0,
    neg_n: 0,
    neu_n: 0,
  };
}

/** The fields every other metric derives from (through computeMetrics): a patch carries only these. */
export const BASE_FIELDS = [
  ...TOTAL_FIELDS,
  'followers',
  'fee_minor',
  'fee_committed_minor',
] as const satisfies readonly (keyof Metrics)[] & readonly BaseField[];

/** Adds one row's moved fields to a field patch. */
export function addToFieldPatch(into: FieldPatch, key: string, changed: Partial<Record<BaseField, number>>): void {
  for (const f in changed) {
    const field = f as BaseField;
    // No prototype: a row key is data (a partner id), never an object property of the map itself.
    (into[field] ??= Object.create(null) as Record<string, number>)[key] = changed[field]!;
  }
}

/** A field patch turned row by row: row key → its moved fields. */
export function fieldsByRow(p: FieldPatch | undefined): Map<string, Partial<Metrics>> {
  const out = new Map<string, Partial<Metrics>>();
  if (!p) return out;
  for (const f in p) {
    const values = p[f as BaseField]!;
    for (const key of Object.keys(values)) {
      let row = out.get(key);
      if (!row) out.set(key, (row = {}));
      row[f as BaseField] = values[key];
    }
  }
  return out;
}

/**
 * A held row's metrics with moved base fields merged in and every derived metric recomputed from them: the same
 * inputs through the same function, so the result equals the sender's row exactly.
 */
export function patchMetrics(held: Metrics, changed: Partial<Metrics>): Metrics {
  const m = { ...held, ...changed };
  return computeMetrics(m, {
    followers: m.followers,
    feeShareMinor: m.fee_minor,
    feeCommittedMinor: m.fee_committed_minor,
  });
}

/**
 * Held rows with a group patch applied; rows it does not touch keep their identity (a key not held is dropped: a patch
 * only ever follows the full row).
 */
export function patchRows(rows: readonly GroupRow[], patch: GroupPatch): GroupRow[] {
  const metrics = fieldsByRow(patch.metrics);
  const previous = fieldsByRow(patch.previous);
  if (metrics.size === 0 && previous.size === 0) return rows as GroupRow[];
  return rows.map((r) => {
    const m = metrics.get(r.key);
    const p = r.previous ? previous.get(r.key) : undefined;
    if (!m && !p) return r;
    return {
      key: r.key,
      metrics: m ? patchMetrics(r.metrics, m) : r.metrics,
      previous: p ? patchMetrics(r.previous!, p) : r.previous,
    };
  });
}

/** The fee share of a partner's row in a window ending (exclusive) at `windowEnd`, or in the window before it. */
export function partnerFeeShare(term: FeeTerm, window: WindowName, windowEnd: number, previous: boolean): number {
  const { from, to } = windowRangeEndingAt(window, windowEnd, previous);
  return feeShare(term[0], term[1], term[2], from, to) * term[3];
}

/**
 * Partner rows with the fee shares (and what derives from them) their fee terms give at `windowEnd`; rows already right
 * keep their identity.
 */
export function withPartnerFees(
  rows: readonly GroupRow[],
  terms: Readonly<Record<string, FeeTerm>>,
  window: WindowName,
  windowEnd: number,
): GroupRow[] {
  let out: GroupRow[] | null = null;
  rows.forEach((r, i) => {
    const term = Object.hasOwn(terms, r.key) ? terms[r.key] : undefined;
    if (!term) return;
    const fee = partnerFeeShare(term, window, windowEnd, false);
    const prevFee = r.previous ? partnerFeeShare(term, window, windowEnd, true) : null;
    const moved = fee !== r.metrics.fee_minor;
    const prevMoved = r.previous !== null && prevFee !== r.previous.fee_minor;
    if (!moved && !prevMoved) return;
    (out ??= rows.slice())[i] = {
      key: r.key,
      metrics: moved ? patchMetrics(r.metrics, { fee_minor: fee }) : r.metrics,
      previous: prevMoved ? patchMetrics(r.previous!, { fee_minor: prevFee! }) : r.previous,
    };
  });
  return out ?? (rows as GroupRow[]);
}
