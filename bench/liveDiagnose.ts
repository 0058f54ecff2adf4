// `npx tsx bench/liveDiagnose.ts [rate] [flushMs] [tickMs]`: where live latency goes at a given rate — runs the product
// and the live load, and samples the product's own /metrics once a second (CPU, major GC, event-loop lag, flush time,
// spool backlog, tick time, push lag); the load prints each marker's ack time and latency (--trace), so a stall shows
// where it falls.
import { join } from 'node:path';
import { startProduct } from './lib/product.js';
import { spawnTs } from './lib/proc.js';

const rate = process.argv[2] ?? '20000';
const [flushMs, tickMs] = [process.argv[3], process.argv[4]];
const product = await startProduct('live-diagnose', {
  env: { ...(flushMs ? { INGEST_FLUSH_MS: flushMs } : {}), ...(tickMs ? { PULSEROOM_TICK_MS: tickMs } : {}) },
});
const metric = (text: string, name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
let last: Record<string, number> = {};
const T0 = performance.now();
const timer = setInterval(async () => {
  const text = await (await fetch(`${product.base}/metrics`)).text();
  const now = {
    flushSum: metric(text, 'pulseroom_ingest_flush_seconds_sum'),
    flushN: metric(text, 'pulseroom_ingest_flush_seconds_count'),
    tickSum: metric(text, 'pulseroom_reconcile_duration_seconds_sum'),
    tickN: metric(text, 'pulseroom_reconcile_duration_seconds_count'),
    lagSum: metric(text, 'pulseroom_push_lag_seconds_sum'),
    lagN: metric(text, 'pulseroom_push_lag_seconds_count'),
    spool: metric(text, 'pulseroom_ingest_spool_rows'),
    flushed: metric(text, 'pulseroom_ingest_flushed_rows_total'),
    gc: metric(text, 'pulseroom_nodejs_gc_duration_seconds_sum{kind="major"}'),
    lagMax: metric(text, 'pulseroom_nodejs_eventloop_lag_max_seconds'),
    cpu: metric(text, 'pulseroom_process_cpu_seconds_total'),
  };
  const d = (k: keyof typeof now) => now[k] - (last[k] ?? 0);
  if (last.flushN !== undefined)
    console.log(
      `t=${Math.round(performance.now() - T0)} cpu ${d('cpu').toFixed(2)} gcMajor ${(d('gc') * 1000).toFixed(0)}ms lagMax ${(now.lagMax * 1000).toFixed(0)} flushes ${d('flushN')} (avg ${((d('flushSum') / d('flushN')) * 1000).toFixed(0)} ms, ${d('flushed')} rows) · ticks ${d('tickN')} (avg ${((d('tickSum') / d('tickN')) * 1000).toFixed(0)} ms) · insert→push avg ${((d('lagSum') / d('lagN')) * 1000).toFixed(0)} ms · spool ${now.spool}`,
    );
  last = now;
}, 1000);
const loader = spawnTs('live-load', 'bench/load/liveLoad.ts', {
  echo: true,
  args: ['--trace', '--demo', join(product.dataDir, 'demo.json'), '--port', String(product.port), '--rate', rate],
});
const load = await loader.result<Record<string, unknown>>(120_000);
clearInterval(timer);
console.log(JSON.stringify({ achieved: load.achieved_rate, ack_to_delta: load.ack_to_delta_ms, batch: load.batch_ms }));
await loader.stop();
await product.stop();
process.exit(0);
