// `npx tsx bench/liveDiagnose.ts [rate] [flushMs] [tickMs]`: where live latency goes at a given rate — runs the product and the
// live load, and samples the product's own /metrics once a second (flush time, spool backlog, tick time, push lag).
import { join } from 'node:path';
import { startProduct } from './lib/product.js';
import { spawnTs } from './lib/proc.js';

const rate = process.argv[2] ?? '20000';
const [flushMs, tickMs] = [process.argv[3], process.argv[4]];
const product = await startProduct('live-diagnose', { env: { ...(flushMs ? { INGEST_FLUSH_MS: flushMs } : {}), ...(tickMs ? { PULSEROOM_TICK_MS: tickMs } : {}) } });
const metric = (text: string, name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
let last: Record<string, number> = {};
const timer = setInterval(async () => {
  const text = await (await fetch(`${product.base}/metrics`)).text();
  const now = {
    flushSum: metric(text, 'pulseroom_ingest_flush_seconds_sum'),
    flushN: metric(text, 'pulseroom_ingest_flush_seconds_count'),
    tickSum: metric(text, 'pulseroom_tick_duration_seconds_sum'),
    tickN: metric(text, 'pulseroom_tick_duration_seconds_count'),
    lagSum: metric(text, 'pulseroom_push_lag_seconds_sum'),
    lagN: metric(text, 'pulseroom_push_lag_seconds_count'),
    spool: metric(text, 'pulseroom_ingest_spool_rows'),
    flushed: metric(text, 'pulseroom_ingest_flushed_rows_total'),
  };
  const d = (k: keyof typeof now) => now[k] - (last[k] ?? 0);
  if (last.flushN !== undefined)
    console.log(
      `flushes ${d('flushN')} (avg ${((d('flushSum') / d('flushN')) * 1000).toFixed(0)} ms, ${d('flushed')} rows) · ticks ${d('tickN')} (avg ${((d('tickSum') / d('tickN')) * 1000).toFixed(0)} ms) · insert→push avg ${((d('lagSum') / d('lagN')) * 1000).toFixed(0)} ms · spool ${now.spool}`,
    );
  last = now;
}, 1000);
const loader = spawnTs('live-load', 'bench/load/liveLoad.ts', { args: ['--demo', join(product.dataDir, 'demo.json'), '--port', String(product.port), '--rate', rate] });
const load = await loader.result<Record<string, unknown>>(120_000);
clearInterval(timer);
console.log(JSON.stringify({ achieved: load.achieved_rate, ack_to_delta: load.ack_to_delta_ms, batch: load.batch_ms }));
await loader.stop();
await product.stop();
process.exit(0);
