// OUTBOUND ALERTS against a local receiver: Standard Webhooks signatures verify (the library and an independent HMAC),
// 500s are retried with the same webhook-id, an alert goes once per channel (also after a restart), a storm is one
// message and a summary, Slack gets Block Kit with the war room link, and bad channel config names its field.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_KINDS, type Alert } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { defaultServerConfig } from '../config.js';
import { seedWorld, startTestServer, testClock, type TestServer } from '../testing/harness.js';
import { NOW, testWorld } from '../testing/world.js';
import { deliveryLog, writeDeliveries } from '../queries/alertDeliveries.js';
import { insertAlerts } from '../queries/alerts.js';
import { insertBatch } from '../testing/events.js';
import { AlertNotifier } from './notifier.js';
import { retryAfterMs } from './send.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on a loopback port: records every request, answers each path's scripted statuses, then 200. */
async function receiver() {
  const got: Received[] = [];
  const script = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = script.get(req.url ?? '')?.shift() ?? 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = (path: string) => got.filter((g) => g.path === path);
  return { url, got, script, at, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const config = {
  ALERT_NOTIFY_RETRY_BASE_MS: 5,
  ALERT_NOTIFY_RETRY_MAX_MS: 50,
  ALERT_NOTIFY_MAX_ATTEMPTS: 4,
  PULSEROOM_PUBLIC_URL: 'https://pulse.example',
  // the same data key for the server and the "restarted" notifier below: channels are stored sealed with it
  PULSEROOM_SECRETS_KEY: 'test-data-key-of-the-notifier-test',
};
let store: Store;
let t: TestServer;
let rx: Awaited<ReturnType<typeof receiver>>;
let admin = '';
let seq = 0;

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: `al_t${++seq}`,
  campaign_id: 'c1',
  partner_id: 'pa1',
  kind: 'engagement_spike',
  severity: 'info',
  message: "@pa1's engagement is 4.0× their usual: 800 interactions in the last 15 min vs about 200 per 15 min.",
  ts: NOW,
  acknowledged: false,
  ...over,
});

const call = async (method: string, path: string, body?: unknown, token = admin) => {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const sent = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${t.url}${path}`, { method, headers, body: sent });
  return { status: res.status, body: JSON.parse(await res.text()) };
};

const putChannel = (id: string, body: Record<string, unknown>) => call('PUT', `/api/admin/alert-channels/${id}`, body);
const logOf = async (channelId: string, alertId: string) =>
  (await deliveryLog(store.client, channelId, 1000)).find((r) => r.alert_id === alertId);
const verify = (secret: string, m: Received) => new Webhook(secret).verify(m.body, m.headers as Record<string, string>);

/** Standard Webhooks apart from the library: v1,<base64 HMAC-SHA256 of id.timestamp.body>, keyed by the secret. */
function independentSignature(secret: string, h: IncomingHttpHeaders, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${h['webhook-id']}.${h['webhook-timestamp']}.${body}`;
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, { clock: testClock(NOW).now, config });
  rx = await receiver();
  admin = (await createToken(store.client, { role: 'admin', label: 'Alerts admin' })).token;
}, 90_000);
afterAll(async () => {
  await t?.close();
  await rx?.close();
  await store?.close();
});

