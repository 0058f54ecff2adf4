// Web benchmark: gzip size of the built app's JavaScript, and the war room's first contentful paint in Chromium
// and, on a throttled phone profile, of the war room and /me, plus the first live number
// (playwright-core, a fresh context each time) against the product started as `npm start --no-sim` runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { startProduct } from './lib/product.js';
import { ROOT } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

const DIST = join(ROOT, 'web', 'dist');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ROUNDS = 5;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}
function newest(dir: string): number {
  return Math.max(0, ...files(dir).map((f) => statSync(f).mtimeMs));
}

/** Chromium's DevTools "Slow 4G" preset (Lighthouse's mobile profile applied at the request level). */
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1474.56 * 1024) / 8,
  uploadThroughput: (675 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;
const PHONE_ROUNDS = 3;

/** First contentful paint of the page, ms from navigation start; -1 if none within 20 s. */
function firstContentfulPaint(): Promise<number> {
  return new Promise<number>((ok) => {
    const seen = performance.getEntriesByName('first-contentful-paint')[0];
    if (seen) return ok(seen.startTime);
    new PerformanceObserver((l) => {
      const e = l.getEntriesByName('first-contentful-paint')[0];
      if (e) ok(e.startTime);
    }).observe({ type: 'paint', buffered: true });
    setTimeout(() => ok(-1), 20_000);
  });
}

/** One cold load at 390×844 with 4× CPU throttling and slow 4G: FCP and the time the first live figure shows. */
async function phoneLoad(
  browser: Browser,
  url: string,
  liveSelector: string,
): Promise<{ fcp: number; live: number; jsKb: number }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    await page.goto(url, { waitUntil: 'commit' });
    const live = await page
      .waitForFunction(
        (sel) => {
          const t = document.querySelector(sel)?.textContent?.trim();
          return t && t !== '—' ? performance.now() : false;
        },
        liveSelector,
        { timeout: 30_000, polling: 50 },
      )
      .then((h) => h.jsonValue() as Promise<number>)
      .catch(() => -1);
    // The scripts fetched up to the first live number, counted at their gzip size in web/dist.
    const early = await page.evaluate((until) => {
      const scripts = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return scripts
        .filter((r) => r.name.endsWith('.js') && (until < 0 || r.responseEnd <= until))
        .map((r) => new URL(r.name).pathname);
    }, live);
    const jsKb = early.reduce((sum, p) => sum + gzipSync(readFileSync(join(DIST, p))).length / 1024, 0);
    return { fcp: await page.evaluate(firstContentfulPaint), live, jsKb };
  } finally {
    await context.close();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const index = join(DIST, 'index.html');
  const sources = Math.max(newest(join(ROOT, 'web', 'src')), statSync(join(ROOT, 'web', 'index.html')).mtimeMs);
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    ctx.log('building the web app (npm run build -w web)');
    const b = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build -w web failed');
  }
  const js = files(DIST).filter((f) => f.endsWith('.js'));
  const gzipKb = (f: string) => gzipSync(readFileSync(f)).length / 1024;
  const totalGz = js.reduce((s, f) => s + gzipKb(f), 0);
  const totalRaw = js.reduce((s, f) => s + statSync(f).size / 1024, 0);
  const html = readFileSync(index, 'utf8');
  const entry = js.filter((f) => html.includes(f.slice(DIST.length).replaceAll('\\', '/')));
  const entryGz = entry.reduce((s, f) => s + gzipKb(f), 0);

  const product = await startProduct('web', { cpuProfile: ctx.cpuProfile ? 'web' : undefined });
  const fcps: number[] = [];
  const loaded: number[] = [];
  const phone: Record<string, { fcp: number[]; live: number[]; jsKb: number[] }> = {};
  let productRss: number | null;
  try {
    const { demo } = product;
    const url = `${product.base}/campaigns/${demo.launch.campaigns[0].id}?token=${demo.tokens.viewer}`;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load' });
        const fcp = await page.evaluate(firstContentfulPaint);
        const nav = await page.evaluate(
          () =>
            (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ??
            -1,
        );
        if (fcp >= 0) fcps.push(fcp);
        if (nav >= 0) loaded.push(nav);
        await context.close();
      }
      const targets = [
        { name: 'war room', url, live: '[data-kpi="unique_clicks"] [data-value]' },
        {
          name: '/me',
          url: `${product.base}/me?token=${demo.tokens.manager}`,
          live: '[data-testid="creator-cards"] dd.num',
        },
      ];
      for (const t of targets) {
        phone[t.name] = { fcp: [], live: [], jsKb: [] };
        for (let i = 0; i < PHONE_ROUNDS; i++) {
          const r = await phoneLoad(browser, t.url, t.live);
          if (r.fcp >= 0) phone[t.name].fcp.push(r.fcp);
          if (r.live >= 0) phone[t.name].live.push(r.live);
          phone[t.name].jsKb.push(r.jsKb);
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    productRss = (await product.stop()).peakRssMb;
  }
  const fcp = round(median(fcps));
  return {
    name: 'web',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric: `JS bundle, gzip (all ${js.length} .js files of web/dist)`,
        value: round(totalGz),
        unit: 'kB',
        target: '≤ 150 kB',
        met: totalGz <= 150,
      },
      {
        metric: 'war room first contentful paint (median of 5 fresh contexts, 1920×1080)',
        value: fcp,
        unit: 'ms',
        target: '< 1 s',
        met: fcp === null ? null : fcp < 1000,
      },
      { metric: 'war room load event end (median)', value: round(median(loaded)), unit: 'ms' },
      {
        metric: 'entry JS loaded by index.html, gzip',
        value: round(entryGz),
        unit: 'kB',
        target: '≤ 100 kB',
        met: entryGz <= 100,
      },
      ...Object.entries(phone).flatMap(([name, r]) => {
        const fcp = round(median(r.fcp));
        return [
          {
            metric: `${name} FCP, phone (390×844, CPU 4×, slow 4G; median of ${PHONE_ROUNDS})`,
            value: fcp,
            unit: 'ms',
            target: '< 1 s',
            met: fcp === null ? null : fcp < 1000,
          },
          { metric: `${name} first live number, phone (median)`, value: round(median(r.live)), unit: 'ms' },
          {
            metric: `${name} JS fetched before the first live number (gzip)`,
            value: round(median(r.jsKb)),
            unit: 'kB',
            target: '≤ 100 kB',
            met: (median(r.jsKb) ?? Infinity) <= 100,
          },
        ];
      }),
    ],
    memory: { product: productRss },
    notes: [
      `JS: ${round(totalRaw)} kB raw, ${round(totalGz)} kB gzip in all; the entry script(s) loaded by index.html ${round(entryGz)} kB gzip.`,
      `FCP samples (ms): ${fcps.map((x) => Math.round(x)).join(', ')}. Chromium ${'/usr/bin/chromium'} headless with ${ARGS.join(' ')}; the product runs with an empty launch (no simulator), so this is the app shell and first snapshot.`,
    ],
    raw: { fcps, loaded, phone, js: js.map((f) => ({ file: f.slice(DIST.length + 1), gzip_kb: round(gzipKb(f)) })) },
  };
}
