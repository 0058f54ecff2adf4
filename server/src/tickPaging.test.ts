// A backlog of change-log batches (a spool catch-up, a backfill) is read a page of whole batches per tick, and once it
// is applied the engine holds exactly what a fresh load of agg_10s gives: no batch lost, none twice, windows slid
// right.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { AggregationEngine } from './engine/rollingWindows.js';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import { seedWorld, testClock } from './testing/harness.js';
import { EVENT_PARTNERS, NOW, testWorld } from './testing/world.js';

const HOUR = 3_600_000;
const PAGE = 60;
const r = rng(4242);
const clock = testClock(NOW);
const logger = pino({ level: 'silent' });
let store: Store;

const engine = (pageRows?: number) =>
  new AggregationEngine({ client: store.client, clock: clock.now, logger, overlapMs: 5_000, pageRows });
const SLIDE_MS = 20 * 60_000;
/**
 * Event times over the last 30 h, a third of them in the 20 minutes that leave the 24 h window when the clock moves on.
 */
const eventTs = () => (r.chance(0.33) ? NOW - 24 * HOUR + r.int(0, SLIDE_MS) : NOW - r.int(0, 30 * HOUR));
const batch = (n: number) =>
  Array.from({ length: n }, () =>
    randomEvent(r, { campaign_id: r.chance(0.8) ? 'c1' : 'c2', partners: EVENT_PARTNERS }, eventTs()),
  );

/** Every key's running sums: campaign-to-date and each window's current and previous totals. */
function sums(e: AggregationEngine): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of e.campaigns.values()) {
    for (const [k, s] of c.keys)
      out[`${c.id}|${k}`] = [...s.ctd, ...s.cur.flatMap((a) => [...a]), ...s.prev.flatMap((a) => [...a])].map(
        (x) => Math.round(x * 1e6) / 1e6,
      );
  }
  return out;
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  for (let i = 0; i < 3; i++) await insertBatch(store.client, batch(50));
});
afterAll(async () => {
  await store?.close();
});

describe('tick paging', () => {
  it('applies a backlog over several ticks of whole batches and ends equal to a fresh load', async () => {
    const paged = engine(PAGE);
    await paged.init();
    const sizes = [20, 20, 20, 120, 20, 20, 20, 20, 20, 20]; // one batch larger than a page
    for (const n of sizes) await insertBatch(store.client, batch(n));
    clock.advance(SLIDE_MS); // the windows have to slide too, but only once the backlog is in

    const perTick: { rows: number; more: boolean }[] = [];
    for (let i = 0; i < 40; i++) {
      const t = await paged.reconcile();
      perTick.push({ rows: t.rows, more: t.more });
      if (!t.more) break;
    }
    expect(perTick.at(-1)!.more).toBe(false);
    expect(perTick.filter((t) => t.more).length).toBeGreaterThanOrEqual(3);
    // Whole batches are added while the page has room: a page passes PAGE by less than its last batch (≤ 120 rows).
    for (const t of perTick) expect(t.rows).toBeLessThan(PAGE + 120);

    const fresh = engine();
    await fresh.init();
    expect(paged.bucket).toBe(fresh.bucket);
    expect(sums(paged)).toEqual(sums(fresh));
  });
});
