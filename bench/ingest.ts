// Ingest benchmark: events/s end to end (HTTP → zod → dedupe → enrichment → durable ack) from a separate load process,
// against the same stored rows inserted straight through @clickhouse/client and the in-engine INSERT … SELECT ceiling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProduct } from './lib/product.js';
import { cpuSecondsOf, sleep, spawnTs } from './lib/proc.js';
import { ratio } from './lib/stats.js';
import { metricValue, type BenchContext, type BenchResult } from './lib/types.js';

interface LoadResult {
  events_per_s: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  batches: number;
  statuses: Record<string, number>;
  batch_ms: { p50: number | null; p99: number | null };
  mix: Record<string, number>;
  peak_rss_mb: number;
}
interface StraightResult {
  engine_version: string;
  straight_rows_per_s: number;
  straight_batch: number;
  straight_500_rows_per_s: number;
  straight_cpu_us_per_row: number;
  straight_tsv_rows_per_s: number;
  straight_tsv_cpu_us_per_row: number;
  ceiling_rows_per_s: number;
  ceiling_2_threads_rows_per_s: number;
  peak_rss_mb: number;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const product = await startProduct('ingest', { cpuProfile: ctx.cpuProfile ? 'ingest' : undefined });
  let load: LoadResult;
  let spoolRowsAtEnd: number | null = null;
  let flushedInRun: number | null = null;
  let productRss: number | null = null;
  let cpu: { us_per_event: number; seconds: number; events: number; drain_s: number } | null = null;
  try {
    ctx.log(`product up on ${product.base}; load: 8 connections, batches of 500, 3 s warm-up + 15 s`);
    const before = await (await fetch(`${product.base}/metrics`)).text();
    const cpuBefore = cpuSecondsOf(product.child.proc.pid);
    const loader = spawnTs('ingest-load', 'bench/load/ingestLoad.ts', { args: ['--demo', join(product.dataDir, 'demo.json'), '--port', String(product.port)] });
    load = await loader.result<LoadResult>(90_000);
    await loader.stop();
    const after = await (await fetch(`${product.base}/metrics`)).text();
    spoolRowsAtEnd = metricValue(after, 'pulseroom_ingest_spool_rows');
    flushedInRun = (metricValue(after, 'pulseroom_ingest_flushed_rows_total') ?? 0) - (metricValue(before, 'pulseroom_ingest_flushed_rows_total') ?? 0);
    // CPU per event over the whole path, ack and store: from before the load until the spool is empty again (≤ 90 s).
    const drainFrom = performance.now();
    let drained = after;
    const waiting = () => metricValue(drained, 'pulseroom_ingest_spool_rows') ?? 0;
    while (waiting() > 0 && performance.now() - drainFrom < 90_000) {
      await sleep(250);
      drained = await (await fetch(`${product.base}/metrics`)).text();
    }
    const cpuAfter = cpuSecondsOf(product.child.proc.pid);
    const events = (metricValue(drained, 'pulseroom_ingest_events_accepted_total') ?? 0) - (metricValue(before, 'pulseroom_ingest_events_accepted_total') ?? 0);
    if (cpuBefore !== null && cpuAfter !== null && events > 0 && waiting() === 0) {
      cpu = { us_per_event: Math.round(((cpuAfter - cpuBefore) * 1e6) / events * 10) / 10, seconds: Math.round((cpuAfter - cpuBefore) * 10) / 10, events, drain_s: Math.round((performance.now() - drainFrom) / 100) / 10 };
    }
  } finally {
    productRss = (await product.stop(true)).peakRssMb;
  }
  // The same rows, as ingest stored them, straight through the client in a fresh store (another process: one chDB dir each).
  const tmp = mkdtempSync(join(tmpdir(), 'pulseroom-bench-rows-'));
  const rowsFile = join(tmp, 'rows.ndjson');
  try {
    const dump = spawnTs('dump', 'bench/targets/dumpEvents.ts', { args: ['--data', product.dataDir, '--out', rowsFile, '--limit', '200000'] });
    const dumped = await dump.result<{ stored: number; dumped: number }>(120_000);
    rmSync(product.dataDir, { recursive: true, force: true });
    ctx.log(`ingest stored ${dumped.stored} rows; baseline replays ${dumped.dumped} of them`);
    const straightChild = spawnTs('straight-insert', 'bench/targets/straightInsert.ts', { args: ['--rows', rowsFile, '--duration-ms', '12000', '--ceiling-rows', '500000'] });
    const straight = await straightChild.result<StraightResult>(180_000);
    const r = ratio(load.events_per_s, straight.straight_rows_per_s);
    return {
      name: 'ingest',
      seconds: Math.round((Date.now() - t0) / 1000),
      figures: [
        {
          metric: 'events/s acknowledged (HTTP → zod → dedupe → enrichment → durable ack), batches of 500, 8 connections',
          value: load.events_per_s,
          unit: 'events/s',
          baseline: { label: `same rows straight through @clickhouse/client (JSONEachRow, ${straight.straight_batch}-row batches)`, value: straight.straight_rows_per_s },
          ratio: r,
          target: '≥ 0.7× straight insert',
          met: r === null ? null : r >= 0.7,
        },
        // CPU time does not shrink or grow with how busy the shared machine is the way throughput does: the steadier figure for an A/B.
        { metric: 'product CPU per event, all threads, ack and store (from before the load until the spool is empty)', value: cpu?.us_per_event ?? null, unit: 'µs', baseline: { label: 'straight insert, CPU per row (client + chDB)', value: straight.straight_cpu_us_per_row }, ratio: ratio(cpu?.us_per_event ?? null, straight.straight_cpu_us_per_row) },
        { metric: 'batch of 500: request → ack p50', value: load.batch_ms.p50, unit: 'ms' },
        { metric: 'batch of 500: request → ack p99', value: load.batch_ms.p99, unit: 'ms' },
        { metric: "straight insert as ingest's spool text (TabSeparated), 10k batches (for reference)", value: straight.straight_tsv_rows_per_s, unit: 'rows/s', baseline: { label: 'straight insert, JSONEachRow', value: straight.straight_rows_per_s }, ratio: ratio(straight.straight_tsv_rows_per_s, straight.straight_rows_per_s) },
        { metric: 'ingest events/s against the TabSeparated straight insert (for reference)', value: load.events_per_s, unit: 'events/s', baseline: { label: 'straight insert as TabSeparated', value: straight.straight_tsv_rows_per_s }, ratio: ratio(load.events_per_s, straight.straight_tsv_rows_per_s) },
        { metric: 'straight insert as TabSeparated, CPU per row (for reference)', value: straight.straight_tsv_cpu_us_per_row, unit: 'µs', baseline: { label: 'straight insert as JSONEachRow', value: straight.straight_cpu_us_per_row }, ratio: ratio(straight.straight_tsv_cpu_us_per_row, straight.straight_cpu_us_per_row) },
        { metric: 'straight insert, 500-row batches (for reference)', value: straight.straight_500_rows_per_s, unit: 'rows/s', baseline: { label: 'straight insert, 10k batches', value: straight.straight_rows_per_s }, ratio: ratio(straight.straight_500_rows_per_s, straight.straight_rows_per_s) },
        { metric: 'in-engine INSERT … SELECT FROM numbers() into events (ceiling), 1 thread', value: straight.ceiling_rows_per_s, unit: 'rows/s', baseline: { label: 'ingest events/s', value: load.events_per_s }, ratio: ratio(straight.ceiling_rows_per_s, load.events_per_s) },
        { metric: 'in-engine ceiling, max_insert_threads=2', value: straight.ceiling_2_threads_rows_per_s, unit: 'rows/s' },
      ],
      memory: { product: productRss, 'load generator': load.peak_rss_mb, 'straight-insert baseline': straight.peak_rss_mb },
      notes: [
        `Event mix sent (from the launch simulator's first minutes): ${Object.entries(load.mix).map(([k, v]) => `${k} ${Math.round((v / Object.values(load.mix).reduce((a, b) => a + b, 0)) * 1000) / 10} %`).join(', ')}.`,
        `Answers: ${JSON.stringify(load.statuses)}; accepted ${load.accepted}, duplicates ${load.duplicates}, rejected ${load.rejected} in the measured 15 s. Spool rows still waiting for ClickHouse when the load stopped: ${spoolRowsAtEnd}; rows flushed to ClickHouse during the run: ${flushedInRun}.`,
        'Load generator and product share the 2 cores (the load process serialises ~225 KB per batch).',
        cpu ? `Product CPU: ${cpu.seconds} s for ${cpu.events.toLocaleString('en-US')} events accepted over warm-up, measurement and the ${cpu.drain_s} s the spool took to empty afterwards (ticks and merges of that time included).` : 'Product CPU per event: not measured (the spool did not empty within 90 s of the load).',
      ],
      raw: { load, straight, spoolRowsAtEnd, flushedInRun, cpu, engine_version: straight.engine_version },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(product.dataDir, { recursive: true, force: true });
  }
}
