// Takes the README screenshots at 1920×1080 with Debian's Chromium: node --import tsx web/dev/shoot.ts <baseUrl>
// <adminToken> <managerToken> <wallToken> [campaign] [partner]
import { chromium } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [
  base = 'http://localhost:8091',
  admin = 'admin',
  manager = 'mgr',
  wall = 'wall',
  campaign = 'aurora-launch',
  partner = 'p005',
  outArg,
] = process.argv.slice(2);
const out = outArg ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const scale = Number(process.env.SCALE ?? 1);

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
async function shot(
  name: string,
  url: string,
  opts: { full?: boolean; wait?: number; width?: number; height?: number } = {},
) {
  const ctx = await browser.newContext({
    viewport: {
      width: opts.width ?? Number(process.env.WIDTH ?? 1920),
      height: opts.height ?? Number(process.env.HEIGHT ?? 1080),
    },
    deviceScaleFactor: scale,
    colorScheme: process.env.DARK ? 'dark' : 'light',
  });
  const page = await ctx.newPage();
  page.on(
    'console',
    (m) => (m.type() === 'error' || m.type() === 'warning') && console.log(`[${name}] ${m.type()}: ${m.text()}`),
  );
  page.on('pageerror', (e) => console.log(`[${name}] pageerror: ${e.message}`));
  if (process.env.DARK) await page.addInitScript(() => localStorage.setItem('pulseroom.theme', 'dark'));
  await page.goto(base + url, { waitUntil: 'load' });
  await page.waitForTimeout(opts.wait ?? 4000);
  await page.screenshot({ path: path.join(out, name), fullPage: opts.full ?? false });
  console.log(`saved ${name} (${page.url()})`);
  await ctx.close();
}
const only = process.env.ONLY?.split(',');
const want = (n: string) => !only || only.includes(n);
if (want('war-room')) await shot('war-room.png', `/campaigns/${campaign}?token=${admin}`, { wait: 6000 });
if (want('war-room-full'))
  await shot('war-room-full.png', `/campaigns/${campaign}?token=${admin}`, { full: true, wait: 6000 });
if (want('partner'))
  await shot('partner.png', `/partners/${partner}?campaign=${campaign}&token=${admin}`, { wait: 5000 });
if (want('manager')) await shot('manager.png', `/me?token=${manager}`, { wait: 5000 });
if (want('wall')) await shot('wall.png', `/wall/${campaign}?panels=kpis&token=${wall}`, { wait: 5000 });
for (const p of ['leaders', 'sentiment', 'revenue'])
  if (want(`wall-${p}`)) await shot(`wall-${p}.png`, `/wall/${campaign}?panels=${p}&token=${wall}`, { wait: 5000 });
await browser.close();
