// Tick-cost benchmark: the aggregation tick with 1 M and 10 M stored events (history generated in-engine so the
// materialized views fill agg_10s and agg_delta); the 10 M figure against the 1 M one, same run.
import { spawnTs } from './lib/proc.js';
import { ratio } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

interface Phase {
  stored: number;
  tick_ms_median: number;
  tick_ms_p95: number;
  rows_read_median: number;
  rows_fetched_median: number;
  idle_tick_ms_median: number;
  idle_rows_read_median: number;
  insert_s: number;
  init_ms: number;
}
interface TickResult {
  small: Phase;
  large: Phase;
  counts: { events: number; agg_10s: number; agg_delta: number };
  agg_delta_parts: number;
  merge_wait_s: { small: number; large: number };
  overlap_ms: number;
  peak_rss_mb: number;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  ctx.log('1 M then 10 M stored events, 15 ticks each with a fresh 500-event batch');
  const child = spawnTs('tick-cost', 'bench/targets/tickCost.ts', { nodeArgs: ctx.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles/tick'] : [], echo: true });
  const r = await child.result<TickResult>(420_000);
  await child.stop();
  const tr = ratio(r.large.tick_ms_median, r.small.tick_ms_median);
  const rr = ratio(r.large.rows_read_median, r.small.rows_read_median);
  return {
    name: 'tick',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      { metric: 'tick time (median of 15, each applying a new 500-event batch), 10 M stored', value: r.large.tick_ms_median, unit: 'ms', baseline: { label: 'same tick at 1 M stored', value: r.small.tick_ms_median }, ratio: tr, target: '10 M / 1 M ≤ 1.2', met: tr === null ? null : tr <= 1.2 },
      { metric: 'rows ClickHouse read per tick (median), 10 M stored', value: r.large.rows_read_median, unit: 'rows', baseline: { label: 'same tick at 1 M stored', value: r.small.rows_read_median }, ratio: rr, target: '10 M / 1 M ≤ 1.2', met: rr === null ? null : rr <= 1.2 },
      { metric: 'idle tick time (no new rows), 10 M stored', value: r.large.idle_tick_ms_median, unit: 'ms', baseline: { label: 'idle tick at 1 M', value: r.small.idle_tick_ms_median }, ratio: ratio(r.large.idle_tick_ms_median, r.small.idle_tick_ms_median) },
      { metric: 'tick time p95, 10 M stored', value: r.large.tick_ms_p95, unit: 'ms', baseline: { label: 'p95 at 1 M', value: r.small.tick_ms_p95 }, ratio: ratio(r.large.tick_ms_p95, r.small.tick_ms_p95) },
      { metric: 'engine start-up load (init), 10 M stored', value: r.large.init_ms, unit: 'ms', baseline: { label: 'init at 1 M', value: r.small.init_ms }, ratio: ratio(r.large.init_ms, r.small.init_ms) },
    ],
    memory: { 'engine + chDB (one process)': r.peak_rss_mb },
    notes: [
      `History: ${r.counts.events.toLocaleString('en-US')} events (history + the measured batches) over the last 72 h, 2 campaigns × 16 partners, generated with INSERT … SELECT FROM numbers() (1 M in ${r.small.insert_s} s, 10 M in ${r.small.insert_s + r.large.insert_s} s in all); agg_10s ${r.counts.agg_10s.toLocaleString('en-US')} rows, agg_delta ${r.counts.agg_delta.toLocaleString('en-US')} rows.`,
      `Rows fetched by the tick (change-log rows) median: ${r.small.rows_fetched_median} at 1 M, ${r.large.rows_fetched_median} at 10 M; idle tick read ${r.small.idle_rows_read_median} → ${r.large.idle_rows_read_median} rows. The 10 M phase runs on a fresh engine that loaded all 10 M at start-up (as after a restart).`,
      `PULSEROOM_DELTA_OVERLAP_MS = ${r.overlap_ms} here (default 30 s): the overlap re-read is the same with 1 M or 10 M stored; no OPTIMIZE; before each phase the benchmark waits until the history load's background merges are done (${r.merge_wait_s.small} s at 1 M, ${r.merge_wait_s.large} s at 10 M, capped at 60 s; ${r.agg_delta_parts} active agg_delta parts at the end). Tick *time* on this shared 2-core machine still swings run to run (0.9× to 2.1× in three runs of this evening); rows read is the steady figure. The engine runs in the benchmark process (no HTTP involved), which also inserts the batches.`,
    ],
    raw: r as unknown as Record<string, unknown>,
  };
}
