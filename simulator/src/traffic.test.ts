// The generator as a pure function: deterministic, schema-valid, and the figures it produces sit in
// the ranges the simulator claims.
import { describe, expect, it } from 'vitest';
import {
  incomingEvent,
  PLATFORMS_WITHOUT_REACH,
  PLATFORMS_WITHOUT_SAVES,
  TIERS,
  type Platform,
} from '@pulseroom/schema';
import { AOV_RANGES, CR_RANGE, ER_BY_TIER } from './claims.js';
import { allTexts } from './comments.js';
import { demoLaunch } from './demoLaunch.js';
import { claimsOf } from './simulate.js';
import { Tallier } from './tally.js';
import { crisisIntensity, generateMinute, planTraffic, type Action, type TrafficPlan } from './traffic.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const START = NOW - 3 * 60_000;

function plan(seed: number): TrafficPlan {
  return planTraffic({ launch: demoLaunch({ now: NOW, seed }), seed, startAt: START });
}

function play(p: TrafficPlan, from: number, to: number): Action[][] {
  const out: Action[][] = [];
  for (let m = from; m < to; m++) out.push(generateMinute(p, m));
  return out;
}

/** Every event an action leads to: the action's own, a visit's click, its order and refund. */
function eventsOf(a: Action): unknown[] {
  if (a.kind === 'event') return [a.event];
  return [a.click, ...(a.order ? [a.order.event, ...(a.order.refund ? [a.order.refund.event] : [])] : [])];
}

const seed42 = plan(42);
const first2h = play(seed42, 0, 120);

