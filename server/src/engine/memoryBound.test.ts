// BOUNDED MEMORY: two days of dense synthetic traffic (every key, every 10 s bucket) with late rows at the 24 h and 48
// h edges, while the clock steps through them: the 10 s buckets the engine keeps stay flat at keys × 2 h, and every
// window (current and previous) still equals SQL over the raw events, field by field.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_FIELDS, WINDOW_MS, WINDOWS, type Totals } from '@pulseroom/schema';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch, randomEvent, rng } from '../testing/events.js';
import { testClock } from '../testing/harness.js';
import { truthPeriods } from '../testing/truth.js';
import { EVENT_PARTNERS, NOW } from '../testing/world.js';
import { AggregationEngine, BUCKET_MS, NF, RECENT_MS, windowIndex } from './rollingWindows.js';

const HOUR = 3_600_000;
const STEP = 50 * 60_000; // the clock moves 50 min (300 buckets) per tick; every 8th tick jumps 2.5 h (more than the stepping limit of 1 h)
const KEYS = Object.keys(EVENT_PARTNERS)
  .slice(0, 4)
  .map((p) => ({ p, platform: EVENT_PARTNERS[p][0] }));
const r = rng(4242);
const clock = testClock(NOW - 48 * HOUR);
let store: Store;
let engine: AggregationEngine;

const ev = (key: { p: string; platform: string }, ts: number) =>
  randomEvent(r, { campaign_id: 'c1', partners: { [key.p]: [key.platform] } }, ts);

/** Compares the engine's per-partner sums of every window (current and previous) with SQL over raw events. */
async function verify(where: string) {
  const B = engine.bucket;
  const state = engine.campaigns.get('c1')!;
  for (const w of WINDOWS) {
    const L = w === 'ctd' ? 0 : WINDOW_MS[w];
    const range = w === 'ctd' ? { lo: 0, hi: B } : { lo: B - 2 * L, mid: B - L, hi: B };
    const truth = await truthPeriods(store.client, { campaign_id: 'c1', group: 'partner', groupOf: {}, ...range });
    const held = new Map<string, { cur: Float64Array; prev: Float64Array }>();
    for (const k of state.keys.values()) {
      const h = held.get(k.partner_id) ?? { cur: new Float64Array(NF), prev: new Float64Array(NF) };
      const wi = w === 'ctd' ? -1 : windowIndex(w);
      for (let i = 0; i < NF; i++) {
        h.cur[i] += wi < 0 ? k.ctd[i] : k.cur[wi][i];
        if (wi >= 0) h.prev[i] += k.prev[wi][i];
      }
      held.set(k.partner_id, h);
    }
    const check = (got: Float64Array | undefined, want: Totals | undefined, what: string) => {
      TOTAL_FIELDS.forEach((f, i) => {
        const a = got?.[i] ?? 0;
        const e = want?.[f] ?? 0;
        if (f === 'sentiment_sum') expect(a, `${where} ${what} ${f}`).toBeCloseTo(e, 3);
        else expect(a, `${where} ${what} ${f}`).toBe(e);
      });
    };
    for (const p of new Set([...held.keys(), ...truth.cur.keys(), ...truth.prev.keys()])) {
      check(held.get(p)?.cur, truth.cur.get(p), `${w}/${p}`);
      if (w !== 'ctd') check(held.get(p)?.prev, truth.prev.get(p), `${w}/${p} previous`);
    }
  }
}