describe('channels through the admin API', () => {
  it('names the bad field of a channel, and refuses who is not admin', async () => {
    const bad: [unknown, string][] = [
      [{ campaign_id: 'c1', type: 'sms', url: `${rx.url}/x` }, 'type'],
      [{ campaign_id: 'c1', type: 'webhook', url: 'ftp://example.com/hook' }, 'url'],
      [{ campaign_id: 'c1', type: 'webhook', url: `${rx.url}/x`, kinds: ['everything'] }, 'kinds[0]'],
      [{ campaign_id: 'c1', type: 'webhook', url: `${rx.url}/x`, secret: 'hunter2' }, 'secret'],
      [{ campaign_id: 'nope', type: 'webhook', url: `${rx.url}/x` }, 'campaign_id'],
      [{ campaign_id: 'c1', type: 'slack', url: `${rx.url}/x`, secret: `whsec_${'A'.repeat(44)}` }, 'secret'],
      [{ campaign_id: 'c1', type: 'webhook' }, 'url'],
    ];
    for (const [body, field] of bad) {
      const r = await call('PUT', '/api/admin/alert-channels/bad', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(
        r.body.error.fields.map((f: { path: string }) => f.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await call('GET', '/api/admin/alert-channels/bad')).status).toBe(404);
    const viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
    expect((await call('GET', '/api/admin/alert-channels', undefined, viewer)).status).toBe(403);
  });

  it('generates a webhook secret shown once; afterwards only hints of the secret and the URL', async () => {
    const url = `${rx.url}/once/token-abcd`;
    const made = await putChannel('hook-once', { campaign_id: 'c2', type: 'webhook', url });
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^whsec_/);
    const shown = JSON.stringify((await call('GET', '/api/admin/alert-channels?campaign_id=c2')).body);
    expect(shown).not.toContain(made.body.secret);
    expect(shown).not.toContain('/once/token-abcd');
    expect(shown).toContain(`whsec_…${made.body.secret.slice(-4)}`);
    // Stored sealed under the data key: neither the URL nor the secret is readable in the table.
    const stored = JSON.stringify(
      await (
        await store.client.query({
          query: "SELECT url, secret FROM alert_channels WHERE id = 'hook-once'",
          format: 'JSONEachRow',
        })
      ).json(),
    );
    expect(stored).not.toContain(made.body.secret);
    expect(stored).not.toContain('token-abcd');
    // An edit without url and secret keeps both.
    const edited = await putChannel('hook-once', { campaign_id: 'c2', type: 'webhook', kinds: ['click_spike'] });
    expect(edited.status).toBe(200);
    expect(edited.body.secret).toBeUndefined();
    expect(edited.body.secret_hint).toBe(made.body.secret_hint);
    const deleted = await call('DELETE', '/api/admin/alert-channels/hook-once');
    expect(deleted.body).toEqual({ id: 'hook-once', deleted: true });
    expect((await call('GET', '/api/admin/alert-channels/hook-once')).status).toBe(404);
  });
});

describe('delivery', () => {
  let secret = '';
  beforeAll(async () => {
    const kinds = ['engagement_spike', 'disclosure_missing', 'goal_reached', 'unattributed_rising'];
    const r = await putChannel('hook', { campaign_id: 'c1', type: 'webhook', url: `${rx.url}/hook`, kinds });
    secret = r.body.secret;
  });

  it('signs by Standard Webhooks: the library and an independent HMAC both verify', async () => {
    const a = alert();
    t.server.notifier.notify([a]);
    await t.server.notifier.drain();
    const [msg] = rx.at('/hook');
    expect(() => verify(secret, msg)).not.toThrow();
    const signatures = String(msg.headers['webhook-signature']).split(' ');
    expect(signatures).toContain(independentSignature(secret, msg.headers, msg.body));
    const tampered = msg.body.replace('4.0×', '9.0×');
    expect(() => verify(secret, { ...msg, body: tampered })).toThrow();
    const body = JSON.parse(msg.body);
    const war_room_url = 'https://pulse.example/campaigns/c1';
    expect(body.type).toBe('alert.raised');
    expect(body.data).toMatchObject({ campaign_id: 'c1', campaign_name: 'Launch', war_room_url });
    const first = body.data.alerts[0];
    expect(first).toMatchObject({ id: a.id, message: a.message, partner_id: 'pa1', title: 'Engagement spike' });
  });

  it('retries after 500s with the same webhook-id, and logs the attempts', async () => {
    rx.got.length = 0;
    rx.script.set('/hook', [500, 503, 429]);
    const message = '@pa1 posted on instagram without an ad disclosure';
    const a = alert({ kind: 'disclosure_missing', severity: 'critical', message });
    t.server.notifier.notify([a]);
    await t.server.notifier.drain();
    const tries = rx.at('/hook');
    expect(tries).toHaveLength(4);
    expect(new Set(tries.map((x) => x.headers['webhook-id'])).size).toBe(1);
    for (const x of tries) expect(() => verify(secret, x)).not.toThrow();
    const message_id = tries[0].headers['webhook-id'];
    expect(await logOf('hook', a.id)).toMatchObject({ status: 'sent', attempts: 4, http_status: 200, message_id });
  });

  // Each test raises a kind new to the window: a second one of a kind would wait for the storm's summary.
  it('gives up after the last attempt and logs the failure', async () => {
    rx.got.length = 0;
    rx.script.set('/hook', [500, 500, 500, 500, 500]);
    const a = alert({ kind: 'goal_reached', partner_id: '' });
    t.server.notifier.notify([a]);
    await t.server.notifier.drain();
    expect(rx.at('/hook')).toHaveLength(4);
    expect(await logOf('hook', a.id)).toMatchObject({ status: 'failed', attempts: 4, http_status: 500 });
    rx.script.delete('/hook');
  });

  it('never sends one alert twice to a channel, also after a restart', async () => {
    rx.got.length = 0;
    const a = alert({ kind: 'unattributed_rising', partner_id: '' });
    t.server.notifier.notify([a]);
    t.server.notifier.notify([a]);
    await t.server.notifier.drain();
    expect(rx.at('/hook')).toHaveLength(1);
    // A new notifier on the same store (the server restarted) reads the claims from the log.
    const logger = pino({ level: 'silent' });
    const restarted = { client: store.client, dims: t.dims, config: defaultServerConfig(config), logger };
    const again = new AlertNotifier(restarted);
    again.notify([a]);
    await again.stop();
    expect(rx.at('/hook')).toHaveLength(1);
  });

  it('finishes a delivery a stopped server left pending, under the same webhook-id, once', async () => {
    rx.got.length = 0;
    const a = alert({ kind: 'disclosure_missing', partner_id: 'pb1', message: '@pb1 posted without #ad' });
    await insertAlerts(store.client, [a]);
    const row = { channel_id: 'hook', alert_id: a.id, campaign_id: 'c1', message_id: 'msg_left_pending', kind: a.kind };
    const cut = { status: 'pending' as const, attempts: 1, http_status: 503, error: '', at: NOW };
    await writeDeliveries(store.client, [{ ...row, ...cut }]);
    t.server.notifier.resume();
    await t.server.notifier.drain();
    t.server.notifier.resume();
    await t.server.notifier.drain();
    const got = rx.at('/hook');
    expect(got.map((m) => m.headers['webhook-id'])).toEqual(['msg_left_pending']);
    expect(JSON.parse(got[0].body).data.alerts[0]).toMatchObject({ id: a.id, message: a.message });
    expect(await logOf('hook', a.id)).toMatchObject({ status: 'sent', message_id: 'msg_left_pending' });
  });

  it('sends a storm as one message, then one summary; other kinds and channels are not routed', async () => {
    rx.got.length = 0;
    const storm = Array.from({ length: 30 }, (_, i) => alert({ partner_id: `pa${(i % 4) + 1}` }));
    t.server.notifier.notify([...storm, alert({ kind: 'click_spike' }), alert({ campaign_id: 'c2' })]);
    await t.server.notifier.drain();
    // The window already sent an engagement spike (the first test): the whole storm waits for the summary.
    expect(rx.at('/hook')).toHaveLength(0);
    await t.server.notifier.drain(true);
    const [summary] = rx.at('/hook');
    expect(rx.at('/hook')).toHaveLength(1);
    const body = JSON.parse(summary.body);
    expect(body.type).toBe('alert.summary');
    expect(body.data.alerts.map((x: Alert) => x.id)).toEqual(storm.map((x) => x.id));
    const log = await deliveryLog(store.client, 'hook', 1000);
    const ofStorm = log.filter((r) => storm.some((s) => s.id === r.alert_id));
    expect(ofStorm).toHaveLength(30);
    const outcomes = new Set(ofStorm.map((r) => `${r.status}|${r.message_id}`));
    expect(outcomes).toEqual(new Set([`sent|${summary.headers['webhook-id']}`]));
  });
});

describe('rate limit and the live loop', () => {
  it('sends at most ALERT_NOTIFY_MAX_PER_WINDOW messages a window per channel, the rest in the summary', async () => {
    await putChannel('limited', { campaign_id: 'c2', type: 'webhook', url: `${rx.url}/limited` });
    const seven = ALERT_KINDS.map((kind) => alert({ campaign_id: 'c2', partner_id: '', kind }));
    t.server.notifier.notify(seven);
    await t.server.notifier.drain();
    expect(rx.at('/limited').map((m) => JSON.parse(m.body).data.alerts[0].kind)).toEqual(ALERT_KINDS.slice(0, 5));
    await t.server.notifier.drain(true);
    const summary = JSON.parse(rx.at('/limited')[5].body);
    expect(summary.data.alerts.map((a: Alert) => a.kind)).toEqual(ALERT_KINDS.slice(5));
  });

  it('delivers what the live loop raises (a post without a disclosure), with the post in the why', async () => {
    const url = `${rx.url}/from-loop`;
    await putChannel('from-loop', { campaign_id: 'c1', type: 'webhook', url, kinds: ['disclosure_missing'] });
    const post = { content_id: 'reel-9', url: 'https://instagram.com/p/reel-9', disclosure: 'missing' as const };
    const where = { campaign_id: 'c1', platform: 'instagram', partner_id: 'pa4', ts: NOW - 500 };
    await insertBatch(store.client, [{ type: 'post', ...where, ...post }]);
    await t.server.tickOnce();
    await t.server.notifier.drain();
    const [msg] = rx.at('/from-loop');
    const alerts = JSON.parse(msg.body).data.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'disclosure_missing', partner_id: 'pa4' });
    expect(alerts[0].message).toContain('https://instagram.com/p/reel-9');
  });
});

