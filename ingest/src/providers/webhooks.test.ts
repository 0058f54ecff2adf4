import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import { parseJsonBytes, sealSecret, setSourceWebhook, type Store } from '@pulseroom/schema/server';
import {
  CAMPAIGN,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
} from '../testing.js';

const SHOP_SECRET = 'shpss_test_webhook_secret_0123456789';
const STRIPE_SECRET = 'whsec_test_endpoint_secret_0123456789';
const SEGMENT_KEY = 'prk_segment_write_key_ssssssssssssssss';
let store: Store;
let run: RunningIngest;
let secretsKey = '';
// Real time plus an offset a test moves forward (cached sources grow old).
let offset = 0;
const clock = () => Date.now() + offset;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  const config = testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' });
  // A shop's source for every campaign (the campaign comes from the click or the promo code), a Stripe one for one.
  await seedSource(store, 'shop', 'prk_shop_key_unused_by_webhooks_xxxxxxxx');
  await setSourceWebhook(store.client, 'shop', 'shopify', sealSecret(config.secretsKey, SHOP_SECRET));
  await seedSource(store, 'pay', 'prk_pay_key_unused_by_webhooks_xxxxxxxxx', [CAMPAIGN]);
  await setSourceWebhook(store.client, 'pay', 'stripe', sealSecret(config.secretsKey, STRIPE_SECRET));
  await seedSource(store, 'segment', SEGMENT_KEY);
  await seedSource(store, 'boutique', 'prk_boutique_key_unused_xxxxxxxxxxxxxxxx', [CAMPAIGN]);
  await setSourceWebhook(store.client, 'boutique', 'shopify', sealSecret(config.secretsKey, 'shpss_boutique_first'));
  secretsKey = config.secretsKey;
  run = await runIngest(store, config, clock);
});
afterAll(async () => {
  await run?.close();
  await store?.close();
});

const fixture = (name: string, clickId = 'none'): string =>
  readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8').replaceAll('__CLICK_ID__', clickId);

/** A fixture as the provider would send it now: its times moved to a minute ago (ingest refuses times far ahead). */
function recent(raw: string, patch: (o: Record<string, any>) => void = () => {}): string {
  const o = parseJsonBytes(Buffer.from(raw), { bigIntegersAsText: true }) as Record<string, any>;
  const at = new Date(Date.now() - 60_000).toISOString();
  for (const k of ['created_at', 'processed_at', 'timestamp']) if (k in o) o[k] = at;
  if (typeof o.created === 'number') o.created = Math.floor(Date.now() / 1000) - 60;
  patch(o);
  // Shopify's 64-bit ids go back as numbers, as Shopify sends them.
  return JSON.stringify(o).replace(/"(\d{16,})"/g, '$1');
}

