// `npm run soak`: the one-process product under steady load (default 10 min at 2,000 events/s, 500 subscribed
// sockets) on loopback; reports events sent/acked/stored, RSS of each process over time and push lag over time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import {
  unpackSnapshot,
  type ClientToServerEvents,
  type Delta,
  type ServerToClientEvents,
  type Snapshot,
} from '@pulseroom/schema';
import { openStore } from '@pulseroom/schema/server';
import { freePort } from '@pulseroom/schema/testing';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CAMPAIGN = 'halo-launch';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    rate: { type: 'string', default: '2000' },
    sockets: { type: 'string', default: '500' },
    batch: { type: 'string', default: '100' },
  },
  strict: true,
});
const SECONDS = Math.min(3600, Math.max(10, Number(flags.seconds)));
const RATE = Math.min(20_000, Math.max(1, Number(flags.rate)));
const SOCKETS = Math.min(2000, Math.max(1, Number(flags.sockets)));
const BATCH = Math.min(1000, Math.max(1, Number(flags.batch)));
const MAX_EVENTS = SECONDS * RATE; // bounded in count as well as in time
const MAX_IN_FLIGHT = 16;

let died = '';
const say = (m: string) => process.stdout.write(`${m}\n`);

function rssOf(pid: number): number {
  if (died) throw new Error(died);
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-soak-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  say(
    `soak: ${SECONDS} s at ${RATE} events/s, ${SOCKETS} sockets, batches of ${BATCH}; product on ${base}, data in ${dataDir}`,
  );

  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'app/src/start.ts'), '--no-sim'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      PULSEROOM_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      INGEST_RATE_LIMIT_PER_MIN: '0',
      PULSEROOM_API_RATE_PER_MIN: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((ok) =>
    child.once('exit', (code, signal) => {
      died = `the product exited (code ${code}, signal ${signal}); its last output:\n${output.slice(-3000)}`;
      ok(code);
    }),
  );
  await new Promise<void>((ok, fail) => {
    const t = setInterval(() => output.includes('TV wall') && (clearInterval(t), ok()), 100);
    void exited.then((code) => (clearInterval(t), fail(new Error(`the product exited with ${code}:\n${output}`))));
  });
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as {
    source_key: string;
    tokens: { viewer: string };
    launch: { deals: { campaign_id: string; partner_id: string }[]; partners: { id: string; platforms: string[] }[] };
  };
  const inCampaign = new Set(demo.launch.deals.filter((d) => d.campaign_id === CAMPAIGN).map((d) => d.partner_id));
  const partners = demo.launch.partners.filter((p) => inCampaign.has(p.id));
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, 2000)); // the engine's first load
  const rss = { productStart: rssOf(pid), driverStart: process.memoryUsage().rss, productPeak: 0 };

  // ---- sockets: 500 subscribed, over five windows (five rooms); one campaign-to-date socket measures lag ----
  const windows = ['1m', '5m', '15m', '1h', 'ctd'] as const;
  const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
  let deltas = 0;
  let disconnects = 0;
  let ctdViews = 0;
  let baseViews = 0;
  const pendingLag: { at: number; target: number }[] = [];
  const lags: { t: number; ms: number }[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(base, {
      auth: { token: demo.tokens.viewer },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(s);
    const w = windows[i % windows.length];
    s.on('disconnect', () => disconnects++);
    s.on('delta', (d: Delta) => {
      deltas++;
      if (i !== 4) return; // socket 4 watches ctd
      // New views come as a patch of the fields that moved (or the whole row, were it new to the socket).
      const views =
        d.patches?.campaign?.metrics?.views?.all ?? d.groups.campaign?.find((r) => r.key === 'all')?.metrics.views;
      if (views === undefined) return;
      ctdViews = views;
      const now = Date.now();
      while (pendingLag.length > 0 && pendingLag[0].target <= ctdViews - baseViews)
        lags.push({ t: now, ms: now - pendingLag.shift()!.at });
    });
    const snap = new Promise<Snapshot>((ok) => s.once('snapshot', (w) => ok(unpackSnapshot(w))));
    await new Promise<void>((ok, fail) =>
      s.emit('subscribe', { campaign_id: CAMPAIGN, window: w }, (a) =>
        a.ok ? ok() : fail(new Error(a.error?.message)),
      ),
    );
    const first = await snap;
    if (i === 4) baseViews = first.groups.campaign.find((r) => r.key === 'all')?.metrics.views ?? 0;
  }
  say(`${SOCKETS} sockets subscribed; product RSS ${mb(rssOf(pid))}`);

  // ---- sender: RATE events/s in batches, every event retried until acknowledged (ids make it idempotent) ----
  let sent = 0; // distinct events posted
  let acked = 0; // acknowledged as accepted or duplicate (exactly once each)
  let accepted = 0;
  let duplicates = 0;
  let retries = 0;
  let inFlight = 0;
  let ackedViews = 0;
  let next = 0;
  const post = async (events: Record<string, unknown>[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${base}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demo.source_key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        const body = (await r.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
        if (r.status === 200 && body.accepted + body.duplicates === events.length) {
          acked += events.length;
          accepted += body.accepted;
          duplicates += body.duplicates;
          ackedViews += events.length; // every event carries views: 1
          return;
        }
        if (r.status === 200) throw new Error(`rejected events: ${JSON.stringify(body.rejected).slice(0, 300)}`);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('rejected')) throw e;
      }
      retries++;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  };

  const t0 = Date.now();
  const samples: {
    s: number;
    sent: number;
    acked: number;
    rss: number;
    lagP50: number;
    lagMax: number;
    deltas: number;
  }[] = [];
  let lastSample = t0;
  let lagIdx = 0;
  let behind = 0;
  const end = t0 + SECONDS * 1000;
  const posts = new Set<Promise<void>>();
  while (Date.now() < end && next < MAX_EVENTS) {
    const due = Math.min(MAX_EVENTS, Math.floor(((Date.now() - t0) / 1000) * RATE));
    while (next + BATCH <= due && inFlight < MAX_IN_FLIGHT) {
      const now = Date.now();
      const events = Array.from({ length: BATCH }, () => {
        const p = partners[next % partners.length];
        return {
          event_id: `soak-${next++}`,
          type: 'engagement',
          ts: now,
          campaign_id: CAMPAIGN,
          partner_id: p.id,
          platform: p.platforms[0],
          content_id: `soak-${p.id}`,
          views: 1,
          likes: next % 7 === 0 ? 1 : 0,
        };
      });
      sent += events.length;
      inFlight++;
      const pr = post(events).finally(() => {
        inFlight--;
        posts.delete(pr);
      });
      posts.add(pr);
    }
    if (due - next > RATE) behind = Math.max(behind, due - next);
    const now = Date.now();
    if (now - lastSample >= 10_000) {
      // Lag probe: the views acknowledged by now must show on the ctd socket; lag = until they do.
      pendingLag.push({ at: now, target: ackedViews });
      const window = lags.slice(lagIdx).map((l) => l.ms);
      lagIdx = lags.length;
      const r = rssOf(pid);
      rss.productPeak = Math.max(rss.productPeak, r);
      const sample = {
        s: Math.round((now - t0) / 1000),
        sent,
        acked,
        rss: r,
        lagP50: pct(window, 50),
        lagMax: window.length ? Math.max(...window) : NaN,
        deltas,
      };
      samples.push(sample);
      say(
        `t=${String(sample.s).padStart(4)} s  sent ${sent}  acked ${acked}  in flight ${inFlight}  product RSS ${mb(r)}  push lag p50 ${sample.lagP50} ms max ${sample.lagMax} ms  deltas received ${deltas}`,
      );
      lastSample = now;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(posts);
  const sendSeconds = (Date.now() - t0) / 1000;
  pendingLag.push({ at: Date.now(), target: ackedViews });
  const drainUntil = Date.now() + 15_000;
  while (pendingLag.length > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  const rssEnd = { product: rssOf(pid), driver: process.memoryUsage().rss };
  for (const s of sockets) s.close();

  // The live figures needed no correction from the store: the stream carried every event exactly once.
  await new Promise((r) => setTimeout(r, 3_000)); // the last batches stored and reconciled
  const metricsText = await (await fetch(`${base}/metrics`)).text();
  const corrections = Number(/^pulseroom_live_reconcile_corrections_total (\d+)/m.exec(metricsText)?.[1] ?? NaN);

  // ---- stop gracefully (the spool is flushed), then count what ClickHouse holds ----
  child.kill('SIGTERM');
  const code = await exited;
  const store = await openStore({
    PULSEROOM_DATA_DIR: dataDir,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'pulseroom',
  });
  const [stored] = await (
    await store.client.query({
      query:
        "SELECT count() AS n, uniqExact(event_id) AS distinct_ids, sum(views) AS views FROM events WHERE source_id = 'demo-simulator' AND startsWith(event_id, 'soak-')",
      format: 'JSONEachRow',
    })
  ).json<{ n: number; distinct_ids: number; views: number }>();
  const [agg] = await (
    await store.client.query({
      query: `SELECT sum(views) AS views FROM agg_10s WHERE campaign_id = '${CAMPAIGN}'`,
      format: 'JSONEachRow',
    })
  ).json<{ views: number }>();
  await store.close();

  const allLags = lags.map((l) => l.ms);
  const result = {
    seconds: SECONDS,
    send_seconds: Number(sendSeconds.toFixed(1)),
    target_rate: RATE,
    achieved_rate: Math.round(sent / sendSeconds),
    sockets: SOCKETS,
    events: {
      sent,
      acked,
      accepted,
      duplicates,
      stored: Number(stored.n),
      stored_distinct: Number(stored.distinct_ids),
      agg_views: Number(agg.views),
      retries,
    },
    rss: {
      product_start: rss.productStart,
      product_end: rssEnd.product,
      product_peak: Math.max(rss.productPeak, rssEnd.product),
      driver_start: rss.driverStart,
      driver_end: rssEnd.driver,
    },
    push_lag_ms: {
      probes: allLags.length,
      unanswered: pendingLag.length,
      p50: pct(allLags, 50),
      p95: pct(allLags, 95),
      max: allLags.length ? Math.max(...allLags) : NaN,
    },
    deltas_received: deltas,
    reconcile_corrections: corrections,
    socket_disconnects: disconnects - SOCKETS, // each socket disconnects once when closed at the end
    max_behind_events: behind,
    product_exit_code: code,
    samples: samples.map((s) => ({ ...s, rss_mb: Math.round(s.rss / 1024 / 1024) })),
  };
  say('\n' + JSON.stringify(result, null, 1));
  say('');
  say('| t (s) | sent | acked | product RSS | push lag p50 / max (ms) |');
  say('| ---: | ---: | ---: | ---: | ---: |');
  for (const s of samples) say(`| ${s.s} | ${s.sent} | ${s.acked} | ${mb(s.rss)} | ${s.lagP50} / ${s.lagMax} |`);
  const ok =
    sent === acked &&
    acked === result.events.stored &&
    result.events.stored === result.events.stored_distinct &&
    code === 0 &&
    corrections === 0;
  say(
    `\nsent ${sent} = acked ${acked} = stored ${result.events.stored} (distinct ${result.events.stored_distinct}), reconcile corrections ${corrections}: ${ok ? 'OK' : 'MISMATCH'}`,
  );
  say(
    `product RSS ${mb(rss.productStart)} → ${mb(rssEnd.product)} (peak ${mb(result.rss.product_peak)}); driver RSS ${mb(rss.driverStart)} → ${mb(rssEnd.driver)}`,
  );
  if (!process.env.SOAK_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
