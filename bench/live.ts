// Live-latency benchmark: event durably accepted → delta on a subscribed socket, at 20,000 events/s of launch traffic
// (and at 5,000).
import { join } from 'node:path';
import { startProduct } from './lib/product.js';
import { spawnTs } from './lib/proc.js';
import type { BenchContext, BenchResult } from './lib/types.js';

interface Pct {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}
interface LiveLoad {
  target_rate: number;
  achieved_rate: number;
  skipped_batches_ingest_behind: number;
  errors: number;
  markers: number;
  markers_unseen: number;
  deltas: number;
  ack_to_delta_ms: Pct;
  send_to_delta_ms: Pct;
  ack_to_emit_ms: Pct;
  emit_to_client_ms: Pct;
  batch_ms: Pct;
  peak_rss_mb: number;
}

interface ServerSide {
  /** Mean accepted (fsync) → applied by the engine, over every streamed batch. */
  accept_to_engine_ms: number | null;
  streamed_batches: number;
  corrections: number;
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);

async function serverSide(base: string): Promise<ServerSide> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const n = metric(text, 'pulseroom_live_accept_to_engine_seconds_count');
  return {
    accept_to_engine_ms:
      n > 0 ? Math.round((metric(text, 'pulseroom_live_accept_to_engine_seconds_sum') / n) * 1e5) / 100 : null,
    streamed_batches: metric(text, 'pulseroom_live_stream_batches_total'),
    corrections: metric(text, 'pulseroom_live_reconcile_corrections_total'),
  };
}

/** Runs the product under launch traffic at `rate` events/s and measures marker latency. */
async function measure(
  ctx: BenchContext,
  rate: number,
): Promise<{ load: LiveLoad; productRss: number | null; server: ServerSide }> {
  const product = await startProduct('live', { cpuProfile: ctx.cpuProfile && rate === 20_000 ? 'live' : undefined });
  try {
    ctx.log(
      `product up on ${product.base}; ${rate.toLocaleString('en-US')} events/s for 3 s warm-up + 20 s, a marker every 250 ms`,
    );
    const loader = spawnTs('live-load', 'bench/load/liveLoad.ts', {
      args: ['--demo', join(product.dataDir, 'demo.json'), '--port', String(product.port), '--rate', String(rate)],
    });
    const load = await loader.result<LiveLoad>(120_000);
    await loader.stop();
    await new Promise((r) => setTimeout(r, 3_000)); // the last batches stored and reconciled
    const server = await serverSide(product.base);
    return { load, server, productRss: (await product.stop()).peakRssMb };
  } catch (e) {
    await product.stop();
    throw e;
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const { load, productRss, server } = await measure(ctx, 20_000);
  // A busy launch hour, not its peak: the latency most war rooms will see.
  const { load: busy, productRss: busyRss, server: busyServer } = await measure(ctx, 5_000);
  const a = load.ack_to_delta_ms;
  const b = busy.ack_to_delta_ms;
  const hops = (l: LiveLoad, s: ServerSide) =>
    `accepted → engine (server, mean of ${s.streamed_batches} streamed batches) ${s.accept_to_engine_ms} ms; client's ack → delta emitted p50 ${l.ack_to_emit_ms.p50} / p95 ${l.ack_to_emit_ms.p95} / p99 ${l.ack_to_emit_ms.p99} ms (engine → emit is that less the first hop: up to a frame of 100 ms); emitted → received p50 ${l.emit_to_client_ms.p50} / p95 ${l.emit_to_client_ms.p95} / p99 ${l.emit_to_client_ms.p99} ms; reconcile corrections ${s.corrections}.`;
  return {
    name: 'live',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric: `accepted → delta on a socket p50 (${load.achieved_rate.toLocaleString('en-US')} events/s achieved of 20,000)`,
        value: a.p50,
        unit: 'ms',
      },
      {
        metric: 'accepted → delta p95',
        value: a.p95,
        unit: 'ms',
        target: 'p95 ≤ 250 ms at 20,000 events/s',
        met: a.p95 === null ? null : a.p95 <= 250 && load.achieved_rate >= 19_000,
      },
      {
        metric: 'accepted → delta p99',
        value: a.p99,
        unit: 'ms',
        target: 'p99 ≤ 500 ms at 20,000 events/s',
        met: a.p99 === null ? null : a.p99 <= 500 && load.achieved_rate >= 19_000,
      },
      {
        metric: 'hop: accepted → applied by the engine (mean, server clock)',
        value: server.accept_to_engine_ms,
        unit: 'ms',
      },
      { metric: 'hop: client ack → delta emitted p95', value: load.ack_to_emit_ms.p95, unit: 'ms' },
      { metric: 'hop: delta emitted → received p95', value: load.emit_to_client_ms.p95, unit: 'ms' },
      {
        metric: 'reconcile corrections during the run',
        value: server.corrections,
        unit: 'batches',
        target: '0',
        met: server.corrections === 0,
      },
      {
        metric: 'events/s achieved at the 20,000/s pace',
        value: load.achieved_rate,
        unit: 'events/s',
        baseline: { label: 'target rate', value: load.target_rate },
        ratio: Math.round((load.achieved_rate / load.target_rate) * 100) / 100,
      },
      {
        metric: `accepted → delta p50 / p95 at 5,000 events/s (${busy.achieved_rate.toLocaleString('en-US')} achieved): p50`,
        value: b.p50,
        unit: 'ms',
      },
      { metric: 'accepted → delta p95 at 5,000 events/s', value: b.p95, unit: 'ms' },
      { metric: 'accepted → delta p99 at 5,000 events/s', value: b.p99, unit: 'ms' },
    ],
    memory: { product: productRss, 'product at 5,000 events/s': busyRss, 'load generator + socket': load.peak_rss_mb },
    notes: [
      `${load.markers} markers measured (${load.markers_unseen} never seen), ${load.deltas} deltas received. Sent → delta (includes the ack): p50 ${load.send_to_delta_ms.p50} / p95 ${load.send_to_delta_ms.p95} / p99 ${load.send_to_delta_ms.p99} ms; batch of 500 request → ack p50 ${load.batch_ms.p50} / p99 ${load.batch_ms.p99} ms.`,
      `Batches not sent because 16 were already waiting for an ack (ingest behind the pace): ${load.skipped_batches_ingest_behind}; errors ${load.errors}. A target counts as met only if ≥ 19,000 events/s were achieved.`,
      `Hops at 20,000 events/s: ${hops(load, server)}`,
      `Hops at 5,000 events/s: ${hops(busy, busyServer)}`,
      `At 5,000 events/s (a fresh product): ${busy.markers} markers (${busy.markers_unseen} never seen), ack → delta p50 ${b.p50} / p95 ${b.p95} / p99 ${b.p99} ms; batch ack p50 ${busy.batch_ms.p50} ms.`,
    ],
    raw: { load, busy, server, busyServer },
  };
}
