import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import {
  CAMPAIGN,
  postJson,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
} from './testing.js';
import type { IngestConfig } from './config.js';

const KEY = 'prk_conversions_test_key_cccccccccccc';
let store: Store;
let run: RunningIngest;
let config: IngestConfig;
// Real time plus an offset the tests move forward (the flusher still sees time pass).
let offset = 0;
const clock = () => Date.now() + offset;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'network', KEY);
  config = testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' });
  run = await runIngest(store, config, clock);
});
afterAll(async () => {
  await run?.close();
  await store?.close();
});

async function click(
  code: string,
  ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0',
): Promise<{ status: number; location: string; clickId: string }> {
  const res = await fetch(`${run.url}/r/${code}`, {
    redirect: 'manual',
    headers: { 'user-agent': ua, referer: 'https://instagram.com/' },
  });
  const location = res.headers.get('location') ?? '';
  return {
    status: res.status,
    location,
    clickId: location ? (new URL(location).searchParams.get('click_id') ?? '') : '',
  };
}

async function postback(
  params: Record<string, string>,
  method: 'GET' | 'POST' = 'GET',
): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams({ key: KEY, ...params });
  const res =
    method === 'GET'
      ? await fetch(`${run.url}/v1/postback?${qs}`)
      : await fetch(`${run.url}/v1/postback`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: qs.toString(),
        });
  return { status: res.status, body: await res.json() };
}

