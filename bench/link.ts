// Tracking-link benchmark: GET /r/:code (302, then the click recorded through ingest into the spool) per second and
// p99, against a bare node:http 302 driven by the same load process settings.
import { startProduct } from './lib/product.js';
import { freePort, spawnTs } from './lib/proc.js';
import { ratio } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

interface GetResult {
  per_s: number;
  statuses: Record<string, number>;
  /** 302s received over the whole run, warm-up included. */
  redirects: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** The first answer's Location (the product's, with its click id). */
  location: string;
  location_bytes: number;
  peak_rss_mb: number;
}
const ARGS = ['--connections', '32', '--warmup-ms', '2000', '--duration-ms', '10000'];

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const product = await startProduct('link', { cpuProfile: ctx.cpuProfile ? 'link' : undefined });
  let mine: GetResult;
  let productRss: number | null;
  let code = '';
  let recorded = NaN;
  let lost = 0;
  let spoolLeft = NaN;
  let storedAfterS = NaN;
  try {
    code = product.demo.launch.deals.find((d) => d.links?.length)!.links![0].code;
    ctx.log(`product: GET /r/${code}, 32 connections, 2 s warm-up + 10 s`);
    const c = spawnTs('link-load', 'bench/load/httpGet.ts', {
      args: ['--port', String(product.port), '--path', `/r/${code}`, ...ARGS],
    });
    mine = await c.result<GetResult>(60_000);
    await c.stop();
    // Every redirect's click must reach the spool (the product's own counter, once the last batch is written, against
    // the 302s the load received), then ClickHouse (the spool emptied by the flusher).
    await new Promise((r) => setTimeout(r, 500));
    const metric = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    let text = await (await fetch(`${product.base}/metrics`)).text();
    recorded = metric(text, /pulseroom_ingest_redirects_total\{recorded="true"\} (\d+)/);
    lost = Math.max(
      metric(text, /pulseroom_ingest_redirects_total\{recorded="false"\} (\d+)/) || 0,
      mine.redirects - recorded,
    );
    const waitFrom = Date.now();
    while (metric(text, /pulseroom_ingest_spool_rows (\d+)/) !== 0 && Date.now() - waitFrom < 60_000) {
      await new Promise((r) => setTimeout(r, 250));
      text = await (await fetch(`${product.base}/metrics`)).text();
    }
    spoolLeft = metric(text, /pulseroom_ingest_spool_rows (\d+)/);
    storedAfterS = (Date.now() - waitFrom + 500) / 1000;
  } finally {
    productRss = (await product.stop()).peakRssMb;
  }
  const port = await freePort();
  // The bare server answers with the product's own Location, byte for byte, a fresh click id in the same place.
  const location = mine.location.replace(/click_id=ck_[A-Za-z0-9_-]+/, 'click_id=CLICKID');
  if (!location.includes('CLICKID')) throw new Error(`the product's redirect has no click id: ${mine.location}`);
  const bare = spawnTs('bare-302', 'bench/targets/bare302.ts', {
    args: ['--port', String(port), '--location', location],
  });
  let base: GetResult;
  let bareRss: number | null;
  try {
    await bare.waitFor(/listening/, 30_000);
    ctx.log('bare node:http 302, same load');
    const c = spawnTs('link-load', 'bench/load/httpGet.ts', {
      args: ['--port', String(port), '--path', '/r/x', ...ARGS],
    });
    base = await c.result<GetResult>(60_000);
    bareRss = bare.peakRssMb();
    await c.stop();
  } finally {
    await bare.stop();
  }
  const r = ratio(mine.per_s, base.per_s);
  return {
    name: 'link',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric: `/r/:code redirects/s (302 first, then the click through ingest to the spool), 32 connections`,
        value: mine.per_s,
        unit: 'redirects/s',
        baseline: { label: 'bare node:http 302', value: base.per_s },
        ratio: r,
      },
      // What the shopper feels decides (the ratio to a bare 302 stays as information): p99 ≤ 10 ms at ≥ 10,000
      // redirects/s.
      {
        metric: '/r/:code latency p99',
        value: mine.latency_ms.p99,
        unit: 'ms',
        baseline: { label: 'bare node:http 302 p99', value: base.latency_ms.p99 },
        ratio: ratio(mine.latency_ms.p99, base.latency_ms.p99),
        target: 'p99 ≤ 10 ms at ≥ 10,000 redirects/s',
        met: mine.latency_ms.p99 === null ? null : mine.latency_ms.p99 <= 10 && mine.per_s >= 10_000,
      },
      {
        metric: '/r/:code clicks lost (302s answered − clicks recorded in the spool, whole run)',
        value: lost,
        unit: 'clicks',
        target: '0, and none left in the spool',
        met: Number.isNaN(lost) ? null : lost === 0 && spoolLeft === 0,
      },
      {
        metric: '/r/:code latency p50',
        value: mine.latency_ms.p50,
        unit: 'ms',
        baseline: { label: 'bare node:http 302 p50', value: base.latency_ms.p50 },
        ratio: ratio(mine.latency_ms.p50, base.latency_ms.p50),
      },
    ],
    memory: { product: productRss, 'bare node:http': bareRss, 'load generator': mine.peak_rss_mb },
    notes: [
      `Clicks recorded (the product's counter, warm-up included): ${recorded} of ${mine.redirects} redirects answered, ${lost} lost; ${spoolLeft === 0 ? `all in ClickHouse ${storedAfterS.toFixed(1)} s after the load stopped (spool empty)` : `${spoolLeft} rows still in the spool after ${storedAfterS.toFixed(1)} s`}. Answers: product ${JSON.stringify(mine.statuses)}, bare ${JSON.stringify(base.statuses)}. Each request has its own visitor (User-Agent / X-Forwarded-For vary; the product trusts X-Forwarded-For from loopback, as \`npm start\` does, so each is a new visitor to the IAB unique-click memory).`,
    ],
    raw: { product: mine, bare: base },
  };
}
