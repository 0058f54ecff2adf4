// REST: CSV exports (ClickHouse's CSVWithNames) match the summary, series pick a bucket for the range, errors name the
// field, admin API, health, web app.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_FIELDS, type GroupRow, type SeriesResponse, type SummaryResponse } from '@pulseroom/schema';
import { DimensionCache, upsertCampaigns, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { createLiveServer } from './index.js';
import { defaultServerConfig } from './config.js';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import { seedWorld, startTestServer, testClock, type TestServer } from './testing/harness.js';
import { EVENT_PARTNERS, NOW, testWorld } from './testing/world.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const r = rng(3);
const clock = testClock(NOW);
let store: Store;
let t: TestServer;

const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
  const res = await fetch(`${t.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${init.token ?? ADMIN}`, 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
};

/** RFC 4180 as ClickHouse writes it: quoted strings, \N for NULL. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (row.push(cell), (cell = ''));
    else if (ch === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else cell += ch;
  }
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  for (let i = 0; i < 4; i++) {
    await insertBatch(
      store.client,
      Array.from({ length: 300 }, () =>
        randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, clock.now() - r.int(0, 30 * 3_600_000)),
      ),
    );
  }
  t = await startTestServer(store, { clock: clock.now, config: { PULSEROOM_ADMIN_TOKEN: ADMIN } });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('CSV export', () => {
  for (const [window, group] of [
    ['1h', 'partner'],
    ['24h', 'platform'],
    ['ctd', 'tier'],
    ['5m', 'campaign'],
  ] as const) {
    it(`export.csv (${window}, ${group}) has a header row and matches the summary`, async () => {
      const summary = (
        await api(`/api/campaigns/c1/summary?window=${window}&group=${group}`)
      ).json() as SummaryResponse;
      const res = await api(`/api/campaigns/c1/export.csv?window=${window}&group=${group}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.text.split('\n')[0]).toMatch(/^"key","views","reach",/);
      const rows = parseCsv(res.text);
      expect(rows.map((x) => x.key)).toEqual(summary.rows.map((x) => x.key));
      const byKey = new Map<string, GroupRow>(summary.rows.map((x) => [x.key, x]));
      for (const row of rows) {
        const m = byKey.get(row.key)!.metrics as unknown as Record<string, number | null>;
        for (const [col, value] of Object.entries(row)) {
          if (col === 'key') continue;
          const expected = m[col];
          if (value === '\\N') expect(expected, `${row.key}.${col}`).toBeNull();
          else if ((TOTAL_FIELDS as readonly string[]).includes(col) && col !== 'sentiment_sum')
            expect(Number(value), `${row.key}.${col}`).toBe(expected);
          else expect(Number(value), `${row.key}.${col}`).toBeCloseTo(expected as number, 4);
        }
      }
      if (window !== '5m') expect(rows.some((x) => Number(x.views) > 0)).toBe(true);
    });
  }

  it('series.csv has a header row and the points of /series', async () => {
    const json = (
      await api('/api/campaigns/c1/series?from=' + (NOW - 6 * 3_600_000) + '&to=' + NOW)
    ).json() as SeriesResponse;
    expect(json.bucket_ms).toBe(60_000);
    const csv = await api('/api/campaigns/c1/series.csv?from=' + (NOW - 6 * 3_600_000) + '&to=' + NOW);
    expect(csv.status).toBe(200);
    const rows = parseCsv(csv.text);
    expect(csv.text.split('\n')[0]).toBe(
      '"bucket_start_utc","views","interactions","clicks","unique_clicks","conversions","revenue_minor","comments_n","pos_n","neg_n","neu_n"',
    );
    expect(rows.length).toBe(json.points.length);
    expect(rows.reduce((s, x) => s + Number(x.views), 0)).toBe(json.points.reduce((s, p) => s + p.views, 0));
  });
});

describe('series', () => {
  it('picks the bucket for the range, fills empty buckets, and sums to the raw events', async () => {
    const hour = (await api(`/api/campaigns/c1/series?from=${NOW - 3_600_000}&to=${NOW}`)).json() as SeriesResponse;
    expect(hour.bucket_ms).toBe(10_000);
    expect(hour.points.length).toBe((hour.to - hour.from) / 10_000);
    const week = (
      await api(
        `/api/campaigns/c1/series?from=${new Date(NOW - 5 * 86_400_000).toISOString()}&to=${new Date(NOW).toISOString()}`,
      )
    ).json() as SeriesResponse;
    expect(week.bucket_ms).toBe(900_000);
    const [{ v }] = await (
      await store.client.query({
        query:
          "SELECT sum(views) AS v FROM events WHERE campaign_id = 'c1' AND ts >= fromUnixTimestamp64Milli({f:Int64}) AND ts < fromUnixTimestamp64Milli({t:Int64})",
        query_params: { f: week.from, t: week.to },
        format: 'JSONEachRow',
      })
    ).json<{ v: number }>();
    expect(week.points.reduce((s, p) => s + p.views, 0)).toBe(Number(v));
    const fixed = (
      await api(`/api/campaigns/c1/series?from=${NOW - 3_600_000}&to=${NOW}&bucket=5m`)
    ).json() as SeriesResponse;
    expect(fixed.bucket_ms).toBe(300_000);
  });
  it('gives days in the time zone of the campaign, across a change of its clocks', async () => {
    // A Berlin campaign over the switch to summer time (Sunday 28 March 2027): days start at 23:00 UTC, then 22:00.
    await upsertCampaigns(store.client, [
      {
        id: 'c-berlin',
        name: 'Berlin',
        brand: 'B',
        start: '2027-03-01T00:00:00Z',
        end: '2027-04-30T00:00:00Z',
        currency: 'EUR',
        timezone: 'Europe/Berlin',
      },
    ] as never);
    await t.dims.reload();
    const at = (iso: string, views: number) => ({
      campaign_id: 'c-berlin',
      partner_id: 'pa1',
      platform: 'instagram',
      type: 'engagement' as const,
      ts: Date.parse(iso),
      views,
    });
    // 23:30 UTC on the 26th is already the 27th in Berlin; 22:30 UTC on the 28th is already the 29th.
    await insertBatch(store.client, [
      at('2027-03-26T22:30:00Z', 1),
      at('2027-03-26T23:30:00Z', 10),
      at('2027-03-28T21:30:00Z', 100),
      at('2027-03-28T22:30:00Z', 1000),
    ]);
    const r = await api(`/api/campaigns/c-berlin/series?from=2027-03-26T12:00:00Z&to=2027-03-30T12:00:00Z&bucket=1d`);
    const days = r.json() as SeriesResponse;
    expect(days.points.map((p) => [new Date(p.t).toISOString(), p.views])).toEqual([
      ['2027-03-25T23:00:00.000Z', 1],
      ['2027-03-26T23:00:00.000Z', 10],
      ['2027-03-27T23:00:00.000Z', 100],
      ['2027-03-28T22:00:00.000Z', 1000],
      ['2027-03-29T22:00:00.000Z', 0],
    ]);
    expect([days.from, days.to].map((x) => new Date(x).toISOString())).toEqual([
      '2027-03-25T23:00:00.000Z',
      '2027-03-30T22:00:00.000Z',
    ]);
    const csv = (
      await api(`/api/campaigns/c-berlin/series.csv?from=2027-03-26T12:00:00Z&to=2027-03-30T12:00:00Z&bucket=1d`)
    ).text;
    expect(csv.split('\n')[2]).toMatch(/^"2027-03-26 23:00:00",10,/);
  });
});

describe('validation', () => {
  it('answers 4xx naming the field', async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['/api/campaigns/c1/summary?window=2m', {}, 400, 'window: expected a window'],
      ['/api/campaigns/c1/summary?group=brand', {}, 400, 'group: expected a group'],
      ['/api/campaigns/c1/summary?type=celebrity', {}, 400, 'type[0]: expected partner types'],
      ['/api/campaigns/c1/series?from=yesterday', {}, 400, 'from: expected epoch milliseconds or an ISO-8601'],
      ['/api/campaigns/c1/series?bucket=7s', {}, 400, 'bucket: expected a bucket'],
      [`/api/campaigns/c1/series?from=${NOW}&to=${NOW - 1}`, {}, 400, 'to: expected "to" after "from"'],
      [`/api/campaigns/c1/series?from=0&to=${NOW}&bucket=10s`, {}, 400, 'bucket: expected at most'],
      ['/api/campaigns/nope/summary', {}, 404, 'no campaign "nope"'],
      [
        '/api/admin/tokens',
        { method: 'POST', body: JSON.stringify({ role: 'viewer' }) },
        400,
        'campaign_ids: a viewer token needs at least one campaign',
      ],
      ['/api/admin/tokens', { method: 'POST', body: JSON.stringify({ role: 'root' }) }, 400, 'role: expected one of'],
      ['/api/admin/tokens', { method: 'POST', body: '{"role":' }, 400, 'not valid JSON'],
      [
        '/api/admin/campaigns/c9',
        { method: 'PUT', body: JSON.stringify({ id: 'c8', name: 'x' }) },
        400,
        'id: expected "c9"',
      ],
      [
        '/api/admin/partners/p9',
        {
          method: 'PUT',
          body: JSON.stringify({
            handle: '@p9',
            display_name: 'P9',
            platforms: ['instagram'],
            followers: -1,
            type: 'influencer',
          }),
        },
        400,
        'followers: expected a number ≥ 0',
      ],
      [
        '/api/admin/deals/d9',
        { method: 'PUT', body: JSON.stringify({ partner_id: 'pa1', campaign_id: 'c404' }) },
        400,
        'campaign_id: unknown campaign',
      ],
      ['/api/alerts/nope/ack', { method: 'POST' }, 404, 'no alert "nope"'],
      ['/api/nothing', {}, 404, 'no route GET /api/nothing'],
    ];
    for (const [path, init, status, message] of cases) {
      const res = await api(path, init);
      expect(res.status, path).toBe(status);
      expect(res.json().error.message, path).toContain(message);
    }
  });
});

describe('admin API', () => {
  it('creates sources and tokens, upserts dimensions (seen at once)', async () => {
    const src = await api('/api/admin/sources', {
      method: 'POST',
      body: JSON.stringify({ name: 'webhook', campaign_ids: ['c1'] }),
    });
    expect(src.status).toBe(201);
    expect(src.json().key).toMatch(/^prk_/);
    const tok = await api('/api/admin/tokens', {
      method: 'POST',
      body: JSON.stringify({ role: 'viewer', campaign_ids: ['c1'] }),
    });
    expect(tok.status).toBe(201);
    const me = await api('/api/me', { token: tok.json().token });
    expect(me.json()).toEqual({ role: 'viewer', campaign_ids: ['c1'], manager_id: '', label: '' });
    const list = await api('/api/admin/tokens');
    expect(list.text).not.toContain(tok.json().token);
    expect(list.text).not.toContain('token_hash');

    const put = await api('/api/admin/partners/pnew', {
      method: 'PUT',
      body: JSON.stringify({
        handle: '@new',
        display_name: 'New',
        platforms: ['twitch'],
        followers: 12,
        type: 'affiliate',
        manager_id: 'am-a',
      }),
    });
    expect(put.status).toBe(200);
    const deal = await api('/api/admin/deals/c1--pnew', {
      method: 'PUT',
      body: JSON.stringify({ partner_id: 'pnew', campaign_id: 'c1', fixed_fee: 99 }),
    });
    expect(deal.status).toBe(200);
    const summary = (await api('/api/campaigns/c1/summary?window=ctd&group=partner')).json() as SummaryResponse;
    const row = summary.rows.find((x) => x.key === 'pnew')!;
    expect(row.metrics.fee_committed_minor).toBe(9900);
    expect(row.metrics.followers).toBe(12);
    const detail = await api('/api/partners/pnew?campaign_id=c1');
    expect(detail.status).toBe(200);
    expect(detail.json().partner.handle).toBe('@new');
    expect(Object.keys(detail.json().windows)).toEqual(['1m', '5m', '15m', '1h', '24h', 'ctd']);
  });
});

describe('health, metrics and the web app', () => {
  it('serves /healthz, /readyz, /metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await (await fetch(`${t.url}/readyz`)).json()).ok).toBe(true);
    await t.server.tickOnce();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of [
      'pulseroom_sockets',
      'pulseroom_rooms',
      'pulseroom_reconcile_duration_seconds_bucket',
      'pulseroom_push_lag_seconds',
      'pulseroom_reconcile_rows',
      'pulseroom_live_reconcile_corrections_total',
    ])
      expect(metrics).toContain(name);
  });

  it('serves the web app with an SPA fallback, and extra routers before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulseroom-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pulseroom</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const extra = express.Router();
    extra.get('/v1/ping', (_req, res) => void res.json({ pong: true }));
    const dims = await DimensionCache.open(store.client, 0);
    const s = await createLiveServer({
      store,
      dims,
      config: defaultServerConfig(),
      logger: pino({ level: 'silent' }),
      webDir: dir,
      extraRouters: [extra],
      autoTick: false,
    });
    const http = createServer(s.app);
    await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/war-room/c1`)).text()).toContain('<title>Pulseroom</title>');
      expect(await (await fetch(`${base}/app.js`)).text()).toBe('console.log(1)');
      // Large enough to be worth compressing: sent gzipped to a browser that asks, read back the same.
      writeFileSync(join(dir, 'big.js'), 'console.log("pulseroom");\n'.repeat(2000));
      const big = await fetch(`${base}/big.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(big.headers.get('content-encoding')).toBe('gzip');
      expect(await big.text()).toBe('console.log("pulseroom");\n'.repeat(2000));
      expect(await (await fetch(`${base}/v1/ping`)).json()).toEqual({ pong: true });
      const missing = await fetch(`${base}/api/unknown`);
      expect(missing.status).toBe(401); // the API answers for itself, never with the app shell
    } finally {
      await new Promise<void>((res) => http.close(() => res()));
      await s.stop();
    }
  });
});
