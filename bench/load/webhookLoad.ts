// Load process of the webhook benchmark: new paid orders from N workers (keep-alive connections) for a warm-up and a measured
// period, either as Shopify orders/create webhooks (HMAC-signed, one order a request) or as the same orders posted to
// /v1/events as conversions (one a request); prints answers/s by status and latency percentiles.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ownPeakRssMb, sendResult } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    mode: { type: 'string' },
    source: { type: 'string' },
    secret: { type: 'string' },
    key: { type: 'string' },
    campaign: { type: 'string' },
    promo: { type: 'string' },
    currency: { type: 'string', default: 'EUR' },
    /** The first order number: each run orders its own (a repeat of another run's order would be a duplicate). */
    offset: { type: 'string', default: '0' },
    connections: { type: 'string', default: '16' },
    'warmup-ms': { type: 'string', default: '2000' },
    'duration-ms': { type: 'string', default: '10000' },
  },
});
const mode = values.mode as 'shopify' | 'events';
const connections = Number(values.connections);
const fixture = JSON.parse(
  readFileSync(join(ROOT, 'ingest/src/providers/fixtures/shopify-orders-create.json'), 'utf8'),
) as Record<string, unknown>;
const run = Date.now().toString(36);

/** Order i: the documented payload with its own id, the bench's promo code and currency. */
function order(i: number): { id: number; amount: string; body: string } {
  const id = 5_000_000_000 + Number(values.offset) + i;
  const amount = (20 + (i % 180)).toFixed(2);
  const money = { shop_money: { amount, currency_code: values.currency } };
  const body = JSON.stringify({
    ...fixture,
    id,
    currency: values.currency,
    total_price: amount,
    total_price_set: money,
    discount_codes: [{ code: values.promo, amount: '0.00', type: 'fixed_amount' }],
    landing_site: '/spring',
    processed_at: new Date().toISOString(),
    created_at: new Date().toISOString(),
  });
  return { id, amount, body };
}

/** Request i, built (and signed) before the run: the load's own CPU must not differ between the two modes. */
function build(i: number): { url: string; body: string; headers: Record<string, string> } {
  const o = order(i);
  if (mode === 'shopify') {
    const hmac = createHmac('sha256', values.secret!).update(o.body).digest('base64');
    return {
      url: `${values.base}/v1/webhooks/shopify/${values.source}`,
      body: o.body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': hmac,
        'x-shopify-webhook-id': `bench-${run}-${i}`,
      },
    };
  }
  // the same order as a source would post it: one conversion, the promo code attributing it
  const body = JSON.stringify({
    events: [
      {
        type: 'conversion',
        event_id: `bench-${run}-${i}`,
        ts: Date.now(),
        campaign_id: values.campaign,
        order_id: String(o.id),
        amount: Number(o.amount),
        currency: values.currency,
        promo_code: values.promo,
        items: 1,
      },
    ],
  });
  return {
    url: `${values.base}/v1/events`,
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${values.key}` },
  };
}
const PREBUILT = 40_000;
const requests = Array.from({ length: PREBUILT }, (_, i) => build(i));
function send(i: number) {
  const r = requests[i] ?? build(i);
  return fetch(r.url, { method: 'POST', body: r.body, headers: r.headers });
}

const t0 = performance.now();
const from = t0 + Number(values['warmup-ms']);
const to = from + Number(values['duration-ms']);
const statuses: Record<string, number> = {};
const latencies: number[] = [];
let next = 0;
let accepted = 0;
async function worker(): Promise<void> {
  while (performance.now() < to) {
    const i = next++;
    const s = performance.now();
    const res = await send(i);
    const text = await res.text();
    const e = performance.now();
    if (s >= from && e <= to) {
      latencies.push(e - s);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) accepted += (JSON.parse(text) as { accepted?: number }).accepted ?? 0;
    }
  }
}
// one request at a time per worker: node's fetch keeps a connection alive for each
await Promise.all(Array.from({ length: connections }, worker));
const seconds = Number(values['duration-ms']) / 1000;
const l = summarize(latencies);
sendResult({
  per_s: Math.round(latencies.length / seconds),
  accepted_per_s: Math.round(accepted / seconds),
  statuses,
  latency_ms: { p50: l.p50, p95: l.p95, p99: l.p99, max: l.max },
  peak_rss_mb: ownPeakRssMb(),
});
