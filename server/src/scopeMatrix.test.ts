// SCOPE MATRIX: every role (admin, viewer, another campaign's viewer, manager, wall, no token, a bad token, a revoked
// token) × every REST route, Socket.IO event and room: a token gets exactly what its scope allows, nothing more.
// Tokens and source keys are stored only as SHA-256 hashes. (Revocation disconnecting within a second: scope.test.ts.)
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Alert } from '@pulseroom/schema';
import { createSource, createToken, revokeToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertAlerts } from './queries/alerts.js';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import {
  once,
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  type TestServer,
  type TestSocket,
} from './testing/harness.js';
import { EVENT_PARTNERS, NOW, testWorld } from './testing/world.js';

const ROLES = ['admin', 'viewer', 'viewer2', 'manager', 'wall', 'none', 'bad', 'revoked'] as const;
type RoleName = (typeof ROLES)[number];
const OTHER = /\bpb\d\b/; // anything of manager am-b's partners

const clock = testClock(NOW);
let store: Store;
let t: TestServer;
const token: Record<RoleName, string> = {
  admin: '',
  viewer: '',
  viewer2: '',
  manager: '',
  wall: '',
  none: '',
  bad: 'prt_not_a_token_at_all_xxxxxxxxxxxx',
  revoked: '',
};
const world = testWorld();

