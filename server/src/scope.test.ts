// SCOPE: a manager token never receives a figure, comment or alert of another manager's partner, over the socket or
// REST; a wall token cannot reach the admin API; a revoked token's sockets are dropped within a second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_FIELDS, type Ack } from '@pulseroom/schema';
import { createToken, revokeToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import {
  once,
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  waitFor,
  type TestServer,
  type TestSocket,
} from './testing/harness.js';
import { truthTotals } from './testing/truth.js';
import { EVENT_PARTNERS, NOW, testWorld } from './testing/world.js';

const r = rng(7);
const clock = testClock(NOW);
let store: Store;
let t: TestServer;
const tokens: Record<string, { id: string; token: string }> = {};
const OTHER = /\bpb\d\b|@pb\d/; // anything of manager am-b's partners

async function insertLive(n: number) {
  const rows = Array.from({ length: n }, () =>
    randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, clock.now() - r.int(0, 240_000)),
  );
  // Posts without disclosure and comments from both managers' partners.
  for (const p of ['pa1', 'pb1', 'pb2']) {
    rows.push({
      campaign_id: 'c1',
      partner_id: p,
      platform: EVENT_PARTNERS[p][0],
      type: 'post',
      ts: clock.now() - 1000,
      content_id: `post-${p}-${r.int(1, 1e9)}`,
      url: `https://example.com/${p}/x`,
      caption: 'new',
      disclosure: 'missing',
    });
    rows.push({
      campaign_id: 'c1',
      partner_id: p,
      platform: EVENT_PARTNERS[p][0],
      type: 'comment',
      ts: clock.now() - 500,
      content_id: 'c1',
      text: `hello from ${p}`,
      label: 'pos',
      sentiment: 0.8,
    });
  }
  await insertBatch(store.client, rows);
}

const api = async (token: string, path: string, init: RequestInit = {}) => {
  const res = await fetch(`${t.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
};

const subscribe = (s: TestSocket, req: Record<string, unknown>) =>
  new Promise<Ack>((resolve) => s.emit('subscribe', req as never, resolve));

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  await insertLive(300);
  t = await startTestServer(store, { clock: clock.now });
  tokens.admin = await createToken(store.client, { role: 'admin' });
  tokens.mgrA = await createToken(store.client, { role: 'manager', manager_id: 'am-a' });
  tokens.wall = await createToken(store.client, { role: 'wall', campaign_ids: ['c1'] });
  tokens.viewer2 = await createToken(store.client, { role: 'viewer', campaign_ids: ['c2'] });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('manager scope over the socket', () => {
  it("sees only their partners, their comments, posts and alerts; campaign totals are their partners' totals", async () => {
    const s = t.connect(tokens.mgrA.token);
    const received: string[] = [];
    for (const ev of ['snapshot', 'delta', 'comment', 'post', 'alert'])
      s.on(ev as never, ((x: unknown) => received.push(JSON.stringify(x))) as never);
    const admin = t.connect(tokens.admin.token);
    const adminAlerts: string[] = [];
    admin.on('alert', (a) => adminAlerts.push(a.partner_id));
    const adminSnap = onceSnapshot(admin);
    await subscribe(admin, { campaign_id: 'c1', window: '5m' });
    await adminSnap;

    const snap = onceSnapshot(s);
    expect(await subscribe(s, { campaign_id: 'c1', window: '5m' })).toEqual({ ok: true });
    const first = await snap;
    expect(first.partners.map((p) => p.id)).toEqual(['pa1', 'pa2', 'pa3', 'pa4']);
    expect(first.groups.partner.map((row) => row.key)).toEqual(['pa1', 'pa2', 'pa3', 'pa4']);
    expect(first.comments.length).toBeGreaterThan(0);

    // Out of scope: another manager's partner, a campaign without their partners, "mine" is fine.
    const bad = await subscribe(s, { campaign_id: 'c1', window: '5m', partner_id: 'pb1' });
    expect(bad.ok).toBe(false);
    expect(bad.error?.code).toBe('PARTNER_OUT_OF_SCOPE');
    expect((await subscribe(s, { campaign_id: 'c2' })).error?.code).toBe('CAMPAIGN_NOT_FOUND');
    const again = onceSnapshot(s);
    expect(await subscribe(s, { campaign_id: 'c1', window: 'ctd', mine: true })).toEqual({ ok: true });
    await again;

    for (let i = 0; i < 3; i++) {
      await insertLive(150);
      clock.advance(4_000);
      await t.server.tickOnce();
    }
    await waitFor(
      () => adminAlerts.includes('pb1') && received.some((x) => x.includes('"kind":"disclosure_missing"')),
      5_000,
      'alerts',
    );
    await waitFor(() => [...t.server.hub.rooms.values()].every((room) => !room.dirty), 5_000, 'flushed deltas');
    await new Promise((res) => setTimeout(res, 100));

    expect(received.filter((x) => x.includes('"event_id"')).length).toBeGreaterThan(0); // comments/posts arrived
    for (const payload of received) expect(payload).not.toMatch(OTHER);

    // Campaign-to-date totals of the manager = SQL over their partners' raw events only.
    const truth = await truthTotals(store.client, {
      campaign_id: 'c1',
      group: 'campaign',
      groupOf: {},
      lo: 0,
      hi: t.server.engine.bucket,
      partners: ['pa1', 'pa2', 'pa3', 'pa4'],
    });
    const summary = (await api(tokens.mgrA.token, '/api/campaigns/c1/summary?window=ctd&group=campaign')).json();
    for (const f of TOTAL_FIELDS) {
      if (f === 'sentiment_sum') expect(summary.rows[0].metrics[f]).toBeCloseTo(truth.get('all')![f], 3);
      else expect(summary.rows[0].metrics[f], f).toBe(truth.get('all')![f]);
    }
  });

  it('REST answers a manager only with their partners', async () => {
    const tok = tokens.mgrA.token;
    expect((await api(tok, '/api/campaigns')).json().map((c: { id: string }) => c.id)).toEqual(['c1']);
    for (const group of ['partner', 'campaign', 'type', 'tier', 'platform']) {
      const res = await api(tok, `/api/campaigns/c1/summary?window=1h&group=${group}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(OTHER);
    }
    const csv = await api(tok, '/api/campaigns/c1/export.csv?window=24h&group=partner');
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toMatch(/^"key","views"/);
    expect(csv.text).not.toMatch(OTHER);
    const alerts = await api(tok, '/api/campaigns/c1/alerts');
    expect(alerts.json().length).toBeGreaterThan(0);
    expect(alerts.text).not.toMatch(OTHER);
    expect((await api(tok, '/api/partners/pb1?campaign_id=c1')).status).toBe(404);
    expect((await api(tok, '/api/partners/pa1?campaign_id=c1')).status).toBe(200);
    expect((await api(tok, '/api/campaigns/c1/series?partner_id=pb1')).status).toBe(403);
    expect((await api(tok, '/api/campaigns/c1/series.csv?partner_id=pb1')).status).toBe(403);
    const series = await api(tok, '/api/campaigns/c1/series');
    expect(series.status).toBe(200);
    expect((await api(tok, '/api/campaigns/c2/summary')).status).toBe(404);
    // An alert of another manager's partner cannot be acknowledged either.
    const adminAlerts = (await api(tokens.admin.token, '/api/campaigns/c1/alerts')).json() as {
      id: string;
      partner_id: string;
    }[];
    const foreign = adminAlerts.find((a) => a.partner_id === 'pb1')!;
    expect(foreign).toBeDefined();
    expect((await api(tok, `/api/alerts/${foreign.id}/ack`, { method: 'POST' })).status).toBe(404);
    const own = adminAlerts.find((a) => a.partner_id === 'pa1')!;
    const acked = await api(tok, `/api/alerts/${own.id}/ack`, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect(acked.json().acknowledged).toBe(true);
    expect((await api(tok, '/api/admin/tokens')).status).toBe(403);
  });
});

