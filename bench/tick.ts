// Reconcile-cost benchmark: the engine's read of the store (change log + the buckets leaving the 24 h windows) with 1 M
// and 10 M stored events (history generated in-engine so the materialized views fill agg_10s and agg_delta); the 10 M
// figure against the 1 M one, same run. Each size has its own process and store (chDB: one data directory per process);
// their rounds alternate, so a busy moment of the shared machine falls on both and not on whichever phase happened to
// run then.
import { spawnTs, sleep, type Child } from './lib/proc.js';
import { median, percentile, ratio, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

const SMALL = 1_000_000;
const LARGE = 10_000_000;
const ROUNDS = 30;

interface Ready {
  stored: number;
  insert_s: number;
  init_ms: number;
  merge_wait_s: number;
}
interface Tick {
  ms: number;
  read: number;
  fetched: number;
  counters: Record<string, number>;
}
interface Counts {
  events: number;
  agg_10s: number;
  agg_delta: number;
  agg_delta_parts: number;
  events_parts: number;
  peak_rss_mb: number;
}

function summary(rounds: { withBatch: Tick; idle: Tick }[]) {
  const ms = rounds.map((x) => x.withBatch.ms).sort((a, b) => a - b);
  return {
    tick_ms_median: round(median(ms), 2),
    tick_ms_p95: round(percentile(ms, 95), 2),
    rows_read_median: median(rounds.map((x) => x.withBatch.read)),
    rows_fetched_median: median(rounds.map((x) => x.withBatch.fetched)),
    idle_tick_ms_median: round(median(rounds.map((x) => x.idle.ms)), 2),
    idle_rows_read_median: median(rounds.map((x) => x.idle.read)),
    counters_median: Object.fromEntries(
      Object.keys(rounds[0]?.withBatch.counters ?? {}).map((k) => [
        k,
        median(rounds.map((x) => x.withBatch.counters[k])),
      ]),
    ),
  };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  ctx.log(
    `a 1 M and a 10 M store, each in its own process; ${ROUNDS} alternating rounds of (new 500-event batch → tick, idle tick)`,
  );
  const start = (stored: number): Child =>
    spawnTs(`tick-${stored / 1e6}M`, 'bench/targets/tickCost.ts', {
      args: ['--stored', String(stored)],
      stdin: true,
      nodeArgs: ctx.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=bench/results/profiles/tick-${stored / 1e6}M`] : [],
    });
  // Built one after the other: each history load uses both cores.
  const small = start(SMALL);
  const children = [small];
  try {
    const smallReady = await small.result<Ready>(300_000);
    ctx.log(`1 M stored in ${smallReady.insert_s} s; engine init ${smallReady.init_ms} ms`);
    const large = start(LARGE);
    children.push(large);
    const largeReady = await large.result<Ready>(600_000);
    ctx.log(`10 M stored in ${largeReady.insert_s} s; engine init ${largeReady.init_ms} ms`);
    const smallRounds: { withBatch: Tick; idle: Tick }[] = [];
    const largeRounds: { withBatch: Tick; idle: Tick }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Which goes first alternates too: the second of a pair may find the first's background work still running.
      const order =
        i % 2 === 0
          ? ([
              [small, smallRounds],
              [large, largeRounds],
            ] as const)
          : ([
              [large, largeRounds],
              [small, smallRounds],
            ] as const);
      for (const [child, into] of order) {
        into.push(await child.ask<{ withBatch: Tick; idle: Tick }>('round', 60_000));
        await sleep(150);
      }
    }
    const [smallCounts, largeCounts] = [
      await small.ask<Counts>('counts', 60_000),
      await large.ask<Counts>('counts', 60_000),
    ];
    const s = summary(smallRounds);
    const l = summary(largeRounds);
    ctx.log(`1 M: ${JSON.stringify(s)}`);
    ctx.log(`10 M: ${JSON.stringify(l)}`);
    const tr = ratio(l.tick_ms_median, s.tick_ms_median);
    const rr = ratio(l.rows_read_median, s.rows_read_median);
    const pairs = smallRounds.map((x, i) => largeRounds[i].withBatch.ms / x.withBatch.ms).sort((a, b) => a - b);
    return {
      name: 'tick',
      seconds: Math.round((Date.now() - t0) / 1000),
      figures: [
        {
          metric: `reconcile time (median of ${ROUNDS}, each taking a new 500-event batch from the store), 10 M stored`,
          value: l.tick_ms_median,
          unit: 'ms',
          baseline: { label: 'same reconcile at 1 M stored, rounds alternating', value: s.tick_ms_median },
          ratio: tr,
          target: '10 M / 1 M ≤ 1.2',
          met: tr === null ? null : tr <= 1.2,
        },
        {
          metric: 'rows ClickHouse read per reconcile (median), 10 M stored',
          value: l.rows_read_median,
          unit: 'rows',
          baseline: { label: 'same reconcile at 1 M stored', value: s.rows_read_median },
          ratio: rr,
          target: '10 M / 1 M ≤ 1.2',
          met: rr === null ? null : rr <= 1.2,
        },
        {
          metric: 'idle reconcile time (no new rows), 10 M stored',
          value: l.idle_tick_ms_median,
          unit: 'ms',
          baseline: { label: 'idle reconcile at 1 M', value: s.idle_tick_ms_median },
          ratio: ratio(l.idle_tick_ms_median, s.idle_tick_ms_median),
        },
        {
          metric: 'reconcile time p95, 10 M stored',
          value: l.tick_ms_p95,
          unit: 'ms',
          baseline: { label: 'p95 at 1 M', value: s.tick_ms_p95 },
          ratio: ratio(l.tick_ms_p95, s.tick_ms_p95),
        },
        {
          metric: 'engine start-up load (init), 10 M stored',
          value: largeReady.init_ms,
          unit: 'ms',
          baseline: { label: 'init at 1 M', value: smallReady.init_ms },
          ratio: ratio(largeReady.init_ms, smallReady.init_ms),
        },
      ],
      memory: { 'engine + chDB, 1 M': smallCounts.peak_rss_mb, 'engine + chDB, 10 M': largeCounts.peak_rss_mb },
      notes: [
        `History: ${largeCounts.events.toLocaleString('en-US')} and ${smallCounts.events.toLocaleString('en-US')} events (history + the measured batches) over the last 72 h, 2 campaigns × 16 partners, generated with INSERT … SELECT FROM numbers() (1 M in ${smallReady.insert_s} s, 10 M in ${largeReady.insert_s} s); at 10 M agg_10s holds ${largeCounts.agg_10s.toLocaleString('en-US')} rows and agg_delta ${largeCounts.agg_delta.toLocaleString('en-US')} (${largeCounts.agg_delta_parts} active parts; events ${largeCounts.events_parts} parts, ${smallCounts.events_parts} at 1 M).`,
        `Rows fetched by the reconcile (change-log rows) median: ${s.rows_fetched_median} at 1 M, ${l.rows_fetched_median} at 10 M; idle reconcile read ${s.idle_rows_read_median} → ${l.idle_rows_read_median} rows. Each engine loaded its whole store at start-up (as after a restart).`,
        `The two stores live in two processes, side by side; their ${ROUNDS} rounds alternate (1 M first in even rounds, 10 M first in odd ones). Ratio of each pair of rounds (10 M ÷ 1 M reconcile time): median ${round(median(pairs), 2)}, middle half ${round(percentile(pairs, 25), 2)}–${round(percentile(pairs, 75), 2)}.`,
        `PULSEROOM_DELTA_OVERLAP_MS = 2000 here (default 30 s): the overlap re-read is the same with 1 M or 10 M stored; no OPTIMIZE; before its engine starts each process waits until its history load's background merges are done (${smallReady.merge_wait_s} s at 1 M, ${largeReady.merge_wait_s} s at 10 M, capped at 60 s). The engine runs in the benchmark process (no HTTP involved), which also inserts the batches.`,
      ],
      raw: {
        small: { ...smallReady, ...s, counts: smallCounts },
        large: { ...largeReady, ...l, counts: largeCounts },
        pairs,
      },
    };
  } finally {
    for (const c of children) {
      await c.ask('close', 60_000).catch(() => undefined);
      c.proc.stdin?.end();
      await c.stop(10_000);
    }
  }
}