const ALERTS: Alert[] = [
  {
    id: 'al-pa1',
    campaign_id: 'c1',
    partner_id: 'pa1',
    kind: 'disclosure_missing',
    severity: 'warning',
    message: 'pa1 post without disclosure',
    ts: NOW - 60_000,
    acknowledged: false,
  },
  {
    id: 'al-pb1',
    campaign_id: 'c1',
    partner_id: 'pb1',
    kind: 'disclosure_missing',
    severity: 'warning',
    message: 'pb1 post without disclosure',
    ts: NOW - 50_000,
    acknowledged: false,
  },
  {
    id: 'al-c1',
    campaign_id: 'c1',
    partner_id: '',
    kind: 'sentiment_swing',
    severity: 'critical',
    message: 'campaign sentiment fell',
    ts: NOW - 40_000,
    acknowledged: false,
  },
  {
    id: 'al-c2',
    campaign_id: 'c2',
    partner_id: 'pb1',
    kind: 'disclosure_missing',
    severity: 'warning',
    message: 'c2 pb1',
    ts: NOW - 30_000,
    acknowledged: false,
  },
];

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, world);
  const r = rng(11);
  await insertBatch(
    store.client,
    Array.from({ length: 200 }, () =>
      randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, NOW - r.int(0, 600_000)),
    ),
  );
  await insertAlerts(store.client, ALERTS);
  t = await startTestServer(store, { clock: clock.now });
  token.admin = (await createToken(store.client, { role: 'admin' })).token;
  token.viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
  token.viewer2 = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c2'] })).token;
  token.manager = (await createToken(store.client, { role: 'manager', manager_id: 'am-a' })).token;
  token.wall = (await createToken(store.client, { role: 'wall', campaign_ids: ['c1'] })).token;
  const revoked = await createToken(store.client, { role: 'admin' });
  await revokeToken(store.client, revoked.id);
  token.revoked = revoked.token;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function call(role: RoleName, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (role !== 'none') headers.authorization = `Bearer ${token[role]}`;
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

// ---------------------------------------------------------------- REST

/** Expected status per role: admin, viewer (c1), viewer2 (c2), manager (am-a: pa1–pa4, all in c1), wall (c1). */
type Row = [
  name: string,
  method: string,
  path: string | (() => string),
  body: unknown,
  expected: [admin: number, viewer: number, viewer2: number, manager: number, wall: number],
];
const c1Read = [200, 200, 404, 200, 200] as [number, number, number, number, number];
const c2Read = [200, 404, 200, 404, 404] as [number, number, number, number, number];
const adminOnly = (ok: number) => [ok, 403, 403, 403, 403] as [number, number, number, number, number];
let throwaway = 0;
const REST: Row[] = [
  ['who am I', 'GET', '/api/me', undefined, [200, 200, 200, 200, 200]],
  ['list campaigns', 'GET', '/api/campaigns', undefined, [200, 200, 200, 200, 200]],
  ['summary of c1', 'GET', '/api/campaigns/c1/summary?window=ctd&group=partner', undefined, c1Read],
  ['summary of c2', 'GET', '/api/campaigns/c2/summary?window=ctd&group=partner', undefined, c2Read],
  ['summary of an unknown campaign', 'GET', '/api/campaigns/nope/summary', undefined, [404, 404, 404, 404, 404]],
  ['export.csv of c1', 'GET', '/api/campaigns/c1/export.csv?window=ctd&group=partner', undefined, c1Read],
  ['export.csv of c2', 'GET', '/api/campaigns/c2/export.csv', undefined, c2Read],
  ['series of c1', 'GET', '/api/campaigns/c1/series', undefined, c1Read],
  ['series.csv of c1', 'GET', '/api/campaigns/c1/series.csv', undefined, c1Read],
  ['series of c2', 'GET', '/api/campaigns/c2/series', undefined, c2Read],
  [
    "series of c1 for another manager's partner",
    'GET',
    '/api/campaigns/c1/series?partner_id=pb1',
    undefined,
    [200, 200, 404, 403, 200],
  ],
  [
    "summary of c1 for another manager's partner",
    'GET',
    '/api/campaigns/c1/summary?partner_id=pb1',
    undefined,
    [200, 200, 404, 403, 200],
  ],
  ['alerts of c1', 'GET', '/api/campaigns/c1/alerts', undefined, c1Read],
  ['alerts of c2', 'GET', '/api/campaigns/c2/alerts', undefined, c2Read],
  ["partner pa1 (manager's own)", 'GET', '/api/partners/pa1?campaign_id=c1', undefined, c1Read],
  [
    "partner pb1 in c1 (another manager's)",
    'GET',
    '/api/partners/pb1?campaign_id=c1',
    undefined,
    [200, 200, 404, 404, 200],
  ],
  ['partner pb1 in c2', 'GET', '/api/partners/pb1?campaign_id=c2', undefined, [200, 404, 200, 404, 404]],
  ['acknowledge alert of pa1', 'POST', '/api/alerts/al-pa1/ack', undefined, [200, 200, 404, 200, 403]],
  ['acknowledge alert of pb1', 'POST', '/api/alerts/al-pb1/ack', undefined, [200, 200, 404, 404, 403]],
  ['acknowledge campaign-wide alert of c1', 'POST', '/api/alerts/al-c1/ack', undefined, [200, 200, 404, 404, 403]],
  ['acknowledge alert of c2', 'POST', '/api/alerts/al-c2/ack', undefined, [200, 404, 200, 404, 403]],
  ['admin: list tokens', 'GET', '/api/admin/tokens', undefined, adminOnly(200)],
  ['admin: create a token', 'POST', '/api/admin/tokens', { role: 'viewer', campaign_ids: ['c1'] }, adminOnly(201)],
  ['admin: create an admin token', 'POST', '/api/admin/tokens', { role: 'admin' }, adminOnly(201)],
  [
    'admin: revoke a token',
    'DELETE',
    () => `/api/admin/tokens/${throwawayIds[throwaway++]}`,
    undefined,
    adminOnly(200),
  ],
  ['admin: list source keys (never their hashes)', 'GET', '/api/admin/sources', undefined, adminOnly(200)],
  [
    'admin: revoke a source key',
    'DELETE',
    () => `/api/admin/sources/${throwawaySources[sourceIdx++]}`,
    undefined,
    adminOnly(200),
  ],
  [
    'admin: create a source key',
    'POST',
    '/api/admin/sources',
    { name: 'scope matrix', campaign_ids: ['c1'] },
    adminOnly(201),
  ],
  ['admin: upsert a campaign', 'PUT', '/api/admin/campaigns/c2', world.campaigns[1], adminOnly(200)],
  ['admin: upsert a partner', 'PUT', '/api/admin/partners/pb4', world.partners[7], adminOnly(200)],
  ['admin: upsert a deal', 'PUT', '/api/admin/deals/c2--pb1', world.deals[world.deals.length - 1], adminOnly(200)],
  ['unknown route', 'GET', '/api/nothing/here', undefined, [404, 404, 404, 404, 404]],
];
const throwawayIds: string[] = [];
const throwawaySources: string[] = [];
let sourceIdx = 0;

describe('REST: role × route', () => {
  it.each(REST.map((row) => [row[0], row] as const))('%s', async (_name, [, method, path, body, expected]) => {
    // Each role revokes its own throwaway token (only the admin's call succeeds).
    if (typeof path === 'function')
      for (let i = 0; i < ROLES.length; i++) {
        throwawayIds.push((await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).id);
        throwawaySources.push((await createSource(store.client, { name: 'throwaway' })).id);
      }
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const [i, role] of ROLES.entries()) {
      const res = await call(role, method, typeof path === 'function' ? path() : path, body);
      got[role] = res.status;
      want[role] = i < 5 ? expected[i] : 401; // no token, a bad token, a revoked token: 401 everywhere
      if (role === 'manager' && res.status === 200) expect(res.text, `manager reads ${path}`).not.toMatch(OTHER);
      if (res.status === 401) expect(JSON.parse(res.text).error.message).toMatch(/token/);
      if (res.status === 200 && path === '/api/admin/sources') expect(res.text).not.toMatch(/key_hash|[0-9a-f]{64}/);
    }
    expect(got).toEqual(want);
  });

  it('each role lists exactly its campaigns and learns nothing of the others', async () => {
    const ids = async (role: RoleName) =>
      (JSON.parse((await call(role, 'GET', '/api/campaigns')).text) as { id: string }[]).map((c) => c.id).sort();
    expect(await ids('admin')).toEqual(['c1', 'c2']);
    expect(await ids('viewer')).toEqual(['c1']);
    expect(await ids('viewer2')).toEqual(['c2']);
    expect(await ids('manager')).toEqual(['c1']);
    expect(await ids('wall')).toEqual(['c1']);
    // "Not yours" and "does not exist" are the same answer.
    expect((await call('viewer', 'GET', '/api/campaigns/c2/summary')).text.replace('c2', 'X')).toBe(
      (await call('viewer', 'GET', '/api/campaigns/zz/summary')).text.replace('zz', 'X'),
    );
    const alerts = async (role: RoleName) =>
      (JSON.parse((await call(role, 'GET', '/api/campaigns/c1/alerts')).text) as Alert[]).map((a) => a.id).sort();
    expect(await alerts('admin')).toEqual(['al-c1', 'al-pa1', 'al-pb1']);
    expect(await alerts('manager')).toEqual(['al-pa1']); // campaign-wide alerts carry totals a manager may not see
  });

  it('tokens and source keys are stored only as SHA-256 hashes', async () => {
    const source = await createSource(store.client, { name: 'hash check', campaign_ids: [] });
    const dump = JSON.stringify([
      ...(await (await store.client.query({ query: 'SELECT * FROM dashboard_tokens', format: 'JSONEachRow' })).json()),
      ...(await (await store.client.query({ query: 'SELECT * FROM sources', format: 'JSONEachRow' })).json()),
    ]);
    for (const secret of [token.admin, token.viewer, token.manager, token.wall, source.key]) {
      expect(dump).not.toContain(secret);
      expect(dump).toContain(createHash('sha256').update(secret).digest('hex'));
    }
  });
});

