// Deltas from the stream, ClickHouse the truth they reconcile with: a streamed batch moves the socket before the store
// has it; the store then confirms it without a correction. A divergence — a batch stored but never streamed, or
// streamed with other figures than stored — is corrected at the next reconcile and counted in
// pulseroom_live_reconcile_corrections_total. The engine's exact rows are checked against the store's view: the
// TypeScript aggregation of events equals what agg_delta_mv makes of them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggKey, blankStoredEvent, liveBatchOf, TOTAL_FIELDS, type AggRow, type StoredEvent } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import { followPlatformViews, seedWorld, startTestServer, waitFor, type TestServer } from './testing/harness.js';
import { EVENT_PARTNERS, testWorld } from './testing/world.js';

let store: Store;
let t: TestServer;
let seen: () => number;
const RUN = randomBytes(5).toString('hex');
let seq = 0;
const segment = () => `${RUN}-${++seq}`;

/** A stored event as ingest enriches it (the fields aggregation reads), for the test's own platform. */
const views = (n: number, ts = Date.now()): StoredEvent => ({
  ...blankStoredEvent(),
  event_id: `e_${randomBytes(6).toString('hex')}`,
  type: 'engagement',
  campaign_id: 'c1',
  partner_id: 'pa1',
  platform: 'twitch',
  ts,
  received_at: ts,
  views: n,
});

async function corrections(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(/^pulseroom_live_reconcile_corrections_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, {
    autoTick: true,
    inlineStream: true,
    allowCorrections: true,
    config: { PULSEROOM_RECONCILE_MS: 200 },
  });
  // One socket follows the platform's views through every test (its figure comes with deltas).
  seen = await followPlatformViews(t, (await createToken(store.client, { role: 'admin' })).token, 'c1', 'twitch');
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('deltas from the stream', () => {
  it('a streamed batch reaches the socket before the store has it; storing it corrects nothing', async () => {
    const base = seen();
    const id = segment();
    const rows = [views(700), views(50)];
    t.server.accept(liveBatchOf(id, rows, Date.now()));
    await waitFor(() => seen() === base + 750, 3_000, 'the streamed delta');
    await insertBatch(store.client, rows, id);
    await t.server.tickOnce();
    await t.server.tickOnce();
    expect(seen()).toBe(base + 750); // not counted twice
    expect(t.server.engine.unconfirmed).toBe(0);
    expect(await corrections()).toBe(0);
  });

  it('a batch stored but never streamed is taken from the store at the next reconcile, and counted', async () => {
    const base = seen();
    const before = await corrections();
    const streamed = segment();
    t.server.accept(liveBatchOf(streamed, [views(5)], Date.now())); // the run is known to stream…
    await insertBatch(store.client, [views(5)], streamed);
    await insertBatch(store.client, [views(300)], segment()); // …but this batch of it was lost on the way
    await waitFor(() => seen() === base + 305, 3_000, 'the corrected figure');
    expect(await corrections()).toBe(before + 1);
  });

  it('a batch streamed with other figures than stored ends as the store has it, and is counted', async () => {
    const base = seen();
    const before = await corrections();
    const id = segment();
    t.server.accept(liveBatchOf(id, [views(100)], Date.now()));
    await waitFor(() => seen() === base + 100, 3_000, 'the streamed delta');
    await insertBatch(store.client, [views(100), views(40)], id);
    await waitFor(() => seen() === base + 140, 3_000, 'the corrected figure');
    expect(await corrections()).toBe(before + 1);
  });

  it('aggregates events exactly as agg_delta_mv does', async () => {
    const r = rng(23);
    const now = Date.now();
    const events = Array.from(
      { length: 2_000 },
      () =>
        ({
          ...blankStoredEvent(),
          event_id: `e_${randomBytes(6).toString('hex')}`,
          ...randomEvent(r, { campaign_id: 'c2', partners: EVENT_PARTNERS }, now - r.int(0, 7_200_000)),
        }) as StoredEvent,
    );
    const id = `agg-check-${randomBytes(4).toString('hex')}`;
    await insertBatch(store.client, events, id);
    const rs = await store.client.query({
      query: `SELECT campaign_id, partner_id, platform, toInt64(toUnixTimestamp(bucket)) * 1000 AS bucket_ms, ${TOTAL_FIELDS.join(', ')} FROM agg_delta WHERE batch_id = {id:String}`,
      query_params: { id },
      format: 'JSONEachRow',
    });
    const stored = new Map<string, number[]>();
    for (const row of await rs.json<Record<string, string | number>>()) {
      const key = {
        campaign_id: String(row.campaign_id),
        partner_id: String(row.partner_id),
        platform: String(row.platform),
        bucket_ms: Number(row.bucket_ms),
      };
      stored.set(
        aggKey(key),
        TOTAL_FIELDS.map((f) => Number(row[f])),
      );
    }
    const mine = new Map(liveBatchOf(id, events, now).rows.map((x: AggRow) => [aggKey(x), x.values]));
    expect([...mine.keys()].sort()).toEqual([...stored.keys()].sort());
    const s = TOTAL_FIELDS.indexOf('sentiment_sum');
    for (const [k, v] of mine) {
      const w = stored.get(k)!;
      TOTAL_FIELDS.forEach((f, i) =>
        i === s ? expect(v[i], f).toBeCloseTo(w[i], 6) : expect(v[i], `${f} of ${k}`).toBe(w[i]),
      );
    }
  });
});
