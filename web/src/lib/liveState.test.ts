import { describe, expect, it } from 'vitest';
import { computeMetrics, emptyTotals } from '@pulseroom/schema/metrics';
import type { Delta } from './contract';
import { pt, row, snapshot } from './testData';
import {
  addComment,
  applyDelta,
  campaignRow,
  CAPS,
  mergeRows,
  mergeSeries,
  normalizeSnapshot,
  pushFeed,
  Sampler,
} from './liveState';

describe('merging', () => {
  it('replaces rows by key and appends new keys', () => {
    const out = mergeRows([row('a', { clicks: 1 }), row('b')], [row('a', { clicks: 5 }), row('c')]);
    expect(out.map((r) => [r.key, r.metrics.clicks])).toEqual([
      ['a', 5],
      ['b', 0],
      ['c', 0],
    ]);
  });
  it('replaces or inserts series points by t and caps the length', () => {
    expect(mergeSeries([pt(10), pt(20)], [pt(20, 7), pt(30), pt(15)]).map((p) => [p.t, p.clicks])).toEqual([
      [10, 1],
      [15, 1],
      [20, 7],
      [30, 1],
    ]);
    const many = Array.from({ length: 500 }, (_, i) => pt(i * 10));
    const capped = mergeSeries(many, [pt(5000)], 100);
    expect(capped).toHaveLength(100);
    expect(capped.at(-1)!.t).toBe(5000);
  });
  it('applies deltas in order, drops old ones and reports gaps', () => {
    const v = normalizeSnapshot(snapshot());
    expect(v.series.map((p) => p.t)).toEqual([10, 20]);
    const d: Delta = {
      campaign_id: 'c1',
      window: '5m',
      at: 2000,
      seq: 2,
      groups: { campaign: [row('all', { clicks: 9 })] },
      window_end: 10_000,
      series: [pt(30)],
    };
    const r = applyDelta(v, d);
    expect(r.status).toBe('applied');
    expect(campaignRow(r.view)!.metrics.clicks).toBe(9);
    expect(r.view.groups.partner).toBe(v.groups.partner);
    expect(r.view.series).toHaveLength(3);
    expect(applyDelta(r.view, d).status).toBe('stale');
    expect(applyDelta(r.view, { ...d, seq: 5 }).status).toBe('gap');
    expect(applyDelta(r.view, { ...d, seq: 3, window: '1h' }).status).toBe('other');
  });
  it("merges patches field by field into held rows, after the delta's full rows", () => {
    const v = normalizeSnapshot(
      snapshot({
        groups: {
          campaign: [row('all', { clicks: 1, fee_minor: 10, cost_minor: 10 }, { fee_minor: 5 })],
          partner: [row('p1', { fee_minor: 3 }), row('p2')],
          type: [],
          tier: [],
          platform: [],
        },
      }),
    );
    const d: Delta = {
      campaign_id: 'c1',
      window: '5m',
      at: 2000,
      seq: 2,
      groups: { partner: [row('p3', { clicks: 4 })] },
      patches: {
        campaign: { metrics: { fee_minor: { all: 11 } }, previous: { fee_minor: { all: 6 } } },
        partner: { metrics: { fee_minor: { p1: 4, p3: 2 } } },
      },
      window_end: 10_000,
      series: [],
    };
    const r = applyDelta(v, d);
    expect(r.status).toBe('applied');
    const all = campaignRow(r.view)!;
    expect([all.metrics.clicks, all.metrics.fee_minor, all.metrics.cost_minor, all.previous!.fee_minor]).toEqual([
      1, 11, 11, 6,
    ]);
    expect(r.view.groups.partner.map((x) => [x.key, x.metrics.fee_minor, x.metrics.clicks])).toEqual([
      ['p1', 4, 0],
      ['p2', 0, 0],
      ['p3', 2, 4],
    ]);
    expect(r.view.groups.partner[1]).toBe(v.groups.partner[1]); // untouched rows keep their identity
    expect(v.groups.campaign[0].metrics.fee_minor).toBe(10); // the view held before is not mutated
  });
  it('recomputes the derived metrics of a patched row from its merged base fields', () => {
    const base = {
      ...emptyTotals(),
      views: 200,
      likes: 10,
      unique_clicks: 8,
      conversions: 2,
      revenue_minor: 5000,
      commission_minor: 300,
    };
    const held = {
      key: 'all',
      metrics: computeMetrics(base, { followers: 1000, feeShareMinor: 700, feeCommittedMinor: 9000 }),
      previous: null,
    };
    const v = normalizeSnapshot(
      snapshot({ groups: { campaign: [held], partner: [], type: [], tier: [], platform: [] } }),
    );
    // New data moved views and likes; the slide moved the fee share: only those base fields travel.
    const d: Delta = {
      campaign_id: 'c1',
      window: '5m',
      at: 2000,
      seq: 2,
      groups: {},
      patches: { campaign: { metrics: { views: { all: 250 }, likes: { all: 14 }, fee_minor: { all: 750 } } } },
      window_end: 10_000,
      series: [],
    };
    const all = campaignRow(applyDelta(v, d).view)!;
    expect(all.metrics).toEqual(
      computeMetrics(
        { ...base, views: 250, likes: 14 },
        { followers: 1000, feeShareMinor: 750, feeCommittedMinor: 9000 },
      ),
    );
    expect([all.metrics.er, all.metrics.cost_minor, all.metrics.roas]).toEqual([(14 / 250) * 100, 1050, 5000 / 1050]);
  });
  it("derives partner rows' fee shares from their fee terms as the window moves, and takes new terms", () => {
    const MIN5 = 300_000;
    const totals = { ...emptyTotals(), conversions: 2, revenue_minor: 5000, commission_minor: 300 };
    const at = (fee: number) =>
      computeMetrics(totals, { followers: 10, feeShareMinor: fee, feeCommittedMinor: 86_400 });
    // A fee of 86,400 over a run of 86,400 s: one minor unit a second of the run.
    const terms = { p1: [86_400, 0, 86_400_000, 1] as [number, number, number, number] };
    const v = normalizeSnapshot(
      snapshot({
        window_end: MIN5 + 10_000,
        fee_terms: terms,
        groups: {
          campaign: [],
          partner: [{ key: 'p1', metrics: at(300), previous: at(10) }],
          type: [],
          tier: [],
          platform: [],
        },
      }),
    );
    const slid = applyDelta(v, {
      campaign_id: 'c1',
      window: '5m',
      at: 2000,
      seq: 2,
      groups: {},
      window_end: MIN5 + 20_000,
      series: [],
    }).view;
    expect(slid.groups.partner[0]).toEqual({ key: 'p1', metrics: at(300), previous: at(20) });
    const halved = applyDelta(slid, {
      campaign_id: 'c1',
      window: '5m',
      at: 3000,
      seq: 3,
      groups: {},
      window_end: MIN5 + 20_000,
      fee_terms: { p1: [43_200, 0, 86_400_000, 1] },
      series: [],
    }).view;
    expect(halved.groups.partner[0]).toEqual({ key: 'p1', metrics: at(150), previous: at(10) });
    expect(halved.groups.partner[0].metrics.roas).toBe(5000 / 450);
  });
  it('keeps feeds newest first, deduplicated and capped', () => {
    let v = normalizeSnapshot(snapshot());
    for (let i = 0; i < CAPS.comments + 50; i++)
      v = addComment(v, {
        event_id: `e${i}`,
        ts: i,
        partner_id: 'p1',
        platform: 'x',
        content_id: 'c',
        text: 't',
        sentiment: 0,
        label: 'neu',
        lang: 'en',
      });
    expect(v.comments).toHaveLength(CAPS.comments);
    expect(v.comments[0].event_id).toBe(`e${CAPS.comments + 49}`);
    expect(pushFeed([{ id: 'a' }, { id: 'b' }], { id: 'b' }, (x) => x.id, 5).map((x) => x.id)).toEqual(['b', 'a']);
  });
  it('samples a bounded history', () => {
    const s = new Sampler(3);
    [1, 2, 3, 4, 5].forEach((v) => s.push(v));
    expect(s.get()).toEqual([3, 4, 5]);
  });
});
