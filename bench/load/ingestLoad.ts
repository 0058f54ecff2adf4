// Load process of the ingest benchmark: POSTs launch-shaped batches of 500 over N keep-alive connections as fast as
// ingest acknowledges them, for a warm-up and then a measured period; prints events/s acknowledged and batch latency.
import { Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ownPeakRssMb, sendResult } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';
import { compileTemplate, fillBytes, launchBatches, postJson } from '../lib/traffic.js';

const { values } = parseArgs({
  options: {
    demo: { type: 'string' },
    port: { type: 'string' },
    connections: { type: 'string', default: '8' },
    'warmup-ms': { type: 'string', default: '3000' },
    'duration-ms': { type: 'string', default: '15000' },
    'batch-size': { type: 'string', default: '500' },
    /** Diagnostic: leave these event types out (e.g. conversion,refund: no enrichment look-ups in ClickHouse). */
    except: { type: 'string', default: '' },
  },
});
const demo = JSON.parse(readFileSync(values.demo!, 'utf8')) as { source_key: string; launch: unknown };
const port = Number(values.port);
const connections = Number(values.connections);
const warmupMs = Number(values['warmup-ms']);
const durationMs = Number(values['duration-ms']);
const size = Number(values['batch-size']);

const templates = launchBatches(demo.launch, 100, size, 7, undefined, values.except ? values.except.split(',') : []);
const compiled = templates.bodies.map(compileTemplate);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const measureTo = measureFrom + durationMs;
let round = 0;
let accepted = 0;
let duplicates = 0;
let rejected = 0;
let batches = 0;
const statuses: Record<string, number> = {};
const latencies: number[] = [];
let sentBytes = 0;

async function worker(): Promise<void> {
  while (performance.now() < measureTo) {
    const r = round++;
    const body = fillBytes(compiled[r % compiled.length], r, Date.now());
    const start = performance.now();
    const answer = await postJson(agent, port, '/v1/events', demo.source_key, body);
    const end = performance.now();
    if (start < measureFrom || end > measureTo) continue;
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    batches++;
    sentBytes += body.length;
    latencies.push(end - start);
    if (answer.status === 200) {
      const a = JSON.parse(answer.body) as { accepted: number; duplicates: number; rejected: unknown[] };
      accepted += a.accepted;
      duplicates += a.duplicates;
      rejected += a.rejected.length;
    }
  }
}

await Promise.all(Array.from({ length: connections }, worker));
agent.destroy();
sendResult({
  events_per_s: Math.round(accepted / (durationMs / 1000)),
  accepted,
  duplicates,
  rejected,
  batches,
  statuses,
  batch_ms: summarize(latencies),
  mb_per_s: Math.round(sentBytes / 1048576 / (durationMs / 1000)),
  sent_total_batches: round,
  mix: templates.mix,
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