describe('traffic generator', () => {
  it('is deterministic for a seed, and random-access by minute', () => {
    const again = plan(42);
    expect(generateMinute(again, 37)).toEqual(first2h[37]);
    expect(generateMinute(again, 3)).toEqual(first2h[3]);
    expect(generateMinute(plan(43), 3)).not.toEqual(first2h[3]);
  });

  it('emits only events that pass incomingEvent, with unique ids, ts inside their minute (orders after it)', () => {
    const ids = new Set<string>();
    let n = 0;
    first2h.forEach((actions, m) => {
      for (const a of actions) {
        expect(a.at).toBeGreaterThanOrEqual(START + m * 60_000);
        if (a.kind === 'visit' || a.event.type !== 'conversion')
          expect(a.at).toBeLessThan(
            START +
              (m + 1) * 60_000 +
              (a.kind === 'event' && (a.event.type === 'refund' || a.event.type === 'status') ? Infinity : 0),
          );
        for (const e of eventsOf(a)) {
          const r = incomingEvent.safeParse(e);
          if (!r.success) throw new Error(`${JSON.stringify(e)}: ${r.error.issues[0].message}`);
          expect(ids.has(r.data.event_id)).toBe(false);
          ids.add(r.data.event_id);
          n++;
        }
      }
    });
    expect(n).toBeGreaterThan(20_000);
  });

  it('respects each platform: no reach or saves where the platform has none', () => {
    const seen = new Set<string>();
    for (const a of first2h.flat()) {
      if (a.kind !== 'event' || a.event.type !== 'engagement') continue;
      const platform = a.event.platform as Platform;
      seen.add(platform);
      if (PLATFORMS_WITHOUT_REACH.has(platform)) expect(a.event.reach).toBeUndefined();
      else expect(a.event.reach).toBeTypeOf('number');
      if (PLATFORMS_WITHOUT_SAVES.has(platform)) expect(a.event.saves).toBeUndefined();
      else expect(a.event.saves).toBeTypeOf('number');
    }
    expect(seen).toContain('tiktok');
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });

  it('starts with a wave of posts at launch minute, with clear, weak and missing disclosures', () => {
    const posts = first2h.map((l) => l.filter((a) => a.kind === 'event' && a.event.type === 'post').length);
    expect(posts[0]).toBeGreaterThan(20);
    expect(posts[0]).toBe(Math.max(...posts));
    expect(posts.slice(13).reduce((s, x) => s + x, 0)).toBeGreaterThan(10); // and more across the launch
    const t = new Tallier().add(first2h.flat()).finish();
    expect(t.posts.clear).toBeGreaterThan(t.posts.total * 0.6);
    expect(t.posts.weak).toBeGreaterThan(0);
    expect(t.posts.missing).toBeGreaterThan(0);
  });

  it.each([1, 7, 42, 99])(
    'produces ER by tier (nano > micro > macro > mega), CR and AOV inside the claimed ranges (seed %i)',
    (seed) => {
      const p = seed === 42 ? seed42 : plan(seed);
      const t = new Tallier().add((seed === 42 ? first2h : play(p, 0, 120)).flat()).finish();
      const er = TIERS.map((tier) => t.er_by_tier[tier]!);
      TIERS.forEach((tier, i) => {
        expect(er[i]).toBeGreaterThanOrEqual(ER_BY_TIER[tier].min);
        expect(er[i]).toBeLessThanOrEqual(ER_BY_TIER[tier].max);
      });
      for (let i = 1; i < er.length; i++) expect(er[i]).toBeLessThan(er[i - 1]);
      expect(er[0]).toBeGreaterThanOrEqual(4); // nano ≈ 4–7 %
      expect(er[3]).toBeLessThanOrEqual(2); // mega ≈ 1–2 %
      expect(t.cr_percent!).toBeGreaterThanOrEqual(CR_RANGE.min);
      expect(t.cr_percent!).toBeLessThanOrEqual(CR_RANGE.max);
      expect(Object.keys(t.aov).length).toBeGreaterThanOrEqual(2); // orders in more than one currency
      for (const [cur, aov] of Object.entries(t.aov)) {
        expect(aov, cur).toBeGreaterThanOrEqual(AOV_RANGES[cur].min);
        expect(aov, cur).toBeLessThanOrEqual(AOV_RANGES[cur].max);
      }
      // Clicks: a few bots, repeat clicks (unique < human), orders of every kind.
      expect(t.clicks.bots).toBeGreaterThan(0);
      expect(t.clicks.bots / (t.clicks.bots + t.clicks.human)).toBeLessThan(0.1);
      expect(t.clicks.unique).toBeLessThan(t.clicks.human);
      expect(t.clicks.unique).toBeGreaterThan(t.clicks.human * 0.8);
      expect(t.orders.click).toBeGreaterThan(0);
      expect(t.orders.promo).toBeGreaterThan(0);
      expect(t.orders.unattributable).toBeGreaterThan(0);
      expect(t.orders.pending).toBeGreaterThan(0);
      expect(t.orders.refunds).toBeGreaterThan(0);
      // The claims SimStats reports are the same ranges.
      expect(claimsOf(p).er_by_tier).toEqual(ER_BY_TIER);
    },
  );

  it('lets one post go viral', () => {
    const viral = seed42.viral!;
    expect(viral).not.toBeNull();
    const viewsOf = new Map<string, number>();
    for (const a of first2h.slice(10, 120).flat()) {
      if (a.kind === 'event' && a.event.type === 'engagement')
        viewsOf.set(a.event.content_id, (viewsOf.get(a.event.content_id) ?? 0) + (a.event.views ?? 0));
    }
    const ranked = [...viewsOf.entries()].sort((x, y) => y[1] - x[1]);
    expect(ranked[0][0]).toBe(viral.content_id);
    expect(claimsOf(seed42).viral?.content_id).toBe(viral.content_id);
  });

  it('scripts a crisis: a shipping-delay complaint wave that swings comment sentiment negative, then recovers', async () => {
    const comments = (from: number, to: number) =>
      first2h
        .slice(from, to)
        .flat()
        .filter((a) => a.kind === 'event' && a.event.type === 'comment' && a.event.campaign_id === seed42.headline)
        .map((a) => (a.kind === 'event' && a.event.type === 'comment' ? a.event : null)!);
    const before = comments(0, seed42.crisis.from);
    const during = comments(seed42.crisis.from + 2, seed42.crisis.to - 3);
    const after = comments(seed42.crisis.to + 5, 60);
    expect(crisisIntensity(seed42, seed42.crisis.from + 4)).toBe(1);
    // A keyword proxy: shipping and delay words in the languages the crisis speaks.
    const complaint =
      /ship|deliver|delay|order|pedido|envío|retraso|bestellung|lieferung|versendet|verspätung|entrega|atras|commande|livraison|retard|発送|配送|배송/i;
    const share = (list: typeof before) => list.filter((c) => complaint.test(c.text)).length / list.length;
    expect(during.length).toBeGreaterThan(before.length);
    expect(share(during)).toBeGreaterThan(0.4);
    const negShare = new Tallier()
      .add(first2h.slice(seed42.crisis.from + 2, seed42.crisis.to - 3).flat())
      .finish().comments;
    expect(negShare.negative / negShare.total).toBeGreaterThanOrEqual(claimsOf(seed42).crisis.negative_share.min);
    expect(negShare.negative / negShare.total).toBeLessThanOrEqual(claimsOf(seed42).crisis.negative_share.max);
    expect(share(before)).toBeLessThan(0.1);
    expect(share(after)).toBeLessThan(0.1);
    // Scored by ingest's own pipeline (a test-only dependency): net sentiment turns negative, and back.
    const { scoreComment } = await import('@pulseroom/ingest/enrich/sentiment');
    const net = (list: typeof before) => {
      const labels = list.map((c) => scoreComment(c.text, c.lang).label).filter((l) => l !== 'unscored');
      return (
        ((labels.filter((l) => l === 'pos').length - labels.filter((l) => l === 'neg').length) / labels.length) * 100
      );
    };
    expect(net(before)).toBeGreaterThan(20);
    expect(net(during)).toBeLessThan(-10);
    expect(net(after)).toBeGreaterThan(20);
    // Every crisis text reads as a complaint.
    for (const t of allTexts('crisis'))
      expect(complaint.test(t) || /cancel|refund|reembolso|remboursé|Geld zurück|취소|キャンセル/i.test(t), t).toBe(
        true,
      );
  });
});