// ---------------------------------------------------------------- Socket.IO

type SockResult = 'ok' | string; // 'ok' or the error code
const sub = (s: TestSocket, req: Record<string, unknown>) =>
  new Promise<SockResult>((resolve) =>
    s.emit('subscribe', req as never, (a: Ack) => resolve(a.ok ? 'ok' : a.error!.code)),
  );
const unsub = (s: TestSocket, req: Record<string, unknown>) =>
  new Promise<SockResult>((resolve) =>
    s.emit('unsubscribe', req as never, (a: Ack) => resolve(a.ok ? 'ok' : a.error!.code)),
  );
const ack = (s: TestSocket, id: string) =>
  new Promise<SockResult>((resolve) =>
    s.emit('ack_alert', { alert_id: id }, (a: Ack) => resolve(a.ok ? 'ok' : a.error!.code)),
  );

type SockRow = [
  name: string,
  run: (s: TestSocket) => Promise<SockResult>,
  expected: [admin: SockResult, viewer: SockResult, viewer2: SockResult, manager: SockResult, wall: SockResult],
];
const NF = 'CAMPAIGN_NOT_FOUND';
const SOCKET: SockRow[] = [
  ['subscribe c1', (s) => sub(s, { campaign_id: 'c1', window: '5m' }), ['ok', 'ok', NF, 'ok', 'ok']],
  ['subscribe c2', (s) => sub(s, { campaign_id: 'c2', window: '1h' }), ['ok', NF, 'ok', NF, NF]],
  [
    "subscribe c1 narrowed to another manager's partner",
    (s) => sub(s, { campaign_id: 'c1', partner_id: 'pb1' }),
    ['ok', 'ok', NF, 'PARTNER_OUT_OF_SCOPE', 'ok'],
  ],
  [
    'subscribe c1 with "mine"',
    (s) => sub(s, { campaign_id: 'c1', mine: true }),
    ['NOT_A_MANAGER', 'NOT_A_MANAGER', NF, 'ok', 'NOT_A_MANAGER'],
  ],
  ['subscribe an unknown campaign', (s) => sub(s, { campaign_id: 'nope' }), [NF, NF, NF, NF, NF]],
  ['unsubscribe c1', (s) => unsub(s, { campaign_id: 'c1' }), ['ok', 'ok', 'ok', 'ok', 'ok']],
  ['acknowledge alert of pa1', (s) => ack(s, 'al-pa1'), ['ok', 'ok', 'ALERT_NOT_FOUND', 'ok', 'READ_ONLY']],
  [
    'acknowledge alert of pb1',
    (s) => ack(s, 'al-pb1'),
    ['ok', 'ok', 'ALERT_NOT_FOUND', 'ALERT_NOT_FOUND', 'READ_ONLY'],
  ],
  [
    'acknowledge campaign-wide alert of c1',
    (s) => ack(s, 'al-c1'),
    ['ok', 'ok', 'ALERT_NOT_FOUND', 'ALERT_NOT_FOUND', 'READ_ONLY'],
  ],
  ['acknowledge alert of c2', (s) => ack(s, 'al-c2'), ['ok', 'ALERT_NOT_FOUND', 'ok', 'ALERT_NOT_FOUND', 'READ_ONLY']],
];

