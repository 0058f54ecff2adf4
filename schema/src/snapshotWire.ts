// The snapshot as it travels over Socket.IO: breakdown rows and series points as arrays of values under one list of
// field names, instead of objects repeating every name. The same figures, a third of the bytes: 120 partner rows
// carry 2 × 55 metric names each, which made two thirds of a 330 KB snapshot; every dashboard gets one when it
// (re)connects, 5,000 at once when a server restarts. Zod-free: the web bundle unpacks with it.
import type { GroupName } from './constants.js';
import type { GroupRow, PackedRow, SeriesPoint, Snapshot, WireSnapshot } from './live.js';
import { computeMetrics, emptyTotals, type Metrics } from './metrics.js';

/** Every metric's name, in the order computeMetrics makes them (every row of a snapshot is made by it). */
export const METRIC_FIELDS: readonly (keyof Metrics)[] = Object.keys(
  computeMetrics(emptyTotals(), { followers: 0, feeShareMinor: 0, feeCommittedMinor: 0 }),
) as (keyof Metrics)[];

const SERIES_FIELDS_BY_NAME: Record<keyof SeriesPoint, true> = {
  t: true,
  views: true,
  interactions: true,
  clicks: true,
  unique_clicks: true,
  conversions: true,
  revenue_minor: true,
  comments_n: true,
  pos_n: true,
  neg_n: true,
  neu_n: true,
};
/** Every field of a series point (the record above makes the compiler name a field added to SeriesPoint here too). */
export const SERIES_FIELDS = Object.keys(SERIES_FIELDS_BY_NAME) as (keyof SeriesPoint)[];

const valuesOf = (m: Metrics): (number | null)[] => {
  const out = new Array<number | null>(METRIC_FIELDS.length);
  for (let i = 0; i < METRIC_FIELDS.length; i++) out[i] = m[METRIC_FIELDS[i]] ?? null;
  return out;
};

function objectOf<T>(fields: readonly string[], values: readonly (number | null)[]): T {
  const o: Record<string, number | null> = {};
  for (let i = 0; i < fields.length; i++) o[fields[i]] = values[i] ?? null;
  return o as T;
}

export function packSnapshot(s: Snapshot): WireSnapshot {
  const { groups, series, ...rest } = s;
  const packed = {} as Record<GroupName, PackedRow[]>;
  for (const g of Object.keys(groups) as GroupName[])
    packed[g] = groups[g].map((r) => [r.key, valuesOf(r.metrics), r.previous ? valuesOf(r.previous) : null]);
  return {
    ...rest,
    metric_fields: [...METRIC_FIELDS],
    groups: packed,
    series_fields: [...SERIES_FIELDS],
    series: series.map((p) => SERIES_FIELDS.map((f) => p[f])),
  };
}

/** The snapshot as the server built it, by the field names the message itself carries. */
export function unpackSnapshot(w: WireSnapshot): Snapshot {
  const { groups, series, metric_fields, series_fields, ...rest } = w;
  const rows = {} as Record<GroupName, GroupRow[]>;
  for (const g of Object.keys(groups) as GroupName[]) {
    rows[g] = groups[g].map(([key, m, p]) => ({
      key,
      metrics: objectOf<Metrics>(metric_fields, m),
      previous: p ? objectOf<Metrics>(metric_fields, p) : null,
    }));
  }
  return { ...rest, groups: rows, series: series.map((v) => objectOf<SeriesPoint>(series_fields, v)) };
}
