// ACCESSIBILITY: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in real Chromium on every page — war room, partner page,
// account manager at 1920 and 390 px, TV wall at 4K, setup console, home — in the light and the dark theme: no serious
// or critical violation. Keyboard: a skip link, the window picker one Tab stop with arrow keys, the comment stream
// reachable. Reduced motion stops animations.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, commentEvent, hasChromium, trafficBurst, type BrowserSuite } from './browserProduct';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const suite = {} as BrowserSuite;

async function open(
  token: string,
  path: string,
  viewport: { width: number; height: number },
  theme: 'light' | 'dark',
  reducedMotion: 'reduce' | 'no-preference' = 'no-preference',
): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport, reducedMotion, bypassCSP: true }); // axe is injected as a script
  suite.contexts.push(ctx);
  await ctx.addInitScript((t) => localStorage.setItem('pulseroom.theme', t), theme);
  const p = await ctx.newPage();
  await p.goto(`${suite.product.url}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
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
    const r = await (
      window as unknown as {
        axe: {
          run: (
            c: Document,
            o: unknown,
          ) => Promise<{
            violations: {
              id: string;
              impact: string;
              help: string;
              nodes: { target: string[]; failureSummary: string }[];
            }[];
          }>;
        };
      }
    ).axe.run(document, { runOnly: { type: 'tag', values: rules }, resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`),
      }));
  }, RULES);
}

describe.skipIf(!hasChromium)('accessibility', () => {
  browserSuite(suite);
  beforeAll(async () => {
    await suite.product.post(trafficBurst(suite.product.campaignId, suite.product.partner, suite.product.currency, 3));
    await suite.product.post([
      commentEvent(suite.product.campaignId, suite.product.partner, 'love these 😍🔥'),
      commentEvent(suite.product.campaignId, suite.product.partner, 'shipping is slow, not happy at all'),
    ]);
  }, 180_000);

  const desktop = { width: 1920, height: 1080 };
  const phone = { width: 390, height: 844 };
  const pages = () =>
    [
      ['home', suite.product.adminToken, '/', desktop],
      ['war room', suite.product.tokens.viewer, `/campaigns/${suite.product.campaignId}`, desktop],
      ['war room (phone)', suite.product.tokens.viewer, `/campaigns/${suite.product.campaignId}`, phone],
      [
        'partner page',
        suite.product.tokens.viewer,
        `/partners/${suite.product.partner.id}?campaign=${suite.product.campaignId}`,
        desktop,
      ],
      ['account manager', suite.product.tokens.manager, '/me', desktop],
      ['account manager (phone)', suite.product.tokens.manager, '/me', phone],
      ['setup console', suite.product.adminToken, '/setup', desktop],
      ['TV wall (4K)', suite.product.tokens.wall, `/wall/${suite.product.campaignId}`, { width: 3840, height: 2160 }],
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
    const p = await open(suite.product.tokens.viewer, `/campaigns/${suite.product.campaignId}`, desktop, 'light');
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
    await expect
      .poll(() =>
        p
          .getByRole('radiogroup', { name: /window/i })
          .getByRole('radio', { checked: true })
          .textContent(),
      )
      .toBe('15m');
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('15m');
    const stream = p.getByRole('region', { name: 'Live comments' });
    expect(await stream.getAttribute('tabindex')).toBe('0');
  });

  it('with reduced motion, nothing animates', async () => {
    const p = await open(
      suite.product.tokens.viewer,
      `/campaigns/${suite.product.campaignId}`,
      desktop,
      'light',
      'reduce',
    );
    // Counted once the page is live (the live dot pulses only then), not while it is still connecting.
    await p.locator('[data-health="live"]').first().waitFor({ timeout: 15_000 });
    const moving = await p.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length);
    expect(moving).toBe(0);
    // Without the preference the live dot pulses: the check above is not vacuous.
    const q = await open(suite.product.tokens.viewer, `/campaigns/${suite.product.campaignId}`, desktop, 'light');
    await q.locator('[data-health="live"]').first().waitFor({ timeout: 15_000 });
    expect(
      await q.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length),
    ).toBeGreaterThan(0);
  });
});
