// Client process of the fan-out benchmark: N socket.io-client sockets (websocket transport) on one room; each message's
// push lag is its arrival time minus the time the server pushed it (the product's `sent_at`, the bare server's `at`);
// the product's deltas also give their age since the tick's clock `at` (which includes the tick's ClickHouse read).
// Against the product it subscribes to a campaign and posts one small event a second, so the room gets about one delta
// a second; against the bare server it only listens.
import { Agent } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { ownPeakRssMb, sendResult, sleep } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';
import { postJson } from '../lib/traffic.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    mode: { type: 'string' },
    demo: { type: 'string' },
    clients: { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '15000' },
    /** Stop opening sockets after this long and measure with those connected (the time budget of the whole run). */
    'ramp-ms': { type: 'string', default: '60000' },
    /** product mode: where to write one delta, the payload the bare server then broadcasts. */
    'payload-out': { type: 'string' },
  },
});
const port = Number(values.port);
const product = values.mode === 'product';
const n = Number(values.clients);
const durationMs = Number(values['duration-ms']);
const demo = product
  ? (JSON.parse(readFileSync(values.demo!, 'utf8')) as {
      source_key: string;
      tokens: { viewer: string };
      launch: {
        campaigns: { id: string }[];
        deals: { campaign_id: string; partner_id: string; links?: { platform?: string }[] }[];
      };
    })
  : null;
const campaign = demo?.launch.campaigns[0].id ?? '';

let measuring = false;
const lags: number[] = [];
const sinceTick: number[] = [];
let received = 0;
/** The deltas the first socket received, by size: the bare server replays the median one. */
const samples: { bytes: number; delta: unknown }[] = [];
const sockets: Socket[] = [];
let failures = 0;

const t0 = performance.now();
async function connectOne(): Promise<void> {
  const s = io(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    auth: product ? { token: demo!.tokens.viewer } : {},
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
  });
  sockets.push(s);
  s.on('delta', (d: { at: number; sent_at?: number }) => {
    if (!measuring) return;
    const now = Date.now();
    lags.push(now - (d.sent_at ?? d.at));
    if (d.sent_at !== undefined) sinceTick.push(now - d.at);
    received++;
    if (s === sockets[0]) samples.push({ bytes: JSON.stringify(d).length, delta: d });
  });
  await new Promise<void>((ok, fail) => {
    s.once('connect_error', fail);
    if (!product) s.once('connect', () => ok());
    else
      s.once('connect', () => {
        s.once('snapshot', () => ok());
        s.emit(
          'subscribe',
          { campaign_id: campaign, window: '5m' },
          (a: { ok: boolean; error?: { message: string } }) => !a.ok && fail(new Error(a.error?.message)),
        );
      });
  }).catch(() => {
    failures++;
  });
}
// Ramp up a batch at a time: a burst of 5,000 handshakes is a different benchmark.
const rampMs = Number(values['ramp-ms']);
let attempted = 0;
for (let i = 0; i < n && performance.now() - t0 < rampMs; i += 100) {
  attempted += Math.min(100, n - i);
  await Promise.all(Array.from({ length: Math.min(100, n - i) }, connectOne));
}
const connectS = (performance.now() - t0) / 1000;

// Product: one event a second into the watched campaign, so every tick window has a change to push.
let stop = false;
const feeder = (async () => {
  if (!product) return;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const deal = demo!.launch.deals.find((d) => d.campaign_id === campaign && d.links?.[0]?.platform)!;
  for (let i = 0; !stop; i++) {
    const ev = {
      event_id: `bench-fanout-${i}`,
      type: 'engagement',
      ts: Date.now(),
      campaign_id: campaign,
      partner_id: deal.partner_id,
      platform: deal.links![0].platform,
      content_id: 'bench-fanout',
      views: 1,
      likes: 1,
    };
    await postJson(agent, port, '/v1/events', demo!.source_key, JSON.stringify({ events: [ev] })).catch(
      () => undefined,
    );
    await sleep(1000);
  }
  agent.destroy();
})();

await sleep(5000); // settle after the ramp (5,000 snapshots leave garbage and queued writes in both processes: the ramp is not what is measured)
// Against the product the ramp left every socket's snapshot as garbage here (the bare server sends none): collected
// now, so this process's major GC does not fall into the measured seconds of one run and not the other.
(globalThis as { gc?: () => void }).gc?.();
measuring = true;
await sleep(durationMs);
measuring = false;
stop = true;
await feeder;
const connected = sockets.filter((s) => s.connected).length;
samples.sort((a, b) => a.bytes - b.bytes);
const median = samples[Math.floor(samples.length / 2)];
if (values['payload-out'] && median) writeFileSync(values['payload-out'], JSON.stringify(median.delta));
for (const s of sockets) s.close();
sendResult({
  clients: n,
  attempted,
  connected,
  failures,
  connect_s: Math.round(connectS * 10) / 10,
  messages: received,
  per_client_per_s: Math.round((received / Math.max(1, connected) / (durationMs / 1000)) * 100) / 100,
  lag_ms: summarize(lags),
  since_tick_ms: sinceTick.length ? summarize(sinceTick) : null,
  payload_bytes: median?.bytes ?? null,
  payload_bytes_max: samples.at(-1)?.bytes ?? null,
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
