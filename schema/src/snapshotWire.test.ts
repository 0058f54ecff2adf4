// snapshotWire: a packed snapshot unpacks to the snapshot the server built, and is much smaller on the wire.
import { describe, expect, it } from 'vitest';
import type { GroupRow, SeriesPoint, Snapshot, WireSnapshot } from './live.js';
import { computeMetrics, emptyTotals, TOTAL_FIELDS } from './metrics.js';
import { METRIC_FIELDS, packSnapshot, SERIES_FIELDS, unpackSnapshot } from './snapshotWire.js';

const row = (key: string, seed: number, previous: boolean): GroupRow => {
  const t = emptyTotals();
  TOTAL_FIELDS.forEach((f, i) => (t[f] = (seed * 7 + i * 13) % 97));
  const ctx = { followers: 1000 + seed, feeShareMinor: seed * 1.0589542392889382, feeCommittedMinor: 15000 };
  return { key, metrics: computeMetrics(t, ctx), previous: previous ? computeMetrics(emptyTotals(), ctx) : null };
};

const point = (t: number): SeriesPoint => ({
  t,
  views: t % 11,
  interactions: 3,
  clicks: 2,
  unique_clicks: 1,
  conversions: 0,
  revenue_minor: 12990,
  comments_n: 4,
  pos_n: 2,
  neg_n: 1,
  neu_n: 1,
});

const snapshot = (): Snapshot => ({
  campaign_id: 'halo-launch',
  window: '5m',
  at: 1_764_064_800_000,
  seq: 3,
  campaign: {
    id: 'halo-launch',
    name: 'Halo',
    brand: 'Acme',
    start: 0,
    end: 1,
    timezone: 'UTC',
    currency: 'EUR',
    budget_minor: 0,
    goals: { revenue_minor: null, clicks: 100, er: null },
  },
  partners: [],
  groups: {
    campaign: [row('all', 1, true)],
    partner: Array.from({ length: 120 }, (_, i) => row(`p${String(i).padStart(3, '0')}`, i, i % 3 !== 0)),
    type: [row('affiliate', 2, true), row('', 5, false)],
    tier: [row('micro', 3, true)],
    platform: [row('tiktok', 4, true)],
  },
  window_end: 1_764_064_800_000,
  fee_terms: {},
  series: Array.from({ length: 360 }, (_, i) => point(1_764_061_200_000 + i * 10_000)),
  comments: [],
  posts: [],
  alerts: [],
  annotations: [],
  sources: [],
});

describe('snapshot on the wire', () => {
  it('unpacks, after JSON, to the snapshot as built: every row, metric, null and series point', () => {
    const s = snapshot();
    const wire = JSON.parse(JSON.stringify(packSnapshot(s))) as WireSnapshot;
    expect(unpackSnapshot(wire)).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it('names every metric computeMetrics makes and every series field, once', () => {
    expect([...METRIC_FIELDS].sort()).toEqual(Object.keys(row('x', 1, false).metrics).sort());
    expect([...SERIES_FIELDS].sort()).toEqual(Object.keys(point(0)).sort());
  });

  it('unpacks by the names the message carries, not the receiver’s own order', () => {
    const wire = packSnapshot(snapshot());
    const order = wire.metric_fields.map((_, i) => i).reverse();
    const reordered: WireSnapshot = {
      ...wire,
      metric_fields: order.map((i) => wire.metric_fields[i]),
      groups: Object.fromEntries(
        Object.entries(wire.groups).map(([g, rows]) => [
          g,
          rows.map(([k, m, p]) => [k, order.map((i) => m[i]), p && order.map((i) => p[i])]),
        ]),
      ) as WireSnapshot['groups'],
    };
    expect(unpackSnapshot(reordered)).toEqual(unpackSnapshot(wire));
  });

  it('takes under 40 % of the bytes of the plain snapshot', () => {
    const s = snapshot();
    const plain = JSON.stringify(s).length;
    const packed = JSON.stringify(packSnapshot(s)).length;
    expect(packed / plain).toBeLessThan(0.4);
  });
});
