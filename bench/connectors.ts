// Connector benchmark: one connector process polling 2,000 posts (800 YouTube, 800 TikTok, 400 Instagram) against the
// local fixture APIs in a process of their own (polls/s, CPU per poll, events/s produced) against the same changes
// posted straight to /v1/events of a standalone ingest in the same run (its CPU per event, its events/s).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSecondsOf, discardDir, freePort, sleep, spawnTs } from './lib/proc.js';
import { median, ratio } from './lib/stats.js';
import { metricValue, type BenchContext, type BenchResult } from './lib/types.js';

const ROUNDS = 5;
const KEY = 'prk_connector_bench_baseline_key_000000';

interface RunResult {
  posts: number;
  rounds: number;
  round_ms: number[];
  calls: number;
  failed_calls: number;
  polls: number;
  events: number;
  batches: number;
  poll_seconds: number;
  polls_per_s: number;
  events_per_s: number;
  cpu_seconds: number;
  cpu_us_per_poll: number;
  cpu_us_per_event: number;
  peak_rss_mb: number;
}
interface ReplayResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  batches: number;
  seconds: number;
  events_per_s: number;
}

/** The machine is shared and noisy: each figure is the median of this many connector + baseline pairs. */
const PAIRS = 3;

async function connectorPhase(ctx: BenchContext, dir: string, eventsFile: string) {
  const fixtures = spawnTs('fixtures', 'bench/targets/platformFixtures.ts', {
    args: ['--port', String(await freePort())],
  });
  try {
    const { urls } = await fixtures.result<{ urls: Record<string, string> }>(60_000);
    const runner = spawnTs('connectors', 'bench/targets/connectorRun.ts', {
      args: ['--urls', JSON.stringify(urls), '--data', join(dir, 'connector'), '--rounds', String(ROUNDS)].concat([
        '--out',
        eventsFile,
      ]),
    });
    const conn = await runner.result<RunResult>(600_000);
    const rss = runner.peakRssMb() ?? conn.peak_rss_mb;
    await runner.stop();
    ctx.log(
      `connector: ${conn.polls} polls in ${conn.poll_seconds} s (${conn.calls} calls), ${conn.events} events, ` +
        `${conn.cpu_us_per_poll} µs CPU a poll`,
    );
    return { conn, rss };
  } finally {
    await fixtures.stop();
  }
}

