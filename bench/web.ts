// Web benchmark: gzip size of the built app's JavaScript, and the war room's first contentful paint in Chromium
// (playwright-core, a fresh context each time) against the product started as `npm start --no-sim` runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startProduct } from './lib/product.js';
import { ROOT } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

const DIST = join(ROOT, 'web', 'dist');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ROUNDS = 5;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}
function newest(dir: string): number {
  return Math.max(0, ...files(dir).map((f) => statSync(f).mtimeMs));
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
  let productRss: number | null;
  try {
    const url = `${product.base}/campaigns/${product.demo.launch.campaigns[0].id}?token=${product.demo.tokens.viewer}`;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load' });
        const fcp = await page.evaluate(
          () =>
            new Promise<number>((ok) => {
              const seen = performance.getEntriesByName('first-contentful-paint')[0];
              if (seen) return ok(seen.startTime);
              new PerformanceObserver((l) => {
                const e = l.getEntriesByName('first-contentful-paint')[0];
                if (e) ok(e.startTime);
              }).observe({ type: 'paint', buffered: true });
              setTimeout(() => ok(-1), 10_000);
            }),
        );
        const nav = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ?? -1);
        if (fcp >= 0) fcps.push(fcp);
        if (nav >= 0) loaded.push(nav);
        await context.close();
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
      { metric: `JS bundle, gzip (all ${js.length} .js files of web/dist)`, value: round(totalGz), unit: 'kB', target: '≤ 150 kB', met: totalGz <= 150 },
      { metric: 'war room first contentful paint (median of 5 fresh contexts, 1920×1080)', value: fcp, unit: 'ms', target: '< 1 s', met: fcp === null ? null : fcp < 1000 },
      { metric: 'war room load event end (median)', value: round(median(loaded)), unit: 'ms' },
    ],
    memory: { product: productRss },
    notes: [
      `JS: ${round(totalRaw)} kB raw, ${round(totalGz)} kB gzip in all; the entry script(s) loaded by index.html ${round(entryGz)} kB gzip.`,
      `FCP samples (ms): ${fcps.map((x) => Math.round(x)).join(', ')}. Chromium ${'/usr/bin/chromium'} headless with ${ARGS.join(' ')}; the product runs with an empty launch (no simulator), so this is the app shell and first snapshot.`,
    ],
    raw: { fcps, loaded, js: js.map((f) => ({ file: f.slice(DIST.length + 1), gzip_kb: round(gzipKb(f)) })) },
  };
}
