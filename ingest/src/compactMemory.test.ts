// The compact tables behave as the Maps they replace: same answers under inserts, deletes, eviction and expiry.
import { describe, expect, it } from 'vitest';
import { FingerprintSet, HashRing, Interner } from './compactMemory.js';
import { hash64 } from './idHash.js';
import { IngestState, RecentIds, type IngestRow } from './state.js';
import { blankStoredEvent } from '@pulseroom/schema';

describe('HashRing', () => {
  it('agrees with a Map under random inserts, deletes and eviction of the oldest (ring growth and wrap included)', () => {
    const max = 3000;
    const ring = new HashRing(max, []);
    const model = new Map<string, true>(); // insertion order = age, like the ring
    let seed = 1;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const h = { hi: 0, lo: 0 };
    for (let step = 0; step < 40_000; step += 1) {
      const key = `id-${Math.floor(rand() * 8000)}`;
      const r = rand();
      if (r < 0.6) {
        if (ring.findHash(hash64(key, h)) < 0) {
          // a live record and dead slots both take room: the model drops its oldest only when the ring evicts
          ring.insertHash(h);
          model.set(key, true);
        }
      } else if (r < 0.8) {
        const rec = ring.find(key);
        if (rec >= 0) ring.deleteRecord(rec);
        model.delete(key);
      } else {
        expect(ring.find(key) >= 0, key).toBe(model.has(key));
      }
      // what the ring evicted must be the model's oldest: sizes agree after trimming the model
      while (model.size > ring.size) model.delete(model.keys().next().value!);
      expect(ring.size).toBe(model.size);
    }
    for (const key of model.keys()) expect(ring.find(key)).toBeGreaterThanOrEqual(0);
  });
});

describe('FingerprintSet', () => {
  it('answers yes for what was added, including the 0 fingerprint, and grows', () => {
    const s = new FingerprintSet();
    for (let i = 0; i < 10_000; i += 1) s.add(i * 2654435761);
    for (let i = 0; i < 10_000; i += 1) expect(s.has(i * 2654435761)).toBe(true);
    expect(s.size).toBe(10_000);
  });
});

describe('RecentIds', () => {
  it('forgets ids past the window, oldest first, and past the size limit', () => {
    const r = new RecentIds(60_000, 3);
    r.add('s', 'a', 1_000);
    r.add('s', 'b', 30_000);
    r.add('t', 'a', 50_000);
    expect([r.has('s', 'a'), r.has('t', 'a'), r.has('s', 'c')]).toEqual([true, true, false]);
    r.prune(70_000);
    expect([r.has('s', 'a'), r.has('s', 'b'), r.size]).toEqual([false, true, 2]);
    r.add('s', 'c', 60_000);
    r.add('s', 'd', 61_000); // past 3 ids: 's b' goes
    expect([r.has('s', 'b'), r.has('s', 'c'), r.has('s', 'd'), r.size]).toEqual([false, true, true, 3]);
    r.delete('s', 'c');
    expect([r.has('s', 'c'), r.size]).toEqual([false, 2]);
  });
});

const row = (over: Partial<IngestRow>): IngestRow =>
  ({
    ...blankStoredEvent(),
    event_id: `e-${Math.random()}`,
    source_id: 'src',
    received_at: 1,
    campaign_id: 'c',
    ...over,
  }) as IngestRow;