describe('slack', () => {
  it('posts Block Kit with what happened, why, and the war room link; the first of a kind at once', async () => {
    const url = `${rx.url}/slack/T000/B000/XXXX`;
    await putChannel('slack', { campaign_id: 'c1', name: '#launch-room', type: 'slack', url });
    rx.got.length = 0;
    const message = 'Net sentiment for <@pa1> fell from +62 to −18 in the last 15 min (140 comments).';
    const a = alert({ kind: 'sentiment_swing', severity: 'critical', message });
    const storm = Array.from({ length: 5 }, () => alert({ kind: 'sentiment_swing' }));
    t.server.notifier.notify([a, ...storm]);
    await t.server.notifier.drain(true);
    const msgs = rx.at('/slack/T000/B000/XXXX').map((m) => JSON.parse(m.body));
    expect(msgs).toHaveLength(2);
    const text = JSON.stringify(msgs[0].blocks);
    expect(msgs[0].text).toContain('Sentiment swing in Launch');
    expect(text).toContain('fell from +62 to −18');
    expect(text).toContain('&lt;@pa1&gt;');
    const button = { type: 'button', url: 'https://pulse.example/campaigns/c1' };
    expect(msgs[0].blocks.at(-1)).toMatchObject({ type: 'actions', elements: [button] });
    expect(msgs[1].text).toContain('5 more alerts in Launch: 5 Sentiment swing');
  });

  it('sends a test from the admin API, and says when the receiver refused it', async () => {
    rx.got.length = 0;
    expect((await call('POST', '/api/admin/alert-channels/slack/test')).body).toEqual({ ok: true, status: 200 });
    expect(JSON.parse(rx.got[0].body).text).toContain('Test message from Pulseroom for Launch');
    rx.script.set('/slack/T000/B000/XXXX', [404]);
    const refused = await call('POST', '/api/admin/alert-channels/slack/test');
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ code: 'TEST_DELIVERY_FAILED' });
    expect(refused.body.error.message).toContain('HTTP 404');
    const log = (await call('GET', '/api/admin/alert-channels/slack/deliveries')).body.items;
    const tests = log.filter((r: { kind: string }) => r.kind === 'test');
    expect(tests.map((r: { status: string }) => r.status).sort()).toEqual(['failed', 'sent']);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});
