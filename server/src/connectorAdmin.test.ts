// Platform connectors through the admin API: the credential sealed and never returned, posts registered by URL with
// errors naming the field, the YouTube quota plan, and a refused credential raising one "needs re-authorisation" alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@pulseroom/schema';
import {
  createToken,
  findConnector,
  insertPollLog,
  openSecret,
  setConnectorStatus,
  type Store,
} from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { alertsOfCampaign } from './queries/alerts.js';
import {
  apiCall,
  once,
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  type TestServer,
} from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

const DATA_KEY = 'test-data-key-for-connectors';
const TOKEN = 'IGQWR-long-lived-token-of-pa1';
const clock = testClock(NOW);
let store: Store;
let t: TestServer;
let admin = '';
let viewer = '';

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, { clock: clock.now, config: { PULSEROOM_SECRETS_KEY: DATA_KEY } });
  admin = (await createToken(store.client, { role: 'admin', label: 'setup' })).token;
  viewer = (await createToken(store.client, { role: 'viewer' })).token;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

const call = (method: string, path: string, body?: unknown, token = admin) => apiCall(t, token, method, path, body);

describe('connectors in the admin API', () => {
  let ig = '';
  let yt = '';

  it('connects a platform with the credential sealed, never shown, never in the audit log', async () => {
    const made = await call('POST', '/api/admin/connectors', {
      platform: 'instagram',
      credential: TOKEN,
      partner_id: 'pa1',
      account_id: '17841400000000001',
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.any(String),
      platform: 'instagram',
      name: expect.any(String),
      status: 'active',
    });
    ig = made.body.id;
    const stored = await findConnector(store.client, ig);
    expect(stored!.credential).not.toContain(TOKEN);
    expect(openSecret(DATA_KEY, stored!.credential)).toBe(TOKEN);

    const list = await call('GET', '/api/admin/connectors');
    expect(JSON.stringify(list.body)).not.toContain(TOKEN);
    expect(list.body[0]).toMatchObject({
      id: ig,
      platform: 'instagram',
      partner_id: 'pa1',
      status: 'active',
      posts: 0,
    });
    const audit = await call('GET', '/api/admin/audit');
    expect(JSON.stringify(audit.body)).not.toContain(TOKEN);
    // it is a source: the freshness banner names it
    const sources = await call('GET', '/api/admin/sources');
    expect(sources.body.find((s: { id: string }) => s.id === ig).name).toMatch(/^Instagram connector/);
  });

  it('refuses bad input with the field named', async () => {
    const cases: [unknown, RegExp][] = [
      [{ platform: 'myspace', credential: 'x'.repeat(10) }, /^platform: expected one of youtube, instagram, tiktok/],
      [{ platform: 'tiktok', credential: 'act.12345678' }, /^partner_id: required/],
      [{ platform: 'instagram', credential: 'IGQ12345678', partner_id: 'pa1' }, /^account_id: required/],
      [{ platform: 'tiktok', credential: 'act.12345678', partner_id: 'nobody' }, /^partner_id: unknown partner/],
      [{ platform: 'youtube', credential: 'short' }, /^credential: expected the whole key/],
    ];
    for (const [body, message] of cases) {
      const r = await call('POST', '/api/admin/connectors', body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await call('POST', '/api/admin/connectors', { platform: 'youtube' }, viewer)).status).toBe(403);
  });

  it('registers a post by its URL, resolving platform and id', async () => {
    const reg = await call('POST', `/api/admin/connectors/${ig}/posts`, {
      url: 'https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=abc',
      campaign_id: 'c1',
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({
      platform: 'instagram',
      url_id: 'C1a2B3c4D5e',
      media_id: null, // found by the connector in the creator's media
      partner_id: 'pa1',
      status: 'polling',
    });
    const again = await call('POST', `/api/admin/connectors/${ig}/posts`, {
      url: 'https://instagram.com/p/C1a2B3c4D5e',
      campaign_id: 'c1',
    });
    expect(again.status).toBe(409);
    // the connector's source now sends for (and is expected in) the campaign of its post, and only there
    const src = (await call('GET', '/api/admin/sources')).body.find((s: { id: string }) => s.id === ig);
    expect(src.campaign_ids).toEqual(['c1']);
    const bad: [unknown, RegExp][] = [
      [
        { url: 'https://youtu.be/dQw4w9WgXcQ', campaign_id: 'c1' },
        /^url: expected an Instagram post URL for this connector \(this one is YouTube's\)/,
      ],
      [{ url: 'https://www.instagram.com/ana/', campaign_id: 'c1' }, /^url: expected an Instagram post or reel URL/],
      [{ url: 'https://www.instagram.com/p/X1y2Z3a4b5/', campaign_id: 'nope' }, /^campaign_id: unknown campaign/],
      [{ url: 'https://www.instagram.com/p/X1y2Z3a4b5/', campaign_id: 'c1', partner_id: 'pa3' }, /^partner_id: this/],
    ];
    for (const [body, message] of bad) {
      const r = await call('POST', `/api/admin/connectors/${ig}/posts`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await call('POST', '/api/admin/connectors/zz-nope/posts', { url: 'x', campaign_id: 'c1' })).status).toBe(
      404,
    );
  });

  it("shows a YouTube connector's quota plan and what it spent today", async () => {
    yt = (await call('POST', '/api/admin/connectors', { platform: 'youtube', credential: 'AIzaSyFixtureKey123' })).body
      .id;
    for (const v of ['dQw4w9WgXcQ', 'abcdefghijk'])
      expect(
        (
          await call('POST', `/api/admin/connectors/${yt}/posts`, {
            url: `https://youtu.be/${v}`,
            campaign_id: 'c1',
            partner_id: 'pa3',
          })
        ).status,
      ).toBe(201);
    await insertPollLog(store.client, [
      {
        at: Date.now(),
        source_id: yt,
        platform: 'youtube',
        endpoint: 'commentThreads.list',
        post_ids: [],
        units: 3,
        http_status: 200,
        outcome: 'ok',
        duration_ms: 5,
        events: 0,
        retry_after_ms: 0,
        error: '',
      },
    ]);
    const plan = await call('GET', `/api/admin/connectors/${yt}/quota`);
    // two fresh videos: 1,440 polls a day each, 50 ids a call → 58 units, plus the 3 comment units of the last day
    expect(plan.body).toEqual({
      budget_units_per_day: 10_000,
      wanted_units_per_day: 61,
      planned_units_per_day: 61,
      stretch: 1,
      used_today: 3,
    });
    expect((await call('GET', `/api/admin/connectors/${ig}/quota`)).status).toBe(404);
  });

  it('raises one critical alert when the platform refused the credential, and clears with a new one', async () => {
    const s = t.connect(admin);
    const pushed: Alert[] = [];
    s.on('alert', (a) => pushed.push(a));
    const snap = onceSnapshot(s);
    s.emit('subscribe', { campaign_id: 'c1', window: '15m' });
    await snap;

    const c = (await findConnector(store.client, ig))!;
    const message = '400 OAuthException 190/463: Error validating access token: Session has expired';
    await setConnectorStatus(store.client, c, 'needs_reauth', message, Date.now());
    const list = await call('GET', '/api/admin/connectors');
    expect(list.body.find((x: { id: string }) => x.id === ig)).toMatchObject({
      status: 'needs_reauth',
      status_message: message,
    });
    const alert = once<Alert>(s, 'alert');
    clock.advance(1_000);
    await t.server.tickOnce();
    expect(await alert).toMatchObject({
      campaign_id: 'c1',
      partner_id: 'pa1',
      kind: 'connector_reauth',
      severity: 'critical',
    });
    expect(pushed[0].message).toMatch(/^Instagram connector \(@pa1\) needs re-authorisation: Instagram refused/);
    expect(pushed[0].message).toContain('Session has expired');

    // not again: not on the next evaluation, nor after a restart
    clock.advance(1_000);
    await t.server.tickOnce();
    await t.close();
    t = await startTestServer(store, { clock: clock.now, config: { PULSEROOM_SECRETS_KEY: DATA_KEY } });
    clock.advance(1_000);
    await t.server.tickOnce();
    const stored = (await alertsOfCampaign(store.client, 'c1', null)).filter((a) => a.kind === 'connector_reauth');
    expect(stored).toHaveLength(1);

    const fixed = await call('PUT', `/api/admin/connectors/${ig}/credentials`, { credential: 'IGQWR-a-fresh-token' });
    expect(fixed.body).toEqual({ id: ig, status: 'active' });
    expect(openSecret(DATA_KEY, (await findConnector(store.client, ig))!.credential)).toBe('IGQWR-a-fresh-token');
  });
});