describe('Socket.IO: role × event', () => {
  const sockets = new Map<RoleName, TestSocket>();
  beforeAll(async () => {
    for (const role of ROLES.slice(0, 5)) {
      const s = t.connect(token[role]);
      await once(s, 'connect');
      sockets.set(role, s);
    }
  });

  it('no token, a bad token, a revoked token: refused at connect', async () => {
    for (const role of ['none', 'bad', 'revoked'] as const) {
      const s = t.connect(role === 'none' ? (undefined as unknown as string) : token[role]);
      const err = await once<Error & { data?: { code: string } }>(s, 'connect_error');
      expect(err.data?.code, role).toBe('UNAUTHORIZED');
      expect(s.connected).toBe(false);
    }
  });

  it.each(SOCKET.map((row) => [row[0], row] as const))('%s', async (_name, [, run, expected]) => {
    const got: Record<string, SockResult> = {};
    const want: Record<string, SockResult> = {};
    for (const [i, role] of ROLES.slice(0, 5).entries()) {
      got[role] = await run(sockets.get(role)!);
      want[role] = expected[i];
    }
    expect(got).toEqual(want);
  });

  it("each role joins exactly the rooms of its scope, and a manager's snapshot holds only their partners", async () => {
    const rooms = async (role: RoleName) => {
      const s = sockets.get(role)!;
      const snap = onceSnapshot(s);
      expect(await sub(s, { campaign_id: 'c1', window: '5m' })).toBe('ok');
      const snapshot = await snap;
      const server = t.server.hub.io!.of('/').sockets.get(s.id!)!;
      // Rooms of c1 (earlier rows left some sockets on c2 as well) and the token's own room.
      return { rooms: [...server.rooms].filter((r) => r.includes('|c1|') || r.startsWith('tok:')).sort(), snapshot };
    };
    const admin = await rooms('admin');
    expect(admin.rooms).toEqual(['alerts|c1|all', expect.stringMatching(/^tok:/), 'view|c1|5m|all|p:*|t:*|r:*|x:*']);
    const wall = await rooms('wall');
    expect(wall.rooms.filter((r) => !r.startsWith('tok:'))).toEqual([
      'alerts|c1|all',
      'view|c1|5m|all|p:*|t:*|r:*|x:*',
    ]);
    const mgr = await rooms('manager');
    expect(mgr.rooms.filter((r) => !r.startsWith('tok:'))).toEqual([
      'alerts|c1|p:pa1',
      'alerts|c1|p:pa2',
      'alerts|c1|p:pa3',
      'alerts|c1|p:pa4',
      'view|c1|5m|m:am-a|p:*|t:*|r:*|x:*',
    ]);
    expect(mgr.snapshot.partners.map((p) => p.id).sort()).toEqual(['pa1', 'pa2', 'pa3', 'pa4']);
    expect(JSON.stringify(mgr.snapshot)).not.toMatch(OTHER);
    expect(mgr.snapshot.alerts.map((a) => a.id)).toEqual(['al-pa1']);
    // A token's own room is how revocation finds its sockets; no socket shares another token's room.
    expect(new Set([admin, wall, mgr].map((x) => x.rooms.find((r) => r.startsWith('tok:')))).size).toBe(3);
  });
});