const selectedRows = async () => {
  const rs = await store.client.query({
    query: "SELECT value FROM system.events WHERE event = 'SelectedRows'",
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ value: number }>();
  return Number(row?.value ?? 0);
};
/** Rows ClickHouse read while `f` ran, net of the counter query itself. */
async function readsOf(f: () => Promise<unknown>) {
  const a = await selectedRows();
  const b = await selectedRows();
  await f();
  const c = await selectedRows();
  return c - b - (b - a);
}

beforeAll(async () => {
  store = await openTestStore();
  // 50 h of sparse history before the engine starts (one event per key every 2 min), loaded once from agg_10s.
  const start = clock.now();
  const rows = [];
  for (let t = start - 50 * HOUR; t <= start; t += 120_000)
    for (const k of KEYS) rows.push(ev(k, t + r.int(0, 119_999) - 120_000));
  for (let i = 0; i < rows.length; i += 5_000) await insertBatch(store.client, rows.slice(i, i + 5_000));
  engine = new AggregationEngine({
    client: store.client,
    clock: clock.now,
    logger: pino({ level: 'silent' }),
    overlapMs: 5_000,
  });
  await engine.init();
}, 120_000);
afterAll(async () => {
  await store?.close();
});

describe('engine memory', () => {
  it('stays flat through 2 days of dense traffic, and every window stays exact', async () => {
    await verify('after load');
    const retained: number[] = [];
    const slab: number[] = [];
    const tickMs: number[] = [];
    const insertMs: number[] = [];
    const began = clock.now();
    const ticks = Number(process.env.MEM_TICKS ?? 52);
    for (let i = 1; i <= ticks; i++) {
      const from = clock.now();
      const to = from + (i % 8 === 0 ? 3 * STEP : STEP);
      const batch = [];
      // Every key in every 10 s bucket of the step.
      for (let b = Math.floor(from / BUCKET_MS) * BUCKET_MS + BUCKET_MS; b <= to; b += BUCKET_MS)
        for (const k of KEYS) batch.push(ev(k, Math.min(to, b + r.int(0, BUCKET_MS - 1))));
      // Late rows: in the buckets this very tick slides out of the 24 h and the previous 24 h windows, anywhere in the
      // last 48 h (buckets no longer in memory included), and older than 48 h (campaign-to-date only).
      const k = () => KEYS[r.int(0, KEYS.length - 1)];
      for (let j = 0; j < 2; j++) {
        batch.push(ev(k(), from - 24 * HOUR + r.int(0, to - from)));
        batch.push(ev(k(), from - 48 * HOUR + r.int(0, to - from)));
        batch.push(ev(k(), from - r.int(2 * HOUR, 47 * HOUR)));
        batch.push(ev(k(), from - r.int(49 * HOUR, 80 * HOUR)));
      }
      const ti = performance.now();
      await insertBatch(store.client, batch);
      insertMs.push(performance.now() - ti);
      clock.set(to);
      const t0 = performance.now();
      await engine.reconcile();
      tickMs.push(performance.now() - t0);
      const m = engine.memoryStats();
      retained.push(m.buckets);
      slab.push(m.slabBytes);
      if (i % 8 === 4) {
        const tv = performance.now();
        await verify(`after ${(clock.now() - began) / HOUR} h`);
        if (process.env.MEM_DEBUG)
          console.log(
            `verify ${(performance.now() - tv).toFixed(0)} ms; insert median ${[...insertMs].sort((a, b) => a - b)[insertMs.length >> 1].toFixed(1)} ms; tick median ${[...tickMs].sort((a, b) => a - b)[tickMs.length >> 1].toFixed(1)} ms`,
          );
      }
    }
    const warm = 3; // once 2 h have passed, the kept buckets are exactly keys × 2 h
    const bound = KEYS.length * (RECENT_MS / BUCKET_MS);
    const after = retained.slice(warm);
    console.log(
      `retained 10 s buckets: after the first tick ${retained[0]}, after 2 h ${retained[warm]}, max after that ${Math.max(...after)}, at the end ${retained.at(-1)} (bound ${bound} = ${KEYS.length} keys × ${RECENT_MS / BUCKET_MS}); ` +
        `slab bytes ${slab[warm]} → ${slab.at(-1)}; tick ms median ${tickMs.sort((a, b) => a - b)[tickMs.length >> 1].toFixed(1)}`,
    );
    expect(Math.max(...after)).toBeLessThanOrEqual(bound);
    expect(retained.at(-1)).toBe(retained[warm]);
    expect(Math.min(...after)).toBe(retained[warm]);
    // The slabs hold at most the 2 h, the future buckets of one tick and growth headroom.
    expect(Math.max(...slab)).toBeLessThanOrEqual(KEYS.length * 2 * ((RECENT_MS + 3 * STEP) / BUCKET_MS) * NF * 8);
    await verify('at the end');

    // What sliding costs ClickHouse: a tick that slides one bucket reads the change log like any tick plus agg_10s's
    // rows of the two buckets that slide out (a granule or two of each), whatever the history.
    await store.client.command({ query: 'OPTIMIZE TABLE agg_10s FINAL' });
    const idle = await readsOf(() => engine.reconcile());
    clock.advance(BUCKET_MS);
    const sliding = await readsOf(() => engine.reconcile());
    const [{ n }] = await (
      await store.client.query({ query: 'SELECT count() AS n FROM agg_10s', format: 'JSONEachRow' })
    ).json<{ n: number }>();
    console.log(`rows read: idle tick ${idle}, tick sliding one bucket ${sliding} (agg_10s holds ${n} rows)`);
    expect(sliding - idle).toBeLessThanOrEqual(4 * 8192);
    await verify('after one more bucket');
  }, 240_000);
});
