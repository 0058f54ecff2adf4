// Shop-webhook benchmark: new paid orders as signed Shopify orders/create webhooks per second and their ack p99,
// against the same orders posted to /v1/events as conversions, one a request, in the same run and the same product.
import { startProduct } from './lib/product.js';
import { spawnTs } from './lib/proc.js';
import { ratio } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

interface LoadResult {
  per_s: number;
  accepted_per_s: number;
  statuses: Record<string, number>;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  peak_rss_mb: number;
}
const ARGS = ['--connections', '16', '--warmup-ms', '2000', '--duration-ms', '10000'];
const SECRET = 'shpss_bench_secret_0123456789abcdef';

async function admin<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  // No rate limits: the bench measures the routes, not the limiter (a key at 2,000 requests/s is over the default).
  const product = await startProduct('webhooks', {
    env: { INGEST_RATE_LIMIT_PER_MIN: '0', INGEST_RATE_LIMIT_PER_IP_PER_MIN: '0' },
  });
  const results: Record<string, LoadResult> = {};
  let productRss: number | null;
  try {
    const { demo, base } = product;
    const deal = demo.launch.deals.find((d) => d.promo_codes?.length)! as {
      campaign_id: string;
      promo_codes: string[];
    };
    const campaign = demo.launch.campaigns.find((c) => c.id === deal.campaign_id)!;
    const source = await admin<{ id: string; key: string }>(base, demo.admin_token, 'POST', '/api/admin/sources', {
      name: 'Bench shop',
      campaign_ids: [deal.campaign_id],
    });
    await admin(base, demo.admin_token, 'PUT', `/api/admin/sources/${source.id}/webhook`, {
      provider: 'shopify',
      secret: SECRET,
    });
    // events first, then webhooks, then events again: the mean of the two event runs is the baseline (a store that
    // grows or merges during the run weighs on both sides alike)
    for (const [run, [label, mode]] of (
      [
        ['events-1', 'events'],
        ['shopify', 'shopify'],
        ['events-2', 'events'],
      ] as const
    ).entries()) {
      ctx.log(`${label}: 16 connections, 2 s warm-up + 10 s`);
      const c = spawnTs('webhook-load', 'bench/load/webhookLoad.ts', {
        args: [
          '--base',
          base,
          '--mode',
          mode,
          '--source',
          source.id,
          '--secret',
          SECRET,
          '--key',
          source.key,
          '--campaign',
          deal.campaign_id,
          '--promo',
          deal.promo_codes[0],
          '--currency',
          campaign.currency,
          '--offset',
          String(run * 10_000_000),
          ...ARGS,
        ],
      });
      results[label] = await c.result<LoadResult>(90_000);
      await c.stop();
    }
  } finally {
    productRss = (await product.stop()).peakRssMb;
  }
  const hook = results.shopify;
  const eventsPerS = Math.round((results['events-1'].accepted_per_s + results['events-2'].accepted_per_s) / 2);
  const eventsP99 = Math.max(results['events-1'].latency_ms.p99 ?? 0, results['events-2'].latency_ms.p99 ?? 0);
  const r = ratio(hook.accepted_per_s, eventsPerS);
  return {
    name: 'webhooks',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric:
          'Shopify orders/create webhooks: orders accepted/s (HMAC checked, mapped, one order a request), 16 connections',
        value: hook.accepted_per_s,
        unit: 'orders/s',
        baseline: {
          label: 'the same orders to /v1/events, one a request (mean of a run before and after)',
          value: eventsPerS,
        },
        ratio: r,
        target: '≥ 0.7× of the events route',
        met: r === null ? null : r >= 0.7,
      },
      {
        metric: 'Shopify webhook ack latency p99',
        value: hook.latency_ms.p99,
        unit: 'ms',
        baseline: { label: '/v1/events p99 (the worse of the two runs)', value: eventsP99 },
        ratio: ratio(hook.latency_ms.p99, eventsP99),
      },
      {
        metric: 'Shopify webhook ack latency p50',
        value: hook.latency_ms.p50,
        unit: 'ms',
        baseline: { label: '/v1/events p50 (first run)', value: results['events-1'].latency_ms.p50 },
        ratio: ratio(hook.latency_ms.p50, results['events-1'].latency_ms.p50),
      },
    ],
    memory: { product: productRss, 'load generator': hook.peak_rss_mb },
    notes: [
      `Answers: webhooks ${JSON.stringify(hook.statuses)} (${hook.accepted_per_s} orders accepted/s), events runs ${JSON.stringify(results['events-1'].statuses)} / ${JSON.stringify(results['events-2'].statuses)} (${results['events-1'].accepted_per_s} and ${results['events-2'].accepted_per_s} accepted/s). Every request is a new order (its own id and webhook id), attributed by the deal's promo code; the load shares the machine's cores with the product.`,
    ],
    raw: results,
  };
}
