// One ingest node and two server nodes sharing a Redis started by the test: an event accepted at ingest reaches sockets
// on both nodes through the Redis Stream (before the store has it); a server node stopped and started again under the
// same name, while events keep coming, loses nothing and counts nothing twice; no figure needed a correction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import {
  CAMPAIGN,
  postJson,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
} from '@pulseroom/ingest/testing';
import { RedisLivePublisher } from '@pulseroom/ingest/liveStream';
import { followPlatformViews, startTestServer, waitFor, type TestServer } from '@pulseroom/server/testing/harness';
import { hasRedis, startRedis, type TestRedis } from '@pulseroom/server/testing/redis';

const KEY = 'pk_multinode_0123456789abcdef';
let redis: TestRedis | null = null;
let store: Store;
let ingest: RunningIngest;
let publisher: RedisLivePublisher;
let redisUrl = '';
const nodes: TestServer[] = [];

async function node(name: string): Promise<TestServer> {
  const t = await startTestServer(store, {
    autoTick: true,
    config: { REDIS_URL: redisUrl, PULSEROOM_NODE_ID: name, PULSEROOM_RECONCILE_MS: 300 },
  });
  nodes.push(t);
  return t;
}

async function corrections(t: TestServer): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(/^pulseroom_live_reconcile_corrections_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

let seq = 0;
/** Views on the partner's youtube row: a platform only this test sends, so its figure moves only with what it posts. */
async function post(views: number): Promise<void> {
  const res = await postJson(
    `${ingest.url}/v1/events`,
    {
      events: [
        {
          type: 'engagement',
          event_id: `mn-${++seq}`,
          campaign_id: CAMPAIGN,
          partner_id: 'ben',
          platform: 'youtube',
          content_id: 'v1',
          ts: new Date().toISOString(),
          views,
        },
      ],
    },
    KEY,
  );
  expect(res.body).toMatchObject({ accepted: 1 });
}

async function storedViews(): Promise<number> {
  const [row] = await query<{ v: number }>(
    store,
    "SELECT toInt64(sum(views)) AS v FROM events WHERE campaign_id = {c:String} AND platform = 'youtube'",
    { c: CAMPAIGN },
  );
  return Number(row.v);
}

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  redisUrl = redis.url;
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'src-multinode', KEY);
  // A long flush: the stream must be what moves the sockets.
  ingest = await runIngest(store, testIngestConfig({ INGEST_FLUSH_MS: '1500', INGEST_RATE_LIMIT_PER_MIN: '0' }));
  publisher = await RedisLivePublisher.open(redisUrl, pino({ level: 'silent' }));
  ingest.ingest.onAccepted((b) => publisher.publish(b));
});
afterAll(async () => {
  for (const t of nodes) await t.close().catch(() => undefined);
  await ingest?.close();
  await publisher?.close();
  await store?.close();
  await redis?.stop();
});

describe.skipIf(!hasRedis)('one ingest, two server nodes, a Redis Stream between them', () => {
  it('reaches sockets on both nodes; a node restarted mid-launch ends equal to the store with no correction', async () => {
    const a = await node('node-a');
    let b = await node('node-b');
    const admin = (await createToken(store.client, { role: 'admin' })).token;
    const onA = await followPlatformViews(a, admin, CAMPAIGN, 'youtube');
    let onB = await followPlatformViews(b, admin, CAMPAIGN, 'youtube');

    await post(100);
    await post(20);
    // On both nodes, before ingest's flush (1.5 s) can have stored them.
    await waitFor(() => onA() === 120 && onB() === 120, 1_400, 'the streamed delta on both nodes');
    expect(await storedViews()).toBe(0);

    // Node B goes away; events keep coming (some stored while it is away, some still in the spool when it is back).
    await b.close();
    nodes.splice(nodes.indexOf(b), 1);
    await post(3);
    await new Promise((res) => setTimeout(res, 1_800)); // flushed
    await post(4000);
    b = await node('node-b');
    onB = await followPlatformViews(b, admin, CAMPAIGN, 'youtube');
    await post(50_000);

    const total = 100 + 20 + 3 + 4000 + 50_000;
    await waitFor(() => onA() === total && onB() === total, 5_000, 'both nodes at the total'); // A's socket stayed through B's stop
    await waitFor(
      () => a.server.engine.unconfirmed === 0 && b.server.engine.unconfirmed === 0,
      8_000,
      'the store confirming every streamed batch',
    );
    expect(await storedViews()).toBe(total);
    await new Promise((res) => setTimeout(res, 700)); // a reconcile or two more: nothing moves
    expect([onA(), onB()]).toEqual([total, total]);
    expect(await corrections(a)).toBe(0);
    expect(await corrections(b)).toBe(0);
  });
});
