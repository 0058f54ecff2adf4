// ACCESSIBILITY: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every page in both themes, and the keyboard paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHROMIUM, CHROMIUM_ARGS, closeAll, startProduct, trafficBurst, type Product } from './browserProduct';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

let product: Product;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function open(token: string, p: string, theme: 'light' | 'dark', viewport: { width: number; height: number }): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  contexts.push(ctx);
  await ctx.addInitScript((t) => localStorage.setItem('pulseroom.theme', t), theme);
  const page = await ctx.newPage();
  const sep = p.includes('?') ? '&' : '?';
  await page.goto(`${product.url}${p}${sep}token=${encodeURIComponent(token)}`);
  return page;
}

/** The serious and critical violations axe finds on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the product's CSP (script-src 'self') stays as users get it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations;
  }, AXE_TAGS);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`);
}

const DESKTOP = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const WALL = { width: 3840, height: 2160 };

describe.skipIf(!existsSync(CHROMIUM))('accessibility', () => {
  beforeAll(async () => {
    product = await startProduct({ log: !!process.env.E2E_LOG });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await product.post(trafficBurst(product.campaignId, product.partner, product.currency));
  }, 180_000);

  afterAll(async () => {
    await closeAll(contexts, browser, product);
  }, 60_000);

  const pages = () => [
    { name: 'home', token: product.adminToken, path: '/', ready: 'main#main h2 a', viewport: DESKTOP },
    { name: 'war room', token: product.adminToken, path: `/campaigns/${product.campaignId}`, ready: '[data-health="live"]', viewport: DESKTOP },
    { name: 'partner page', token: product.adminToken, path: `/partners/${product.partner.id}?campaign=${product.campaignId}`, ready: '[data-health="live"]', viewport: DESKTOP },
    { name: 'manager at 1920 px', token: product.tokens.manager, path: '/me', ready: '[data-testid="creator-cards"] article', viewport: DESKTOP },
    { name: 'manager at 390 px', token: product.tokens.manager, path: '/me', ready: '[data-testid="creator-cards"] article', viewport: PHONE },
    { name: 'TV wall at 4K', token: product.tokens.wall, path: `/wall/${product.campaignId}`, ready: '.wall[data-health="live"]', viewport: WALL },
  ];

  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation on any page in the ${theme} theme`, async () => {
      const found: Record<string, string[]> = {};
      for (const p of pages()) {
        const page = await open(p.token, p.path, theme, p.viewport);
        await page.locator(p.ready).first().waitFor({ timeout: 20_000 });
        // Let the first live figures and the entrance transitions settle: axe reads computed colours.
        await page.waitForTimeout(1_500);
        found[p.name] = await seriousViolations(page);
        console.log(`axe ${theme} ${p.name}: ${found[p.name].length} serious/critical rules`);
        await page.context().close();
      }
      expect(found).toEqual(Object.fromEntries(pages().map((p) => [p.name, []])));
    }, 240_000);
  }

  it('reaches main content by a skip link, and takes the window picker as one Tab stop with arrow keys', async () => {
    const page = await open(product.adminToken, `/campaigns/${product.campaignId}?window=1h`, 'light', DESKTOP);
    await page.locator('[data-health="live"]').waitFor({ timeout: 20_000 });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const picker = page.locator('[role="radiogroup"][aria-label="Time window"] [role="radio"]');
    expect(await picker.evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length)).toBe(1);
    await page.locator('[data-window="1h"]').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('[data-window="1h"]').getAttribute('aria-checked')).toBe('false');
    const chosen = await page.locator('[role="radio"][aria-checked="true"]').getAttribute('data-window');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-window'))).toBe(chosen);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).not.toBe('radio');
    const stream = page.getByTestId('comments');
    expect(await stream.getAttribute('tabindex')).toBe('0');
    expect(await stream.getAttribute('aria-label')).toBeTruthy();
  }, 60_000);
});