describe('wall and viewer scope', () => {
  it('a wall token reads its one campaign and cannot reach the admin API or acknowledge', async () => {
    const tok = tokens.wall.token;
    expect((await api(tok, '/api/campaigns')).json().map((c: { id: string }) => c.id)).toEqual(['c1']);
    expect((await api(tok, '/api/me')).json()).toEqual({
      role: 'wall',
      campaign_ids: ['c1'],
      manager_id: '',
      label: '',
    });
    expect((await api(tok, '/api/admin/tokens')).status).toBe(403);
    expect(
      (await api(tok, '/api/admin/tokens', { method: 'POST', body: JSON.stringify({ role: 'admin' }) })).status,
    ).toBe(403);
    expect((await api(tok, '/api/admin/sources', { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await api(tok, '/api/admin/campaigns/c1', { method: 'PUT', body: '{}' })).status).toBe(403);
    expect((await api(tok, `/api/admin/tokens/${tokens.mgrA.id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await api(tok, '/api/alerts/whatever/ack', { method: 'POST' })).status).toBe(403);
    expect((await api(tok, '/api/campaigns/c2/summary')).status).toBe(404);
    const s = t.connect(tok);
    expect((await subscribe(s, { campaign_id: 'c2' })).error?.code).toBe('CAMPAIGN_NOT_FOUND');
    const snap = onceSnapshot(s);
    expect((await subscribe(s, { campaign_id: 'c1', window: '1m' })).ok).toBe(true);
    expect((await snap).groups.partner.map((x) => x.key)).toContain('pb1');
  });

  it('no token, a bad token: 401 and no socket', async () => {
    expect((await fetch(`${t.url}/api/campaigns`)).status).toBe(401);
    expect((await api('prt_nope', '/api/campaigns')).status).toBe(401);
    const s = t.connect('prt_nope');
    const err = await once<Error & { data?: { code: string } }>(s, 'connect_error');
    expect(err.data?.code).toBe('UNAUTHORIZED');
  });
});

describe('revocation', () => {
  it("DELETE /api/admin/tokens/:id disconnects the token's sockets at once; a revocation made elsewhere within a second", async () => {
    const v1 = await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] });
    const v2 = await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] });
    const s1 = t.connect(v1.token);
    const s2 = t.connect(v2.token);
    await Promise.all([once(s1, 'connect'), once(s2, 'connect')]);
    const gone1 = once(s1, 'disconnect');
    const t0 = Date.now();
    expect((await api(tokens.admin.token, `/api/admin/tokens/${v1.id}`, { method: 'DELETE' })).status).toBe(200);
    await gone1;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await api(v1.token, '/api/campaigns')).status).toBe(401);

    const gone2 = once(s2, 'disconnect', 3000);
    const t1 = Date.now();
    await revokeToken(store.client, v2.id); // as the CLI or another node would
    await gone2;
    expect(Date.now() - t1).toBeLessThan(1600);
  });
});