interface Answer {
  status: number;
  body: any;
}
async function post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(run.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const shopify = (topic: string, body: string, webhookId: string, secret = SHOP_SECRET, source = 'shop') =>
  post(`/v1/webhooks/shopify/${source}`, body, {
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': webhookId,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  });

const stripe = (body: string, t = Math.floor(Date.now() / 1000), secret = STRIPE_SECRET) =>
  post('/v1/webhooks/stripe/pay', body, {
    'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`,
  });

const segment = (path: string, body: string, key = SEGMENT_KEY) =>
  post(path, body, { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

async function clickOn(code: string): Promise<string> {
  const res = await fetch(`${run.url}/r/${code}`, {
    redirect: 'manual',
    headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0' },
  });
  return new URL(res.headers.get('location')!).searchParams.get('click_id')!;
}

async function rows(where: string, n: number): Promise<Record<string, any>[]> {
  const until = Date.now() + 8000;
  for (;;) {
    const r = await query<Record<string, any>>(
      store,
      `SELECT event_id, type, source_id, campaign_id, partner_id, link_code, attributed, status, amount_minor, currency,
        orig_amount_minor, orig_currency, promo_code, sub, from_status, status_reason FROM events WHERE ${where} ORDER BY event_id`,
    );
    if (r.length >= n || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('Shopify webhooks', () => {
  it('attribute an order to the click in its landing URL, in shop money, once however often delivered', async () => {
    const clickId = await clickOn('ana-spring');
    const body = recent(fixture('shopify-orders-create', clickId), (o) => (o.discount_codes = []));
    expect(await shopify('orders/create', body, 'wh-create-1')).toMatchObject({
      status: 200,
      body: { accepted: 1, duplicates: 0 },
    });
    expect(await shopify('orders/create', body, 'wh-create-1')).toMatchObject({
      status: 200,
      body: { accepted: 0, duplicates: 1 },
    });
    const [row] = await rows("order_id = '820982911946154508' AND type = 'conversion'", 1);
    expect(row).toMatchObject({
      source_id: 'shop',
      campaign_id: CAMPAIGN,
      partner_id: 'ana',
      link_code: 'ana-spring',
      attributed: 1,
      status: 'approved',
      orig_amount_minor: 9000,
      orig_currency: 'USD',
      currency: 'EUR',
    });
  });

  it('refunds: each refund id once, two equal partial refunds are two', async () => {
    const refund = (id: string) => recent(fixture('shopify-refunds-create'), (o) => (o.id = id));
    expect((await shopify('refunds/create', refund('900000000000000001'), 'wh-r1')).body).toMatchObject({
      accepted: 1,
    });
    expect((await shopify('refunds/create', refund('900000000000000002'), 'wh-r2')).body).toMatchObject({
      accepted: 1,
    });
    expect((await shopify('refunds/create', refund('900000000000000002'), 'wh-r2-again')).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    const refunds = await rows("order_id = '820982911946154508' AND type = 'refund'", 2);
    expect(refunds.map((r) => [r.event_id, r.orig_amount_minor, r.orig_currency, r.partner_id])).toEqual([
      ['shopify-820982911946154508-refund-900000000000000001', -2000, 'USD', 'ana'],
      ['shopify-820982911946154508-refund-900000000000000002', -2000, 'USD', 'ana'],
    ]);
  });

  it('attribute by the discount code, which also names the campaign', async () => {
    const body = recent(fixture('shopify-orders-create'), (o) => {
      o.id = 5_940_139_491_234;
      o.landing_site = '/spring';
      o.discount_codes = [{ code: 'BEN5', amount: '5.00', type: 'fixed_amount' }];
    });
    expect((await shopify('orders/create', body, 'wh-promo')).body).toMatchObject({ accepted: 1 });
    const [row] = await rows("order_id = '5940139491234'", 1);
    expect(row).toMatchObject({ campaign_id: CAMPAIGN, partner_id: 'ben', promo_code: 'BEN5', attributed: 1 });
  });

  it('refuse a wrong or missing signature, and a source set up for another provider, storing nothing', async () => {
    const body = recent(fixture('shopify-orders-create'), (o) => (o.id = 4_242_424_242));
    const forged = await shopify('orders/create', body, 'wh-forged', 'not-the-secret');
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toContain('X-Shopify-Hmac-Sha256');
    expect((await post('/v1/webhooks/shopify/shop', body, { 'x-shopify-topic': 'orders/create' })).status).toBe(401);
    expect((await shopify('orders/create', body, 'wh-other', SHOP_SECRET, 'pay')).status).toBe(401);
    expect((await shopify('orders/create', body, 'wh-none', SHOP_SECRET, 'no-such-source')).status).toBe(401);
    // the signature covers the exact bytes: one more space is another body
    const sig = createHmac('sha256', SHOP_SECRET).update(body).digest('base64');
    expect(
      (
        await post('/v1/webhooks/shopify/shop', `${body} `, {
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': sig,
        })
      ).status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await query(store, "SELECT event_id FROM events WHERE order_id = '4242424242'")).toEqual([]);
  });

  it('answer a topic they do not read with 200, counted; malformed JSON or fields with a 400 naming them', async () => {
    const ignored = await shopify('products/update', '{"id":1}', 'wh-product');
    expect(ignored).toMatchObject({ status: 200, body: { accepted: 0, ignored: 'products/update' } });
    const metrics = await run.ingest.registry.getSingleMetricAsString('pulseroom_ingest_webhooks_ignored_total');
    expect(metrics).toContain('pulseroom_ingest_webhooks_ignored_total{provider="shopify",topic="products/update"} 1');
    const broken = await shopify('orders/create', '{"id": 1,', 'wh-broken');
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'MALFORMED_JSON' } } });
    const typed = await shopify(
      'orders/create',
      recent(fixture('shopify-orders-create'), (o) => (o.total_price_set.shop_money.amount = 'ninety')),
      'wh-typed',
    );
    expect(typed.status).toBe(400);
    expect(typed.body.error.message).toContain('total_price_set.shop_money.amount: expected a decimal amount');
    const xml = await post('/v1/webhooks/shopify/shop', '<order/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
  });
  it('take a secret pasted anew within seconds, and then refuse the old one', async () => {
    const body = recent(fixture('shopify-orders-create'), (o) => (o.id = 7_000_000_001));
    const send = (id: string, secret: string) => shopify('orders/create', body, id, secret, 'boutique');
    expect((await send('wh-rot-1', 'shpss_boutique_first')).status).toBe(200);
    await setSourceWebhook(store.client, 'boutique', 'shopify', sealSecret(secretsKey, 'shpss_boutique_second'));
    offset += 6_000; // the cached secret is now a few seconds old
    expect((await send('wh-rot-2', 'shpss_boutique_second')).body).toMatchObject({ duplicates: 1 });
    expect((await send('wh-rot-3', 'shpss_boutique_first')).status).toBe(401);
  });

  it('store an order whose discount code or click id is none of ours, without them', async () => {
    const body = recent(fixture('shopify-orders-create'), (o) => {
      o.id = 7_000_000_002;
      o.landing_site = '/spring?click_id=' + encodeURIComponent('not a click id!');
      o.discount_codes = [{ code: 'SUMMER SALE', amount: '5.00', type: 'fixed_amount' }];
    });
    expect(
      (await shopify('orders/create', body, 'wh-foreign', 'shpss_boutique_second', 'boutique')).body,
    ).toMatchObject({
      accepted: 1,
    });
    const [row] = await rows("order_id = '7000000002'", 1);
    expect(row).toMatchObject({ campaign_id: CAMPAIGN, attributed: 0, promo_code: '' });
  });
});

describe('Stripe webhooks', () => {
  it('a paid checkout is a conversion clicked via client_reference_id; its refund lowers it and its dispute reverses the rest', async () => {
    const clickId = await clickOn('ben-spring');
    expect((await stripe(recent(fixture('stripe-checkout-session-completed', clickId)))).body).toMatchObject({
      accepted: 1,
    });
    expect((await stripe(recent(fixture('stripe-charge-refunded')))).body).toMatchObject({ accepted: 1 });
    expect((await stripe(recent(fixture('stripe-charge-dispute-created')))).body).toMatchObject({ accepted: 1 });
    const got = await rows("order_id = 'pi_3MtwBwLkdIwHu7ix28a3tqPa'", 3);
    // the chargeback reverses what the refund left: 45.00 − 10.00, moved out of approved
    expect(got.map((r) => [r.type, r.partner_id, r.amount_minor])).toEqual([
      ['status', 'ben', 3500],
      ['conversion', 'ben', 4500],
      ['refund', 'ben', -1000],
    ]);
    expect(got[0]).toMatchObject({
      status: 'reversed',
      from_status: 'approved',
      status_reason: 'chargeback (general)',
    });
  });

  it('a signature older than five minutes is a 400; a wrong one a 401; neither is stored', async () => {
    const body = recent(
      fixture('stripe-checkout-session-completed'),
      (o) => (o.data.object.payment_intent = 'pi_stale'),
    );
    const stale = await stripe(body, Math.floor(Date.now() / 1000) - 301);
    expect(stale).toMatchObject({ status: 400, body: { error: { code: 'STALE_SIGNATURE' } } });
    expect((await stripe(body, undefined, 'whsec_wrong')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await query(store, "SELECT event_id FROM events WHERE order_id = 'pi_stale'")).toEqual([]);
  });
});

describe("Segment's tracking API", () => {
  it('takes Order Completed by track and batch with the write key, UTM into sub, and leaves other calls', async () => {
    expect((await segment('/v1/track', recent(fixture('segment-order-completed')))).body).toMatchObject({
      accepted: 1,
    });
    const refund = JSON.parse(recent(fixture('segment-order-refunded')));
    const batch = JSON.stringify({ batch: [{ type: 'page', name: 'Home', messageId: 'm-page' }, refund] });
    expect((await segment('/v1/batch', batch)).body).toMatchObject({ accepted: 1, duplicates: 0 });
    const got = await rows("order_id = '50314b8e9bcf000000000000'", 2);
    expect(got.map((r) => [r.type, r.partner_id, r.amount_minor])).toEqual([
      ['conversion', 'ben', 2750],
      ['refund', 'ben', -500],
    ]);
    expect(got[0].sub).toEqual(['tiktok', 'affiliate', 'spring', 'video-1', 'board games']);
    expect(
      (await segment('/v1/track', JSON.stringify({ type: 'track', event: 'Product Viewed', messageId: 'm-2' }))).body,
    ).toMatchObject({ accepted: 0 });
    expect((await segment('/v1/track', recent(fixture('segment-order-completed')), 'prk_wrong')).status).toBe(401);
    const bad = await segment(
      '/v1/batch',
      JSON.stringify({ batch: [{ ...refund, messageId: 'm-bad', properties: { order_id: 'x', total: 'lots' } }] }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('batch[0].properties.total: expected a decimal amount');
  });
});
