// Load process of the live-latency benchmark: sends launch traffic at a fixed rate (batches of 500) and, every 250 ms,
// in a request of its own, a marker event (views: 1) to a second campaign that a subscribed socket watches; the latency
// of a marker is the time from its durable ack to the first delta whose campaign views count it.
import { Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import {
  unpackSnapshot,
  type ClientToServerEvents,
  type Delta,
  type ServerToClientEvents,
  type Snapshot,
} from '@pulseroom/schema';
import { ownPeakRssMb, sendResult, sleep } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';
import { compileTemplate, fillBytes, launchBatches, postJson } from '../lib/traffic.js';

const { values } = parseArgs({
  options: {
    demo: { type: 'string' },
    port: { type: 'string' },
    rate: { type: 'string', default: '20000' },
    'warmup-ms': { type: 'string', default: '3000' },
    'duration-ms': { type: 'string', default: '20000' },
    'max-in-flight': { type: 'string', default: '16' },
    /** Diagnostic: each marker's ack time (since the start) and latency on stderr, to see stalls over time. */
    trace: { type: 'boolean', default: false },
  },
});
interface DemoFile {
  source_key: string;
  tokens: { viewer: string };
  launch: {
    campaigns: { id: string }[];
    deals: { campaign_id: string; partner_id: string; links?: { platform?: string }[] }[];
  };
}
const demo = JSON.parse(readFileSync(values.demo!, 'utf8')) as DemoFile;
const port = Number(values.port);
const rate = Number(values.rate);
const warmupMs = Number(values['warmup-ms']);
const durationMs = Number(values['duration-ms']);
const maxInFlight = Number(values['max-in-flight']);
const SIZE = 500;

const headline = demo.launch.campaigns[0].id;
const markerCampaign = demo.launch.campaigns.find((c) => c.id !== headline)!.id;
const markerDeal = demo.launch.deals.find((d) => d.campaign_id === markerCampaign && d.links?.[0]?.platform)!;
const templates = launchBatches(demo.launch, 100, SIZE, 7, headline);
const compiled = templates.bodies.map(compileTemplate);

// The watching socket.
const socket: import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents> = io(
  `http://127.0.0.1:${port}`,
  {
    auth: { token: demo.tokens.viewer },
    transports: ['websocket'],
  },
);
const snapshot = await new Promise<Snapshot>((ok, fail) => {
  socket.once('snapshot', (w) => ok(unpackSnapshot(w)));
  socket.once('connect_error', fail);
  socket.emit(
    'subscribe',
    { campaign_id: markerCampaign, window: '5m' },
    (a) => !a.ok && fail(new Error(a.error?.message)),
  );
});
const baseViews = snapshot.groups.campaign.find((r) => r.key === 'all')?.metrics.views ?? 0;
/**
 * (time, markers counted, the server's emit time and the wall clock at receipt) of each delta that changed the campaign
 * row.
 */
const seen: { at: number; count: number; sentAt: number; recvWall: number }[] = [];
let deltas = 0;
socket.on('delta', (d: Delta) => {
  deltas++;
  // New views come as a patch of the fields that moved (or the whole row, were it new to the socket).
  const views =
    d.patches?.campaign?.metrics?.views?.all ?? d.groups.campaign?.find((r) => r.key === 'all')?.metrics.views;
  if (views !== undefined)
    seen.push({ at: performance.now(), count: views - baseViews, sentAt: d.sent_at ?? NaN, recvWall: Date.now() });
});

const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const stopAt = measureFrom + durationMs;
const perBatchMs = (1000 * SIZE) / rate;
let inFlight = 0;
let skipped = 0;
let round = 0;
let accepted = 0;
let errors = 0;
let markersSent = 0;
const markerSent: number[] = [];
const markerAck: number[] = [];
/** Wall clock of each marker's ack (the server stamps deltas with the same machine's wall clock). */
const markerAckWall: number[] = [];
const batchMs: number[] = [];

function send(): void {
  if (inFlight >= maxInFlight) {
    skipped++;
    return;
  }
  const r = round++;
  const body = fillBytes(compiled[r % compiled.length], r, Date.now());
  const start = performance.now();
  inFlight++;
  postJson(agent, port, '/v1/events', demo.source_key, body).then(
    (a) => {
      inFlight--;
      const end = performance.now();
      if (a.status !== 200) errors++;
      else if (start >= measureFrom && start < stopAt)
        accepted += (JSON.parse(a.body) as { accepted: number }).accepted;
      if (start >= measureFrom) batchMs.push(end - start);
    },
    () => {
      inFlight--;
      errors++;
    },
  );
}

/** A marker goes in a request of its own on its own connection, whatever the background's backlog. */
const markerAgent = new Agent({ keepAlive: true, maxSockets: 4 });
function sendMarker(): void {
  const marker = markersSent++;
  const ev = {
    event_id: `bench-marker-${marker}`,
    type: 'engagement',
    ts: Date.now(),
    campaign_id: markerCampaign,
    partner_id: markerDeal.partner_id,
    platform: markerDeal.links![0].platform,
    content_id: 'bench-marker',
    views: 1,
  };
  markerSent[marker] = performance.now();
  postJson(markerAgent, port, '/v1/events', demo.source_key, JSON.stringify({ events: [ev] })).then(
    (a) => {
      if (a.status === 200) {
        markerAck[marker] = performance.now();
        markerAckWall[marker] = Date.now();
      } else errors++;
    },
    () => errors++,
  );
}

// Paced: batch i goes out at t0 + i × perBatchMs (catching up in one timer turn if the timer was late).
let next = t0;
let nextMarker = t0;
let batchIndex = 0;
while (performance.now() < stopAt) {
  const now = performance.now();
  while (next <= now) {
    send();
    batchIndex++;
    next += perBatchMs;
  }
  if (now >= nextMarker) {
    sendMarker();
    nextMarker += 250;
  }
  await sleep(Math.max(1, next - performance.now()));
}
// Let the last markers arrive.
const drainUntil = performance.now() + 10_000;
while (performance.now() < drainUntil && (inFlight > 0 || (seen.at(-1)?.count ?? 0) < markerAck.filter(Boolean).length))
  await sleep(50);

// The k-th marker (in ack order) is visible once a delta counts ≥ k markers.
const acked = markerAck
  .map((at, i) => ({ at, sent: markerSent[i], wall: markerAckWall[i] }))
  .filter((m) => m.at !== undefined && m.sent >= measureFrom)
  .sort((a, b) => a.at - b.at);
const ackOrder = markerAck.filter((x) => x !== undefined).sort((a, b) => a - b);
const latencies: number[] = [];
const fromSend: number[] = [];
const ackToEmit: number[] = [];
const emitToClient: number[] = [];
let unseen = 0;
for (const m of acked) {
  const k = ackOrder.indexOf(m.at) + 1;
  const d = seen.find((s) => s.count >= k);
  if (!d) {
    unseen++;
    continue;
  }
  latencies.push(Math.max(0, d.at - m.at));
  if (values.trace)
    process.stderr.write(`marker acked at ${Math.round(m.at - t0)} ms: delta after ${Math.round(d.at - m.at)} ms\n`);
  fromSend.push(Math.max(0, d.at - m.sent));
  if (Number.isFinite(d.sentAt)) {
    ackToEmit.push(Math.max(0, d.sentAt - m.wall));
    emitToClient.push(Math.max(0, d.recvWall - d.sentAt));
  }
}
socket.close();
agent.destroy();
markerAgent.destroy();
sendResult({
  target_rate: rate,
  achieved_rate: Math.round(accepted / (durationMs / 1000)),
  skipped_batches_ingest_behind: skipped,
  errors,
  markers: acked.length,
  markers_unseen: unseen,
  deltas,
  ack_to_delta_ms: summarize(latencies),
  send_to_delta_ms: summarize(fromSend),
  ack_to_emit_ms: summarize(ackToEmit),
  emit_to_client_ms: summarize(emitToClient),
  batch_ms: summarize(batchMs),
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
