// The tick reads a bounded number of rows: ClickHouse's own counter of rows read (system.events SelectedRows; chDB has
// no query_log and its result summary reports result rows) stays the same for the same new batch with 10× more history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import { seedWorld, startTestServer, testClock, type TestServer } from './testing/harness.js';
import { EVENT_PARTNERS, NOW, testWorld } from './testing/world.js';

const OVERLAP_MS = 800;
const r = rng(99);
const clock = testClock(NOW);
let store: Store;
let t: TestServer;

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const selectedRows = async () => {
  const rs = await store.client.query({
    query: "SELECT value FROM system.events WHERE event = 'SelectedRows'",
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ value: number }>();
  return Number(row?.value ?? 0);
};

/** Rows ClickHouse read during one engine tick, net of the counter query itself. */
async function measuredTick() {
  const a = await selectedRows();
  const b = await selectedRows();
  const overhead = b - a;
  const t0 = performance.now();
  const result = await t.server.engine.reconcile();
  const ms = performance.now() - t0;
  const c = await selectedRows();
  return { read: c - b - overhead, fetched: result.rows, ms };
}

async function history(events: number) {
  for (let i = 0; i < events; i += 1000) {
    const rows = Array.from({ length: 1000 }, () =>
      randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, clock.now() - r.int(0, 40 * 3_600_000)),
    );
    await insertBatch(store.client, rows);
  }
}

/**
 * History settles into merged parts; a fresh batch is a part of its own until a background merge folds it in
 * (then the tick reads the one or two 8,192-row granules at the end of that part: still independent of history).
 */
const settle = () => store.client.command({ query: 'OPTIMIZE TABLE agg_delta FINAL' });

/** The same shape of new batch each time: engagement only (no feed read), recent, over every partner. */
async function freshBatch() {
  const rows = Array.from({ length: 200 }, (_, i) => {
    const p = Object.keys(EVENT_PARTNERS)[i % 8];
    return {
      campaign_id: 'c1',
      partner_id: p,
      platform: EVENT_PARTNERS[p][0],
      type: 'engagement' as const,
      ts: clock.now() - (i % 3) * 10_000,
      views: 10,
      likes: 1,
    };
  });
  await insertBatch(store.client, rows);
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  await history(2_000);
  await settle();
  await sleep(OVERLAP_MS + 300);
  t = await startTestServer(store, { clock: clock.now, config: { PULSEROOM_DELTA_OVERLAP_MS: OVERLAP_MS } });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('rows read per tick', () => {
  it('stay the same with 10× more history', async () => {
    // Each tick re-reads the change log of the last overlap (inserts committed late): start both phases alike, with
    // one small batch applied an overlap ago, then measure the tick that applies the same new batch.
    const phase = async () => {
      await freshBatch();
      await t.server.engine.reconcile();
      await sleep(OVERLAP_MS + 300);
      await freshBatch();
      return { withBatch: await measuredTick(), idle: await measuredTick() };
    };
    const { withBatch: small, idle: idleSmall } = await phase();

    await history(18_000); // 10× the history: 20,000 events
    await t.server.engine.reconcile(); // the engine applies the new history once, like any batch
    await settle();
    await sleep(OVERLAP_MS + 300);
    const { withBatch: large, idle: idleLarge } = await phase();

    const [{ delta_rows, agg_rows }] = await (
      await store.client.query({
        query: 'SELECT (SELECT count() FROM agg_delta) AS delta_rows, (SELECT count() FROM agg_10s) AS agg_rows',
        format: 'JSONEachRow',
      })
    ).json<{ delta_rows: number; agg_rows: number }>();
    console.log(`history: agg_delta ${delta_rows} rows, agg_10s ${agg_rows} rows`);
    console.log(
      `tick with a new batch: read ${small.read} rows (fetched ${small.fetched}, ${small.ms.toFixed(1)} ms) → with 10× history read ${large.read} rows (fetched ${large.fetched}, ${large.ms.toFixed(1)} ms)`,
    );
    console.log(`idle tick: read ${idleSmall.read} → ${idleLarge.read} rows`);

    expect(small.fetched).toBe(large.fetched);
    expect(small.read).toBeGreaterThan(0);
    // ±2: the counter query itself reads one more row of system.events when a new counter appears meanwhile.
    expect(Math.abs(large.read - small.read)).toBeLessThanOrEqual(2);
    expect(Math.abs(idleLarge.read - idleSmall.read)).toBeLessThanOrEqual(2);
    expect(large.read).toBeLessThan(Number(delta_rows) / 10);
  });

  it("a batch's comments and posts are read from its own rows, not from the other batches of the same seconds", async () => {
    // 30,000 events in the last 20 s, merged into one part, interleaved by event time with what comes next.
    const dense = Array.from({ length: 30 }, () =>
      Array.from({ length: 1000 }, () =>
        randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, clock.now() - r.int(0, 20_000)),
      ),
    );
    for (const rows of dense) await insertBatch(store.client, rows);
    await t.server.engine.reconcile();
    await store.client.command({ query: 'OPTIMIZE TABLE events FINAL' });
    await settle();
    await sleep(OVERLAP_MS + 300);
    await t.server.engine.reconcile();
    const fresh = Array.from({ length: 200 }, () =>
      randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, clock.now() - r.int(0, 20_000)),
    );
    expect(fresh.some((e) => e.type === 'comment')).toBe(true);
    await insertBatch(store.client, fresh);
    const tick = await measuredTick();
    console.log(`tick of a 200-event batch among 30,000 events of the same 20 s: read ${tick.read} rows`);
    // Without the batch skip index the feed read scans every granule of those 20 s: ≥ 30,000 rows.
    expect(tick.read).toBeLessThan(10_000);
  });
});
