// Load process of the tracking-link benchmark: GETs one path over N keep-alive connections (no redirect following)
// for a warm-up and a measured period; prints answers/s by status and latency percentiles.
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { ownPeakRssMb, sendResult } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    path: { type: 'string' },
    connections: { type: 'string', default: '8' },
    'warmup-ms': { type: 'string', default: '2000' },
    'duration-ms': { type: 'string', default: '10000' },
  },
});
const port = Number(values.port);
const connections = Number(values.connections);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const t0 = performance.now();
const from = t0 + Number(values['warmup-ms']);
const to = from + Number(values['duration-ms']);
const statuses: Record<string, number> = {};
const latencies: number[] = [];
let location = '';

function get(i: number): Promise<number> {
  return new Promise((ok, fail) => {
    // A different visitor per request (as real traffic): the IAB unique-click memory grows as it would.
    const req = request({ host: '127.0.0.1', port, path: values.path, agent, headers: { 'user-agent': `Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) bench/${i % 50_000}`, 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }, (res) => {
      if (!location && res.headers.location) location = res.headers.location;
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

let n = 0;
async function worker(): Promise<void> {
  while (performance.now() < to) {
    const start = performance.now();
    const status = await get(n++);
    const end = performance.now();
    if (start < from || end > to) continue;
    statuses[status] = (statuses[status] ?? 0) + 1;
    latencies.push(end - start);
  }
}
await Promise.all(Array.from({ length: connections }, worker));
agent.destroy();
const seconds = Number(values['duration-ms']) / 1000;
sendResult({ per_s: Math.round((statuses['302'] ?? 0) / seconds), statuses, latency_ms: summarize(latencies), location_bytes: location.length, peak_rss_mb: ownPeakRssMb() });
process.exit(0);
