// Tick-cost benchmark process: one store of `--stored` events generated in-engine, an aggregation engine loaded from it
// (as after a restart), then — one round per line its parent asks — a fresh 500-event batch and the tick that applies
// it (time and rows ClickHouse read, from system.events SelectedRows), then an idle tick. The parent runs a 1 M and a
// 10 M process side by side and alternates their rounds, so both figures see the same moments of a shared machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { applyMigrations, openStore } from '@pulseroom/schema/server';
import { AggregationEngine } from '@pulseroom/server/engine/rollingWindows';
import { insertBatch, randomEvent, rng } from '@pulseroom/server/testing/events';
import { insertHistory } from '../lib/history.js';
import { answerAsks, discardDir, ownPeakRssMb, sendResult, sleep } from '../lib/proc.js';

const { values } = parseArgs({ options: { stored: { type: 'string', default: '1000000' } } });
const STORED = Number(values.stored);
const OVERLAP_MS = 2000;
const SHAPE = { campaigns: 2, partnersPerCampaign: 16, spanMs: 72 * 3_600_000, batchRows: 10_000 };
const CHUNK = 500_000;

const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-tick-'));
const store = await openStore({
  PULSEROOM_DATA_DIR: dataDir,
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  CLICKHOUSE_DATABASE: 'pulseroom',
});
const client = store.client;
await applyMigrations(client);

const scalar = async (query: string) =>
  Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ v: number }>())[0]?.v ?? 0);
/** Engine counters diffed around each tick (chDB keeps no query_log): what the tick read and where its time went. */
const COUNTERS = [
  'SelectedRows',
  'SelectedParts',
  'SelectedRanges',
  'SelectedMarks',
  'FilteringMarksWithPrimaryKeyMicroseconds',
  'FilteringMarksWithSecondaryKeysMicroseconds',
  'SelectQueryTimeMicroseconds',
  'UserTimeMicroseconds',
  'SystemTimeMicroseconds',
] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;
async function counters(): Promise<Counters> {
  const rs = await client.query({
    query: 'SELECT event, value FROM system.events WHERE event IN {names:Array(String)}',
    query_params: { names: COUNTERS },
    format: 'JSONEachRow',
  });
  const got = new Map((await rs.json<{ event: string; value: number }>()).map((r) => [r.event, Number(r.value)]));
  return Object.fromEntries(COUNTERS.map((k) => [k, got.get(k) ?? 0])) as Counters;
}

const t0 = performance.now();
for (let stored = 0; stored < STORED; stored += CHUNK)
  await insertHistory(
    client,
    Math.min(CHUNK, STORED - stored),
    { ...SHAPE, offset: stored },
    { max_insert_threads: 2 },
  );
const insertS = (performance.now() - t0) / 1000;

/**
 * Past the overlap (so the tick no longer re-reads the history's own change-log rows), and until the background merges
 * the history load started are done (at most 60 s): on 2 cores they would otherwise be what the rounds measure.
 */
const settleStart = performance.now();
await sleep(OVERLAP_MS + 300);
while (performance.now() - settleStart < 60_000 && (await scalar('SELECT count() AS v FROM system.merges')) > 0)
  await sleep(500);
const mergeWaitS = Math.round((performance.now() - settleStart) / 100) / 10;

const engine = new AggregationEngine({
  client,
  clock: Date.now,
  logger: pino({ level: 'silent' }),
  overlapMs: OVERLAP_MS,
});
const initStart = performance.now();
await engine.init();
const initMs = performance.now() - initStart;
await engine.reconcile();

const r = rng(7);
const partners = Object.fromEntries(
  Array.from({ length: SHAPE.partnersPerCampaign }, (_, i) => [
    `hist-p${i}`,
    [['instagram', 'tiktok', 'youtube'][i % 3]],
  ]),
);
async function freshBatch(): Promise<void> {
  const now = Date.now();
  await insertBatch(
    client,
    Array.from({ length: 500 }, () => randomEvent(r, { campaign_id: 'hist-c0', partners }, now - r.int(0, 20_000))),
  );
}

async function measuredTick() {
  // The counter read itself counts too: what one read adds is taken off.
  const a = await counters();
  const b = await counters();
  const start = performance.now();
  const result = await engine.reconcile();
  const ms = performance.now() - start;
  const c = await counters();
  const engineCounters = Object.fromEntries(COUNTERS.map((k) => [k, c[k] - b[k] - (b[k] - a[k])])) as Counters;
  return { ms, read: engineCounters.SelectedRows, fetched: result.rows, counters: engineCounters };
}

// Ready: the parent asks for rounds now.
sendResult({
  stored: STORED,
  insert_s: Math.round(insertS * 10) / 10,
  init_ms: Math.round(initMs),
  merge_wait_s: mergeWaitS,
});
await answerAsks(async (command) => {
  if (command === 'round') {
    await freshBatch();
    const withBatch = await measuredTick();
    const idle = await measuredTick();
    return { withBatch, idle };
  }
  if (command === 'counts') {
    return {
      events: await scalar('SELECT count() AS v FROM events'),
      agg_10s: await scalar('SELECT count() AS v FROM agg_10s'),
      agg_delta: await scalar('SELECT count() AS v FROM agg_delta'),
      agg_delta_parts: await scalar("SELECT count() AS v FROM system.parts WHERE active AND table = 'agg_delta'"),
      events_parts: await scalar("SELECT count() AS v FROM system.parts WHERE active AND table = 'events'"),
      peak_rss_mb: ownPeakRssMb(),
    };
  }
  if (command === 'close') {
    await store.close();
    discardDir(dataDir);
    return { closed: true };
  }
  throw new Error(`unknown command "${command}"`);
});
process.exit(0);