/** A standalone ingest on a fresh store, the same events posted to /v1/events. */
async function baselinePhase(ctx: BenchContext, dir: string, eventsFile: string) {
  const data = join(dir, 'baseline');
  const seed = spawnTs('seed', 'ingest/src/seedTestStore.ts', {
    args: ['bench-src', KEY],
    env: { PULSEROOM_DATA_DIR: data },
  });
  await seed.waitFor(/seeded/, 120_000);
  await seed.stop();
  const port = await freePort();
  const ingest = spawnTs('ingest', 'ingest/src/main.ts', {
    env: {
      PULSEROOM_DATA_DIR: data,
      INGEST_PORT: String(port),
      CONNECTORS_ENABLED: 'false',
      INGEST_RATE_LIMIT_PER_MIN: '0',
      LOG_LEVEL: 'info',
    },
  });
  try {
    await ingest.waitFor(/ingest listening/, 120_000);
    const cpuBefore = cpuSecondsOf(ingest.proc.pid);
    const loader = spawnTs('replay', 'bench/load/replayEvents.ts', {
      args: ['--file', eventsFile, '--port', String(port), '--key', KEY],
    });
    const replay = await loader.result<ReplayResult>(300_000);
    await loader.stop();
    // CPU per event over the whole path, ack and store, as the connector's: until the spool is empty again.
    for (let i = 0; i < 600; i++) {
      const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if ((metricValue(m, 'pulseroom_ingest_spool_rows') ?? 0) === 0) break;
      await sleep(100);
    }
    const cpuAfter = cpuSecondsOf(ingest.proc.pid);
    const cpuUs =
      cpuBefore !== null && cpuAfter !== null && replay.accepted > 0
        ? Math.round(((cpuAfter - cpuBefore) * 1e6) / replay.accepted)
        : null;
    ctx.log(
      `baseline: ${replay.accepted} events posted to /v1/events at ${replay.events_per_s}/s, ${cpuUs} µs CPU each`,
    );
    return { replay, cpuUs, rss: ingest.peakRssMb() };
  } finally {
    await ingest.stop(30_000);
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const pairs: {
    conn: RunResult;
    connRss: number | null;
    replay: ReplayResult;
    baseCpuUs: number | null;
    ingestRss: number | null;
  }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-connectors-'));
    const eventsFile = join(dir, 'sent.jsonl');
    try {
      ctx.log(`pair ${i + 1}/${PAIRS}: 2,000 posts, 2 warm-up rounds + ${ROUNDS} measured, then the baseline`);
      const c = await connectorPhase(ctx, dir, eventsFile);
      const b = await baselinePhase(ctx, dir, eventsFile);
      pairs.push({ conn: c.conn, connRss: c.rss, replay: b.replay, baseCpuUs: b.cpuUs, ingestRss: b.rss });
    } finally {
      discardDir(dir);
    }
  }
  const med = (f: (p: (typeof pairs)[number]) => number | null) => {
    const v = pairs.map(f).filter((x): x is number => x !== null);
    return v.length ? median(v) : null;
  };
  const conn = pairs[0].conn;
  const replay = pairs[0].replay;
  const pollsPerS = med((p) => p.conn.polls_per_s);
  const eventsPerS = med((p) => p.conn.events_per_s);
  const baseEventsPerS = med((p) => p.replay.events_per_s);
  const cpuPoll = med((p) => p.conn.cpu_us_per_poll);
  const cpuEvent = med((p) => p.conn.cpu_us_per_event);
  const baseCpuUs = med((p) => p.baseCpuUs);
  const connRss = Math.max(...pairs.map((p) => p.connRss ?? 0)) || null;
  const ingestRss = Math.max(...pairs.map((p) => p.ingestRss ?? 0)) || null;
  const each = (f: (p: (typeof pairs)[number]) => unknown) => pairs.map(f).join(', ');

  return {
    name: 'connectors',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric:
          `connector polls/s: 2,000 posts (800 YouTube, 800 TikTok, 400 Instagram), ${ROUNDS} rounds, ` +
          `8 calls in flight (median of ${PAIRS})`,
        value: pollsPerS,
        unit: 'polls/s',
      },
      {
        metric:
          'connector events/s produced and accepted (changes, comments), against the same events posted to /v1/events',
        value: eventsPerS,
        unit: 'events/s',
        baseline: { label: 'the same batches posted straight to /v1/events, 8 in flight', value: baseEventsPerS },
        ratio: ratio(eventsPerS, baseEventsPerS),
      },
      {
        metric: 'connector CPU per poll (poll, diff, pipeline, spool, flush to ClickHouse, poll log)',
        value: cpuPoll,
        unit: 'µs',
      },
      {
        metric: 'connector CPU per event produced, against ingest CPU per event posted to /v1/events',
        value: cpuEvent,
        unit: 'µs',
        baseline: { label: 'standalone ingest, same events over HTTP', value: baseCpuUs },
        ratio: ratio(cpuEvent, baseCpuUs),
      },
    ],
    memory: { connectors: connRss, ingest: ingestRss },
    notes: [
      "The connector process's clock jumps 15 min a round so each day-old post is due every round; " +
        `${conn.calls} platform calls (${conn.failed_calls} failed) for ${conn.polls} polls: ` +
        'videos.list reads 50 ids, video/query 20, Instagram one media a call plus comment pages.',
      `Per pair: polls/s ${each((p) => p.conn.polls_per_s)}; events/s ${each((p) => p.conn.events_per_s)} ` +
        `against ${each((p) => p.replay.events_per_s)} posted; CPU per event ${each((p) => p.conn.cpu_us_per_event)} ` +
        `µs against ${each((p) => p.baseCpuUs)} µs. ` +
        `Round times of the first pair (ms): ${conn.round_ms.join(', ')}. ` +
        "The fixture APIs answer from their own process on this machine: a real API's latency (100–500 ms) would " +
        'bound polls/s by calls in flight, not by CPU.',
      `Baseline: ${replay.batches} batches, ${replay.accepted} accepted, ${replay.duplicates} duplicates, ` +
        `${replay.rejected} rejected, ${replay.failed} failed; each event re-stamped now.`,
    ],
    raw: { pairs },
  };
}
