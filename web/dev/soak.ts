// Wall soak: keeps the TV wall open with fast rotation and samples the JS heap after GC, to catch growth.
// node --import tsx web/dev/soak.ts <baseUrl> <wallToken> <campaign> <minutes>
import { chromium } from 'playwright-core';

const [base = 'http://localhost:8092', token = 'dev-wall', campaign = 'aurora-launch', minutes = '3'] =
  process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(`${base}/wall/${campaign}?panels=kpis,leaders,sentiment,revenue&every=5&token=${token}`);
const cdp = await page.context().newCDPSession(page);
const samples: number[] = [];
const end = Date.now() + Number(minutes) * 60_000;
await page.waitForTimeout(10_000);
while (Date.now() < end) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  const listeners = ((await cdp.send('Memory.getDOMCounters')) as { jsEventListeners: number }).jsEventListeners;
  samples.push(usedSize);
  console.log(
    `${new Date().toISOString().slice(11, 19)} heap ${(usedSize / 1e6).toFixed(2)} MB · DOM nodes ${nodes} · listeners ${listeners}`,
  );
  await page.waitForTimeout(20_000);
}
console.log(`first ${(samples[0] / 1e6).toFixed(2)} MB, last ${(samples.at(-1)! / 1e6).toFixed(2)} MB`);
await browser.close();
