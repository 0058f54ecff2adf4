// ACCESSIBILITY: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in real Chromium on every page — war room, partner page,
// account manager at 1920 and 390 px, TV wall at 4K, setup console, home — in the light and the dark theme: no serious
// or critical violation. Keyboard: a skip link, the window picker one Tab stop with arrow keys, the comment stream
// reachable. Reduced motion stops animations.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { commentEvent, startProduct, trafficBurst, type Product } from './browserProduct';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let product: Product;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function open(token: string, path: string, viewport: { width: number; height: number }, theme: 'light' | 'dark', reducedMotion: 'reduce' | 'no-preference' = 'no-preference'): Promise<Page> {
  const ctx = await browser.newContext({ viewport, reducedMotion, bypassCSP: true }); // axe is injected as a script
  contexts.push(ctx);
  await ctx.addInitScript((t) => localStorage.setItem('pulseroom.theme', t), theme);
  const p = await ctx.newPage();
  await p.goto(`${product.url}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  await p.locator('main, .wall').first().waitFor({ timeout: 20_000 });
  await p.waitForTimeout(1500); // first snapshot and charts in
  return p;
}

interface Found {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

async function axe(p: Page): Promise<Found[]> {
  await p.addScriptTag({ content: AXE });
  return p.evaluate(async (rules) => {
    const r = await (window as unknown as { axe: { run: (c: Document, o: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[] }> } }).axe.run(document, { runOnly: { type: 'tag', values: rules }, resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`) }));
  }, RULES);
}

describe.skipIf(!existsSync(CHROMIUM))('accessibility', () => {
  beforeAll(async () => {
    product = await startProduct({ log: !!process.env.E2E_LOG });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    await product.post(trafficBurst(product.campaignId, product.partner, product.currency, 3));
    await product.post([commentEvent(product.campaignId, product.partner, 'love these 😍🔥'), commentEvent(product.campaignId, product.partner, 'shipping is slow, not happy at all')]);
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await product?.close();
  }, 60_000);

  const desktop = { width: 1920, height: 1080 };
  const phone = { width: 390, height: 844 };
  const pages = () =>
    [
      ['home', product.adminToken, '/', desktop],
      ['war room', product.tokens.viewer, `/campaigns/${product.campaignId}`, desktop],
      ['war room (phone)', product.tokens.viewer, `/campaigns/${product.campaignId}`, phone],
      ['partner page', product.tokens.viewer, `/partners/${product.partner.id}?campaign=${product.campaignId}`, desktop],
      ['account manager', product.tokens.manager, '/me', desktop],
      ['account manager (phone)', product.tokens.manager, '/me', phone],
      ['setup console', product.adminToken, '/setup', desktop],
      ['TV wall (4K)', product.tokens.wall, `/wall/${product.campaignId}`, { width: 3840, height: 2160 }],
    ] as const;

  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation on any page, ${theme} theme`, { timeout: 180_000 }, async () => {
      const found: Record<string, Found[]> = {};
      for (const [name, token, path, viewport] of pages()) {
        const p = await open(token, path, viewport, theme);
        const v = await axe(p);
        if (v.length) found[name] = v;
        await p.context().close();
      }
      if (Object.keys(found).length) console.log(JSON.stringify(found, null, 1));
      expect(found).toEqual({});
    });
  }

  it('the keyboard: a skip link first, the window picker one Tab stop moved by arrows, the comment stream reachable', async () => {
    const p = await open(product.tokens.viewer, `/campaigns/${product.campaignId}`, desktop, 'light');
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    await p.keyboard.press('Enter');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('main');
    const radios = p.getByRole('radiogroup', { name: /window/i }).getByRole('radio');
    expect(await radios.count()).toBe(6);
    const tabbable = await radios.evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length);
    expect(tabbable).toBe(1);
    await radios.filter({ hasText: /^5m$/ }).focus();
    await p.keyboard.press('ArrowRight');
    await expect.poll(() => p.getByRole('radiogroup', { name: /window/i }).getByRole('radio', { checked: true }).textContent()).toBe('15m');
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('15m');
    const stream = p.getByRole('region', { name: 'Live comments' });
    expect(await stream.getAttribute('tabindex')).toBe('0');
  });

  it('with reduced motion, nothing animates', async () => {
    const p = await open(product.tokens.viewer, `/campaigns/${product.campaignId}`, desktop, 'light', 'reduce');
    const moving = await p.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length);
    expect(moving).toBe(0);
    // Without the preference the live dot pulses: the check above is not vacuous.
    const q = await open(product.tokens.viewer, `/campaigns/${product.campaignId}`, desktop, 'light');
    expect(await q.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length)).toBeGreaterThan(0);
  });
});
