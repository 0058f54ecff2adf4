// Tick-cost benchmark process: the aggregation engine's tick (time and rows ClickHouse read, from system.events
// SelectedRows) applying the same new 500-event batch over 1 M, then 10 M stored events generated in-engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { applyMigrations, openStore } from '@pulseroom/schema/server';
import { AggregationEngine } from '@pulseroom/server/engine/rollingWindows';
import { insertBatch, randomEvent, rng } from '@pulseroom/server/testing/events';
import { insertHistory } from '../lib/history.js';
import { ownPeakRssMb, sendResult, sleep } from '../lib/proc.js';
import { median, percentile, round } from '../lib/stats.js';

const { values } = parseArgs({ options: { small: { type: 'string', default: '1000000' }, large: { type: 'string', default: '10000000' }, rounds: { type: 'string', default: '15' } } });
const SMALL = Number(values.small);
const LARGE = Number(values.large);
const ROUNDS = Number(values.rounds);
const OVERLAP_MS = 2000;
const SHAPE = { campaigns: 2, partnersPerCampaign: 16, spanMs: 72 * 3_600_000, batchRows: 10_000 };
const CHUNK = 500_000;

const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-tick-'));
const store = await openStore({ PULSEROOM_DATA_DIR: dataDir, CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: 'pulseroom' });
const client = store.client;
await applyMigrations(client);
const log = (m: string) => process.stderr.write(`${m}\n`);

const scalar = async (query: string) => Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ v: number }>())[0]?.v ?? 0);
const selectedRows = () => scalar("SELECT value AS v FROM system.events WHERE event = 'SelectedRows'");

let stored = 0;
async function grow(to: number): Promise<number> {
  const t0 = performance.now();
  while (stored < to) {
    const n = Math.min(CHUNK, to - stored);
    await insertHistory(client, n, { ...SHAPE, offset: stored }, { max_insert_threads: 2 });
    stored += n;
  }
  return (performance.now() - t0) / 1000;
}

const r = rng(7);
const partners = Object.fromEntries(Array.from({ length: SHAPE.partnersPerCampaign }, (_, i) => [`hist-p${i}`, [['instagram', 'tiktok', 'youtube'][i % 3]]]));
async function freshBatch(): Promise<void> {
  const now = Date.now();
  await insertBatch(client, Array.from({ length: 500 }, () => randomEvent(r, { campaign_id: 'hist-c0', partners }, now - r.int(0, 20_000))));
}

async function measuredTick(engine: AggregationEngine) {
  const a = await selectedRows();
  const b = await selectedRows();
  const overhead = b - a;
  const t0 = performance.now();
  const result = await engine.tick();
  const ms = performance.now() - t0;
  const c = await selectedRows();
  return { ms, read: c - b - overhead, fetched: result.rows };
}

async function phase(engine: AggregationEngine) {
  const withBatch: { ms: number; read: number; fetched: number }[] = [];
  const idle: { ms: number; read: number; fetched: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await freshBatch();
    withBatch.push(await measuredTick(engine));
    idle.push(await measuredTick(engine));
    await sleep(300);
  }
  const ms = withBatch.map((x) => x.ms).sort((x, y) => x - y);
  return {
    tick_ms_median: round(median(ms), 2),
    tick_ms_p95: round(percentile(ms, 95), 2),
    rows_read_median: median(withBatch.map((x) => x.read)),
    rows_fetched_median: median(withBatch.map((x) => x.fetched)),
    idle_tick_ms_median: round(median(idle.map((x) => x.ms)), 2),
    idle_rows_read_median: median(idle.map((x) => x.read)),
  };
}

/**
 * Past the overlap (so the tick no longer re-reads the history's own change-log rows), and until the background merges
 * the history load started are done (at most 60 s): on 2 cores they would otherwise be what the 10 M phase measures.
 */
let mergeWaitS = 0;
async function settle(): Promise<void> {
  const t = performance.now();
  await sleep(OVERLAP_MS + 300);
  while (performance.now() - t < 60_000 && (await scalar('SELECT count() AS v FROM system.merges')) > 0) await sleep(500);
  mergeWaitS = Math.round((performance.now() - t) / 100) / 10;
}

const engine = new AggregationEngine({ client, clock: Date.now, logger: pino({ level: 'silent' }), overlapMs: OVERLAP_MS });
const insertSmallS = await grow(SMALL);
await settle();
const mergeWaitSmallS = mergeWaitS;
let t0 = performance.now();
await engine.init();
const initSmallMs = performance.now() - t0;
log(`1M stored in ${insertSmallS.toFixed(1)} s; engine init ${initSmallMs.toFixed(0)} ms`);
await engine.tick();
const small = await phase(engine);
log(`at ${SMALL}: ${JSON.stringify(small)}`);

// The 9 M more are history to this engine: a fresh engine loads them at start-up, as a restart would. (Applying them
// through a running engine's tick reads every change-log row in one result: with history spread over 72 h that is one
// row per event, and the tick dies with ERR_BUFFER_TOO_LARGE — see the analysis in RESULTS.md.)
const insertLargeS = await grow(LARGE);
await settle();
const mergeWaitLargeS = mergeWaitS;
const large10 = new AggregationEngine({ client, clock: Date.now, logger: pino({ level: 'silent' }), overlapMs: OVERLAP_MS });
t0 = performance.now();
await large10.init();
const initLargeMs = performance.now() - t0;
await large10.tick();
const large = await phase(large10);
log(`at ${LARGE}: ${JSON.stringify(large)}`);
const parts = await scalar("SELECT count() AS v FROM system.parts WHERE active AND table = 'agg_delta'");
const counts = {
  events: await scalar('SELECT count() AS v FROM events'),
  agg_10s: await scalar('SELECT count() AS v FROM agg_10s'),
  agg_delta: await scalar('SELECT count() AS v FROM agg_delta'),
};
await store.close();
rmSync(dataDir, { recursive: true, force: true });
sendResult({
  small: { stored: SMALL, ...small, insert_s: round(insertSmallS), init_ms: Math.round(initSmallMs) },
  large: { stored: LARGE, ...large, insert_s: round(insertLargeS), init_ms: Math.round(initLargeMs) },
  counts,
  agg_delta_parts: parts,
  merge_wait_s: { small: mergeWaitSmallS, large: mergeWaitLargeS },
  overlap_ms: OVERLAP_MS,
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
