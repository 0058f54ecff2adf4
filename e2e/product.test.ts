// `npm start` as a newcomer runs it: URLs printed, the launch simulated live, an event posted to ingest
// reaching a socket, the crisis raising a sentiment alert, scoped tokens, and a restart that doubles nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type {
  Alert,
  ClientToServerEvents,
  Delta,
  ServerToClientEvents,
  Snapshot,
  SummaryResponse,
  WhoAmI,
} from '@pulseroom/schema';
import { tierOf, unpackSnapshot } from '@pulseroom/schema';
import { openStore, type Store } from '@pulseroom/schema/server';
import { ER_BY_TIER } from '@pulseroom/simulator/claims';
import { freePort, ROOT } from './ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-product-'));
let port = 0;
let base = '';
let child: ChildProcess | null = null;
let output = '';

interface Demo {
  source_key: string;
  admin_token: string;
  tokens: { viewer: string; manager: string; manager_id: string; wall: string };
  launch: { campaigns: { id: string }[]; partners: { id: string; manager_id?: string; followers: number }[] };
}
let demo: Demo;

/** Starts `npm start`'s entry point; resolves with the ms it took to print the URLs. */
async function start(args: string[]): Promise<number> {
  const t0 = Date.now();
  output = '';
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'app/src/start.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), PULSEROOM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((ok, fail) => {
    const timer = setInterval(() => {
      if (output.includes('TV wall')) {
        clearInterval(timer);
        ok();
      }
    }, 100);
    child!.once('exit', (code) => {
      clearInterval(timer);
      fail(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Demo;
  return Date.now() - t0;
}

/**
 * Stops the product with SIGTERM; resolves with its exit code, or the signal that ended it (with its output, to see
 * why).
 */
async function stop(): Promise<number | string> {
  const c = child;
  if (!c) return 'not started';
  if (c.exitCode !== null || c.signalCode !== null) return c.exitCode ?? `${c.signalCode}\n${output}`;
  const exited = new Promise<number | string>((ok) =>
    c.once('exit', (code, signal) => ok(code ?? `${signal}\n${output}`)),
  );
  c.kill('SIGTERM');
  return exited;
}

async function get<T>(path: string, token: string): Promise<{ status: number; body: T }> {
  const r = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: (await r.json().catch(() => null)) as T };
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Reads the stored figures straight from ClickHouse while the product is stopped (one chDB per data directory). */
async function withStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore({
    PULSEROOM_DATA_DIR: dataDir,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'pulseroom',
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const q = async <T>(s: Store, query: string) => (await s.client.query({ query, format: 'JSONEachRow' })).json<T>();

const CAMPAIGN = 'halo-launch';
let firstStartMs = 0;

beforeAll(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The launch began 25 minutes ago: the simulator replays it at catch-up speed, crisis included, then goes live.
  firstStartMs = await start(['--launch-ago', '25', '--rate', '3000']);
}, 180_000);

afterAll(async () => {
  await stop();
});

describe('npm start', () => {
  it('prints the war room, manager and wall URLs with their tokens within 60 s', () => {
    console.log(`URLs printed after ${firstStartMs} ms`);
    expect(firstStartMs).toBeLessThan(60_000);
    expect(output).toContain(`/campaigns/${CAMPAIGN}?token=${demo.tokens.viewer}`);
    expect(output).toContain(`/me?token=${demo.tokens.manager}`);
    expect(output).toContain(`/wall/${CAMPAIGN}?token=${demo.tokens.wall}`);
  });

  it('serves the web app, and an event posted to ingest reaches a subscribed socket', async () => {
    const page = await fetch(`${base}/campaigns/${CAMPAIGN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');

    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(base, {
      auth: { token: demo.tokens.viewer },
      transports: ['websocket'],
    });
    try {
      const snapshot = await new Promise<Snapshot>((ok, fail) => {
        socket.once('snapshot', (w) => ok(unpackSnapshot(w)));
        socket.emit(
          'subscribe',
          { campaign_id: CAMPAIGN, window: '5m' },
          (a) => !a.ok && fail(new Error(a.error?.message)),
        );
      });
      const viewsBefore = snapshot.groups.campaign[0]?.metrics.views ?? 0;
      const marker = 987_654_321;
      let sentAt = 0;
      const seen = new Promise<number>((ok) => {
        socket.on('delta', (d: Delta) => {
          // The campaign row's new views come as a patch of the fields that moved (or whole, were the row new).
          const views =
            d.patches?.campaign?.metrics?.views?.all ?? d.groups.campaign?.find((r) => r.key === 'all')?.metrics.views;
          if (sentAt && views !== undefined && views >= viewsBefore + marker) ok(Date.now() - sentAt);
        });
      });
      const partner = demo.launch.partners[0];
      sentAt = Date.now();
      const r = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${demo.source_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          events: [
            {
              event_id: 'e2e-marker-1',
              type: 'engagement',
              ts: Date.now(),
              campaign_id: CAMPAIGN,
              partner_id: partner.id,
              platform: 'youtube',
              content_id: 'e2e',
              views: marker,
              likes: 1,
            },
          ],
        }),
      });
      expect(await r.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      const lag = await Promise.race([
        seen,
        new Promise<number>((_, fail) =>
          setTimeout(() => fail(new Error('no delta with the event within 10 s')), 10_000),
        ),
      ]);
      console.log(`event accepted → delta on the socket: ${lag} ms (simulator running)`);
    } finally {
      socket.close();
    }
  });

  it('the war room moves live and the crisis shows up as a sentiment alert', async () => {
    const first = await get<SummaryResponse>(
      `/api/campaigns/${CAMPAIGN}/summary?window=ctd&group=campaign`,
      demo.tokens.viewer,
    );
    expect(first.status).toBe(200);
    const alert = await until(
      'a sentiment swing alert',
      async () =>
        (await get<Alert[]>(`/api/campaigns/${CAMPAIGN}/alerts`, demo.admin_token)).body.find(
          (a) => a.kind === 'sentiment_swing',
        ),
      150_000,
    );
    console.log(`alert: ${alert.message}`);
    const later = await get<SummaryResponse>(
      `/api/campaigns/${CAMPAIGN}/summary?window=ctd&group=campaign`,
      demo.tokens.viewer,
    );
    expect(later.body.rows[0].metrics.views).toBeGreaterThan(first.body.rows[0].metrics.views);
    expect(later.body.rows[0].metrics.comments_n).toBeGreaterThan(0);
    expect(later.body.rows[0].metrics.unique_clicks).toBeGreaterThan(0);
  }, 180_000);

  it('the manager token sees only its creators and the wall token reaches nothing else', async () => {
    const me = await get<WhoAmI>('/api/me', demo.tokens.manager);
    expect(me.body.role).toBe('manager');
    const mine = new Set(demo.launch.partners.filter((p) => p.manager_id === demo.tokens.manager_id).map((p) => p.id));
    const rows = (
      await get<SummaryResponse>(`/api/campaigns/${CAMPAIGN}/summary?window=ctd&group=partner`, demo.tokens.manager)
    ).body.rows;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(mine.has(r.key)).toBe(true);
    expect((await get(`/api/admin/tokens`, demo.tokens.wall)).status).toBeGreaterThanOrEqual(401);
    const other = demo.launch.campaigns.find((c) => c.id !== CAMPAIGN)!.id;
    // Out of scope looks exactly like not found: a token learns nothing about other campaigns.
    expect((await get(`/api/campaigns/${other}/summary?window=5m&group=campaign`, demo.tokens.wall)).status).toBe(404);
    expect((await get(`/api/campaigns/${CAMPAIGN}/summary?window=5m&group=campaign`, demo.tokens.wall)).status).toBe(
      200,
    );
  });

  it('simulated ratios sit in the ranges the simulator claims', async () => {
    // Minutes of a simulated launch went live through the stream exactly as they were stored: no figure corrected.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^pulseroom_live_stream_batches_total [1-9]/m);
    expect(metrics).toMatch(/^pulseroom_live_reconcile_corrections_total 0$/m);
    expect(await stop()).toBe(0);
    expect(output).toContain('stopped cleanly');
    const followers = new Map(demo.launch.partners.map((p) => [p.id, p.followers]));
    const byPartner = await withStore((s) =>
      q<{ partner_id: string; views: number; interactions: number }>(
        s,
        "SELECT partner_id, sum(views) views, sum(likes + comments + shares + saves) interactions FROM events WHERE campaign_id = 'halo-launch' AND type = 'engagement' AND event_id NOT LIKE 'e2e-%' GROUP BY partner_id",
      ),
    );
    const byTier = new Map<string, { views: number; interactions: number }>();
    for (const r of byPartner) {
      const tier = tierOf(followers.get(r.partner_id) ?? 0);
      const t = byTier.get(tier) ?? { views: 0, interactions: 0 };
      t.views += r.views;
      t.interactions += r.interactions;
      byTier.set(tier, t);
    }
    const er = Object.fromEntries([...byTier].map(([tier, t]) => [tier, (t.interactions / t.views) * 100]));
    console.log('ER by tier from what the simulator sent:', er);
    for (const [tier, value] of Object.entries(er)) {
      const claim = ER_BY_TIER[tier as keyof typeof ER_BY_TIER];
      expect(value, tier).toBeGreaterThanOrEqual(claim.min);
      expect(value, tier).toBeLessThanOrEqual(claim.max);
    }
    const [sales] = await withStore((s) =>
      q<{ conversions: number; revenue: number; unique_clicks: number }>(
        s,
        "SELECT countIf(type = 'conversion' AND status = 'approved') conversions, sumIf(orig_amount_minor, type = 'conversion' AND status = 'approved' AND orig_currency = 'EUR') / countIf(type = 'conversion' AND status = 'approved' AND orig_currency = 'EUR') / 100 revenue, countIf(type = 'click' AND is_unique = 1 AND bot = 0) unique_clicks FROM events WHERE campaign_id = 'halo-launch'",
      ),
    );
    console.log(
      `CR ${((sales.conversions / sales.unique_clicks) * 100).toFixed(2)} % over ${sales.unique_clicks} unique clicks, EUR AOV ${sales.revenue.toFixed(2)}`,
    );
    expect(sales.unique_clicks).toBeGreaterThan(500);
    const cr = (sales.conversions / sales.unique_clicks) * 100;
    expect(cr).toBeGreaterThanOrEqual(1);
    expect(cr).toBeLessThanOrEqual(5);
    expect(sales.revenue).toBeGreaterThanOrEqual(100);
    expect(sales.revenue).toBeLessThanOrEqual(250);
  }, 90_000);

  it('a restart keeps the figures and doubles nothing, even with the simulator replaying the launch', async () => {
    const snapshot = (s: Store) =>
      q<{ n: number; distinct_ids: number; orders: number; distinct_orders: number; views: number; revenue: number }>(
        s,
        "SELECT count() n, uniqExact(source_id, event_id) distinct_ids, countIf(type = 'conversion') orders, uniqExactIf((campaign_id, order_id), type = 'conversion') distinct_orders, sum(views) views, sumIf(amount_minor, status = 'approved' AND converted = 1 AND type IN ('conversion', 'refund')) revenue FROM events",
      );
    const [before] = await withStore(snapshot);
    expect(before.n).toBe(before.distinct_ids);

    // Restarted without the simulator: the same figures over the API.
    await start(['--no-sim']);
    const ctd = await until(
      'the restarted server to load campaign-to-date',
      async () => {
        const r = await get<SummaryResponse>(
          `/api/campaigns/${CAMPAIGN}/summary?window=ctd&group=campaign`,
          demo.admin_token,
        );
        return r.status === 200 && r.body.rows[0]?.metrics.views > 0 ? r.body.rows[0].metrics : null;
      },
      30_000,
    );
    const [campaignOnly] = await (async () => {
      expect(await stop()).toBe(0);
      return withStore((s) =>
        q<{ views: number }>(s, "SELECT sum(views) views FROM events WHERE campaign_id = 'halo-launch'"),
      );
    })();
    expect(ctd.views).toBe(campaignOnly.views);

    // Restarted with the simulator: it replays the launch from its start; ingest deduplicates every event.
    await start(['--rate', '3000']);
    await new Promise((r) => setTimeout(r, 20_000));
    expect(await stop()).toBe(0);
    const [after] = await withStore(snapshot);
    expect(after.n).toBe(after.distinct_ids);
    expect(after.orders).toBe(after.distinct_orders);
    expect(after.n).toBeGreaterThanOrEqual(before.n);
    console.log(`events before restart ${before.n}, after restart and replay ${after.n} (all distinct)`);
  }, 180_000);
});