describe('IngestState eviction', () => {
  it('an evicted order may be stored (look it up); its refunds made in this process are still counted when it is loaded again', () => {
    const state = new IngestState({
      dedupeWindowMs: 1e9,
      dedupeMaxIds: 100,
      maxOrders: 2,
      maxClicks: 2,
      startedAt: 100,
      replayedBatches: new Set(),
    });
    state.ordersLoaded();
    state.clicksLoaded(0);
    const conv = (order_id: string) =>
      row({
        type: 'conversion',
        order_id,
        partner_id: 'p',
        status: 'approved',
        amount_minor: 1000,
        orig_amount_minor: 1000,
        currency: 'EUR',
        orig_currency: 'EUR',
        commission_minor: 100,
        attributed: 1,
        converted: 1,
      });
    state.apply(conv('o1'));
    state.apply(row({ type: 'refund', order_id: 'o1', amount_minor: -300, commission_minor: -30 }));
    expect(state.refunded('c', 'o1')).toEqual({ amount: 300, commission: 30 });
    expect(state.orderMayBeStored('c', 'o9')).toBe(false); // new: no look-up
    state.apply(conv('o2'));
    state.apply(conv('o3')); // o1 evicted
    expect(state.order('c', 'o1')).toBeUndefined();
    expect(state.orderMayBeStored('c', 'o1')).toBe(true);
    expect(state.orderMayBeStored('c', 'o9')).toBe(false);
    // loaded again from ClickHouse (the conversion only: the refund was made by this process, after it started)
    state.seedOrder([
      {
        campaign_id: 'c',
        order_id: 'o1',
        type: 'conversion',
        event_id: 'x',
        partner_id: 'p',
        platform: '',
        from_status: '',
        ts: 0,
        status: 'approved',
        amount_minor: 1000,
        currency: 'EUR',
        orig_amount_minor: 1000,
        orig_currency: 'EUR',
        commission_minor: 100,
        attributed: 1,
        converted: 1,
        batch_id: 'b',
        received_at: 150,
      },
    ]);
    expect(state.order('c', 'o1')).toMatchObject({
      partner_id: 'p',
      amount_minor: 1000,
      commission_minor: 100,
      attributed: 1,
      converted: 1,
    });
    expect(state.refunded('c', 'o1')).toEqual({ amount: 300, commission: 30 });
  });

  it('an evicted click may be stored; a click never seen since the loaded time needs no look-up', () => {
    const state = new IngestState({
      dedupeWindowMs: 1e9,
      dedupeMaxIds: 100,
      maxClicks: 2,
      startedAt: 100,
      replayedBatches: new Set(),
    });
    const click = (click_id: string) => row({ type: 'click', click_id, partner_id: 'p', link_code: 'l', ts: 5_000 });
    expect(state.clickMayBeStored('k9', 10_000)).toBe(true); // before start-up loading: look up
    state.clicksLoaded(1_000);
    for (const id of ['k1', 'k2', 'k3']) state.apply(click(id));
    expect(state.click('k1')).toBeUndefined();
    expect(state.click('k3')).toMatchObject({
      click_id: 'k3',
      campaign_id: 'c',
      partner_id: 'p',
      link_code: 'l',
      ts: 5_000,
      bot: 0,
    });
    expect(state.clickMayBeStored('k1', 10_000)).toBe(true);
    expect(state.clickMayBeStored('k9', 10_000)).toBe(false);
    expect(state.clickMayBeStored('k9', 500)).toBe(true); // could be older than what was loaded
  });
});

describe('IngestState visitors (IAB unique clicks)', () => {
  it('a repeat within 30 minutes is not unique; pruning forgets only pairs idle past the window, even when refreshed out of order', () => {
    const state = new IngestState({ dedupeWindowMs: 1e9, dedupeMaxIds: 100, startedAt: 0, replayedBatches: new Set() });
    const min = 60_000;
    state.seedLastClick('v1', 'l', 0);
    state.seedLastClick('v2', 'l', 10 * min);
    state.seedLastClick('v1', 'l', 20 * min); // v1 refreshed: now newer than v2
    state.seedLastClick('v1', 'l', 5 * min); // an older (late) click does not move it back
    expect(state.isUniqueClick('v1', 'l', 45 * min)).toBe(false);
    expect(state.isUniqueClick('v2', 'l', 45 * min)).toBe(true);
    expect(state.isUniqueClick('v3', 'l', 45 * min)).toBe(true);
    state.seedLastClick('v3', 'other', 45 * min); // latest click time 45 min: pairs idle since before 15 min go
    state.prune(0);
    expect(state.sizes().visitors).toBe(2);
    expect(state.isUniqueClick('v1', 'l', 21 * min)).toBe(false);
  });
});

describe('Interner', () => {
  it('keeps at most `max` strings; past it a new one reads back as the blank', () => {
    const strings = new Interner(2);
    const a = strings.id('a');
    const b = strings.id('b');
    expect([
      strings.value(a),
      strings.value(b),
      strings.value(strings.id('c')),
      strings.value(strings.id('a')),
    ]).toEqual(['a', 'b', '', 'a']);
  });
});