async function row(where: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const until = Date.now() + 8000;
  for (;;) {
    const [r] = await query<Record<string, any>>(
      store,
      `SELECT event_id, type, partner_id, link_code, click_id, attributed, converted, suspicious, status, amount_minor, currency, orig_amount_minor, orig_currency, commission_minor, promo_code, sub FROM events WHERE ${where} ORDER BY received_at DESC LIMIT 1`,
      params,
    );
    if (r || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

const totals = () =>
  query<{ revenue: number; commission: number; conversions: number; refunds: number }>(
    store,
    "SELECT sum(revenue_minor) AS revenue, sum(commission_minor) AS commission, sum(conversions) AS conversions, sum(refunds_n) AS refunds FROM agg_10s WHERE campaign_id = {c:String} AND partner_id = 'ana'",
    { c: CAMPAIGN },
  ).then((r) => r[0]);

describe('tracking link → postback → refund', () => {
  it('redirects only to the stored destination with click_id and UTM fields, and 404s unknown codes', async () => {
    const c = await click('ana-spring');
    expect(c.status).toBe(302);
    const url = new URL(c.location);
    expect(`${url.origin}${url.pathname}`).toBe('https://shop.example.com/spring');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ref: 'ana',
      utm_source: 'instagram',
      utm_medium: 'affiliate',
      utm_campaign: 'spring',
      click_id: c.clickId,
    });
    expect(c.clickId).toMatch(/^ck_[A-Za-z0-9_-]{16}$/);
    expect((await click('no-such-link')).status).toBe(404);
    expect(
      (await fetch(`${run.url}/r/ana-spring?url=https://evil.example`, { redirect: 'manual' })).headers.get('location'),
    ).toMatch(/^https:\/\/shop\.example\.com\/spring\?/);
    const stored = await row('event_id = {id:String}', { id: c.clickId });
    expect(stored).toMatchObject({ type: 'click', partner_id: 'ana', link_code: 'ana-spring', click_id: c.clickId });
  });

  it('puts a sale through a link on the platform the link was posted on', async () => {
    // ben posts on TikTok and YouTube: only his link says where this sale came from.
    const c = await click('ben-spring');
    offset += 60_000;
    expect(
      (await postback({ click_id: c.clickId, order_id: 'o-platform', amount: '20', currency: 'EUR' })).body,
    ).toMatchObject({ accepted: 1 });
    expect(await row("order_id = 'o-platform'")).toMatchObject({ partner_id: 'ben', link_code: 'ben-spring' });
    expect(await query(store, "SELECT platform FROM events WHERE order_id = 'o-platform'")).toEqual([
      { platform: 'tiktok' },
    ]);
  });

  it('attributes a postback to the link partner with tiered commission; a refund reverses it proportionally', async () => {
    const c = await click('ana-spring');
    offset += 60_000;
    const first = await postback({
      click_id: c.clickId,
      order_id: 'o-1',
      amount: '100.00',
      currency: 'EUR',
      status: 'approved',
      sub1: 'cmp-7',
      sub3: 'x',
    });
    expect(first).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } });
    expect(await row("order_id = 'o-1'")).toMatchObject({
      partner_id: 'ana',
      attributed: 1,
      converted: 1,
      suspicious: 0,
      link_code: 'ana-spring',
      amount_minor: 10000,
      currency: 'EUR',
      commission_minor: 1000,
      sub: ['cmp-7', '', 'x'],
    });

    // 1,500 more: 900 at 10 %, then 600 past the 1,000 threshold at 20 % = 210.00.
    const second = await postback(
      { transaction_id: c.clickId, order_id: 'o-2', amount: '1500', currency: 'EUR' },
      'POST',
    );
    expect(second.body.accepted).toBe(1);
    expect(await row("order_id = 'o-2'")).toMatchObject({
      partner_id: 'ana',
      amount_minor: 150000,
      commission_minor: 21000,
      status: 'approved',
    });

    expect(
      (await postback({ click_id: c.clickId, order_id: 'o-2', amount: '1500', currency: 'EUR', event_id: 'other-id' }))
        .body,
    ).toMatchObject({ accepted: 0, duplicates: 1 });

    const refund = await postback({ campaign_id: CAMPAIGN, order_id: 'o-2', amount: '750', status: 'refunded' });
    expect(refund.body.accepted).toBe(1);
    expect(await row("order_id = 'o-2' AND type = 'refund'")).toMatchObject({
      partner_id: 'ana',
      status: 'approved',
      attributed: 1,
      amount_minor: -75000,
      commission_minor: -10500,
      orig_amount_minor: -75000,
      orig_currency: 'EUR',
    });
    const full = await postback({ campaign_id: CAMPAIGN, order_id: 'o-1', status: 'refunded' });
    expect(full.body.accepted).toBe(1);
    expect(await row("order_id = 'o-1' AND type = 'refund'")).toMatchObject({
      amount_minor: -10000,
      commission_minor: -1000,
    });

    const t = await waitTotals((x) => x.refunds >= 2);
    expect(t).toEqual({
      revenue: 10000 + 150000 - 75000 - 10000,
      commission: 1000 + 21000 - 10500 - 1000,
      conversions: 2,
      refunds: 2,
    });
  });

  it('attributes by promo code and converts the currency; flags fast conversions; keeps the unattributable', async () => {
    const promo = await postJson(
      `${run.url}/v1/conversions`,
      { order_id: 'o-promo', amount: 40, currency: 'USD', promo_code: 'ben5', campaign_id: CAMPAIGN, customer: 'new' },
      KEY,
    );
    expect(promo.body).toMatchObject({ accepted: 1 });
    // 40 USD → 37.04 EUR at 1.08; commission 5 % (1.85) + 2.00 flat.
    expect(await row("order_id = 'o-promo'")).toMatchObject({
      partner_id: 'ben',
      attributed: 1,
      amount_minor: 3704,
      currency: 'EUR',
      orig_amount_minor: 4000,
      orig_currency: 'USD',
      commission_minor: 385,
      promo_code: 'BEN5',
    });

    await postJson(
      `${run.url}/v1/conversions`,
      { order_id: 'o-nocur', amount: 10, campaign_id: CAMPAIGN, promo_code: 'BEN5' },
      KEY,
    );
    expect(await row("order_id = 'o-nocur'")).toMatchObject({
      orig_currency: 'EUR',
      amount_minor: 1000,
      partner_id: 'ben',
    });

    const c = await click('ben-spring');
    offset += 5_000;
    await postJson(
      `${run.url}/v1/conversions`,
      { conversions: [{ click_id: c.clickId, order_id: 'o-fast', amount: 10, currency: 'EUR' }] },
      KEY,
    );
    expect(await row("order_id = 'o-fast'")).toMatchObject({ partner_id: 'ben', suspicious: 1 });

    const late = await click('ana-spring');
    offset += 8 * 86_400_000; // past ana's 7-day window
    await postback({ click_id: late.clickId, order_id: 'o-late', amount: '20', currency: 'EUR' });
    expect(await row("order_id = 'o-late'")).toMatchObject({
      partner_id: '',
      attributed: 0,
      converted: 1,
      amount_minor: 2000,
      commission_minor: 0,
    });

    const isk = await postJson(
      `${run.url}/v1/conversions`,
      { order_id: 'o-isk', amount: 5000, currency: 'ISK', campaign_id: CAMPAIGN, promo_code: 'ANA10' },
      KEY,
    );
    expect(isk.body.accepted).toBe(1);
    expect(await row("order_id = 'o-isk'")).toMatchObject({
      partner_id: 'ana',
      converted: 0,
      amount_minor: 0,
      orig_amount_minor: 5000,
      orig_currency: 'ISK',
      commission_minor: 0,
    });
  });

  it('names the bad field of a postback', async () => {
    const r = await postback({ campaign_id: CAMPAIGN, order_id: 'o-bad', amount: 'ten', currency: 'EUR' });
    expect(r.status).toBe(400);
    expect(r.body.rejected[0]).toMatchObject({ path: 'amount' });
    const s = await postback({
      campaign_id: CAMPAIGN,
      order_id: 'o-bad',
      amount: '10',
      currency: 'EUR',
      status: 'maybe',
    });
    const unknownClick = await postback({ click_id: 'ck_never', order_id: 'o-bad', amount: '10' });
    expect(unknownClick.body.rejected).toEqual([
      {
        index: 0,
        path: 'campaign_id',
        message: 'unknown click_id "ck_never", so the campaign is unknown: send campaign_id',
      },
      { index: 0, path: 'currency', message: 'required' },
    ]);
    expect(s.body.rejected[0]).toMatchObject({ path: 'status' });
    const j = await postJson(
      `${run.url}/v1/conversions`,
      { conversions: [{ order_id: 'o-j', amount: 1, currency: 'EURO', campaign_id: CAMPAIGN }, { amount: 1 }] },
      KEY,
    );
    expect(j.status).toBe(400);
    expect(j.body.rejected.map((x: { path: string }) => x.path)).toEqual(
      expect.arrayContaining(['conversions[0].currency', 'conversions[1].order_id']),
    );
    expect((await fetch(`${run.url}/v1/postback?order_id=x`)).status).toBe(401);
  });

  it('after a restart, order de-duplication, refunds and commission tiers continue from ClickHouse', async () => {
    const before = await click('ben-spring');
    await run.close();
    run = await runIngest(store, config, clock);
    offset += 120_000;
    expect(
      (await postback({ click_id: before.clickId, order_id: 'o-after', amount: '10', currency: 'EUR' })).body,
    ).toMatchObject({ accepted: 1 });
    expect(await row("order_id = 'o-after'")).toMatchObject({
      partner_id: 'ben',
      attributed: 1,
      link_code: 'ben-spring',
      suspicious: 0,
    });
    expect(
      (
        await postback({
          campaign_id: CAMPAIGN,
          order_id: 'o-1',
          amount: '100',
          currency: 'EUR',
          partner_id: 'ana',
          event_id: 'again-o1',
        })
      ).body,
    ).toMatchObject({ accepted: 0, duplicates: 1 });
    // ana's net revenue is 750.00 (+ the unconverted ISK order, which does not count): 250 at 10 % + 250 at 20 %.
    expect(
      (await postback({ campaign_id: CAMPAIGN, partner_id: 'ana', order_id: 'o-3', amount: '500', currency: 'EUR' }))
        .body,
    ).toMatchObject({ accepted: 1 });
    expect(await row("order_id = 'o-3'")).toMatchObject({ partner_id: 'ana', commission_minor: 7500 });
    await postback({ campaign_id: CAMPAIGN, order_id: 'o-2', amount: '150', status: 'refunded' });
    // o-2 had 750 of 1,500 refunded: 150 more reverses 21000 × (900/1500) − 10500 = 2100.
    expect(await row("order_id = 'o-2' AND type = 'refund' AND amount_minor = -15000")).toMatchObject({
      commission_minor: -2100,
    });
  });
});

async function waitTotals(done: (t: Awaited<ReturnType<typeof totals>>) => boolean) {
  const until = Date.now() + 8000;
  for (;;) {
    const t = await totals();
    if (done(t) || Date.now() > until) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}
