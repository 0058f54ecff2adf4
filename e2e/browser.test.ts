// Browser end-to-end tests: the running product driven by Debian's Chromium through playwright-core.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  browserSuite,
  commentEvent,
  hasChromium,
  openPage,
  postEvent,
  trafficBurst,
  type BrowserSuite,
} from './browserProduct';

const suite = {} as BrowserSuite;

const open = (token: string, p: string): Promise<Page> => openPage(suite, token, p);

/**
 * The war room must move after events are posted; the lag is logged here, and measured as a figure (p50/p95/p99
 * against the 1 s goal) by `npm run bench -- latency`, never asserted as a time in a test: a shared CI machine
 * would make such an assertion flaky. This bound only says "it moved, live", not "it was fast".
 */
const MAX_LAG_MS = Number(process.env.E2E_MAX_LAG_MS ?? 10_000);

const kpi = (page: Page, key: string) => page.locator(`[data-kpi="${key}"] [data-value]`);

// Without Debian's Chromium (e.g. a bare CI image) there is nothing to drive: skip rather than fail.
describe.skipIf(!hasChromium)('browser', () => {
  browserSuite(suite);

  it('opens the war room with figures that move within a second of posting events', async () => {
    await suite.product.post(trafficBurst(suite.product.campaignId, suite.product.partner, suite.product.currency));
    const page = await open(suite.product.adminToken, `/campaigns/${suite.product.campaignId}`);
    await expect
      .poll(() => page.getByTestId('campaign-name').textContent(), { timeout: 10_000 })
      .toBe(suite.product.campaignName);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => kpi(page, 'unique_clicks').textContent(), { timeout: 10_000 }).not.toBe('—');
    const before = await kpi(page, 'unique_clicks').textContent();
    // URL no longer shows the token.
    expect(page.url()).not.toContain('token=');
    const t0 = Date.now();
    await suite.product.post(trafficBurst(suite.product.campaignId, suite.product.partner, suite.product.currency, 2));
    await expect
      .poll(() => kpi(page, 'unique_clicks').textContent(), { timeout: 10_000, interval: 25 })
      .not.toBe(before);
    const lag = Date.now() - t0;
    console.log(`war room moved ${lag} ms after the POST to ingest`);
    expect(lag).toBeLessThanOrEqual(MAX_LAG_MS);
  }, 60_000);

  it('shows a comment written as HTML as text', async () => {
    const page = await open(suite.product.adminToken, `/campaigns/${suite.product.campaignId}`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const evil = '<img src=x onerror=alert(1)>';
    await suite.product.post([commentEvent(suite.product.campaignId, suite.product.partner, evil)]);
    const item = page.getByTestId('comments').locator('li', { hasText: evil });
    await item.first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('comments').locator('img').count()).toBe(0);
    expect(await item.first().locator('.text').textContent()).toBe(evil);
  }, 30_000);

  it('restores window, filters and sort from a reloaded URL', async () => {
    const page = await open(
      suite.product.adminToken,
      `/campaigns/${suite.product.campaignId}?window=1h&type=affiliate,hybrid&tier=micro&sort=roas&dir=asc`,
    );
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const check = async () => {
      await expect
        .poll(() => page.locator('[data-window="1h"]').getAttribute('aria-checked'), { timeout: 10_000 })
        .toBe('true');
      await expect
        .poll(() => page.locator('[data-filter="type"] summary').textContent(), { timeout: 10_000 })
        .toContain('Affiliate, Hybrid');
      await expect
        .poll(() => page.locator('[data-filter="tier"] summary').textContent(), { timeout: 10_000 })
        .toContain('Micro');
      await expect
        .poll(() => page.locator('th[aria-sort="ascending"]').textContent(), { timeout: 10_000 })
        .toContain('ROAS');
    };
    await check();
    // Change the window in the UI: the URL follows; a reload keeps it.
    await page.locator('[data-window="15m"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe('15m');
    await page.reload();
    await expect
      .poll(() => page.locator('[data-window="15m"]').getAttribute('aria-checked'), { timeout: 10_000 })
      .toBe('true');
    await expect
      .poll(() => page.locator('[data-filter="type"] summary').textContent(), { timeout: 10_000 })
      .toContain('Affiliate, Hybrid');
  }, 45_000);

  it('shows a manager only their creators', async () => {
    const mine = suite.product.partnersOf(suite.product.managerId);
    const page = await open(suite.product.tokens.manager, '/me');
    const cards = page.getByTestId('creator-cards').locator('[data-partner]');
    await cards.first().waitFor({ timeout: 15_000 });
    const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-partner')!));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(mine.has(id)).toBe(true);
  }, 30_000);

  it('keeps a wall token on the wall', async () => {
    const page = await open(suite.product.tokens.wall, `/campaigns/${suite.product.campaignId}`);
    await expect.poll(() => page.getByTestId('message').textContent(), { timeout: 10_000 }).toContain('TV wall');
    await page.goto(`${suite.product.url}/wall/${suite.product.campaignId}?panels=kpis&every=15`);
    await page.locator('.wall[data-health="live"]').waitFor({ timeout: 15_000 });
    await page
      .locator('[data-wall-panel="kpis"] [data-kpi="revenue_minor"]')
      .waitFor({ state: 'visible', timeout: 10_000 });
  }, 30_000);

  it('rotates the wall panels on the schedule in the URL', async () => {
    const page = await open(suite.product.tokens.wall, `/wall/${suite.product.campaignId}?panels=kpis,leaders&every=5`);
    const wall = page.locator('.wall');
    await wall.waitFor({ timeout: 15_000 });
    const first = await wall.getAttribute('data-panel');
    expect(['kpis', 'leaders']).toContain(first);
    await expect.poll(() => wall.getAttribute('data-panel'), { timeout: 7_000, interval: 200 }).not.toBe(first);
    expect(new URL(page.url()).searchParams.get('panels')).toBe('kpis,leaders');
  }, 30_000);

  it('tells a token clearly when a campaign is outside its scope', async () => {
    const page = await open(suite.product.tokens.viewer, '/campaigns/no-such-campaign');
    await page.getByTestId('message').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.getByTestId('message').textContent())
      .toMatch(/not available to you|do not have access/);
  }, 30_000);

  it('exports the leaderboard as CSV without putting the token in a URL', async () => {
    const page = await open(suite.product.adminToken, `/campaigns/${suite.product.campaignId}?window=1h`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.locator('details.export summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Leaderboard (by partner)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^pulseroom-${suite.product.campaignId}-by-partner-1h-\\d+\\.csv$`),
    );
    const csvUrl = urls.find((u) => u.includes('/export.csv'));
    expect(csvUrl).toBeDefined();
    expect(csvUrl).toContain('window=1h');
    for (const u of urls) expect(u).not.toContain(suite.product.adminToken);
  }, 30_000);

  it('flags a post without a paid disclosure and lets an alert be acknowledged', async () => {
    const page = await open(suite.product.adminToken, `/campaigns/${suite.product.campaignId}`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const caption = `Loving my new earbuds ${Date.now()} link in bio`;
    await suite.product.post([postEvent(suite.product.campaignId, suite.product.partner, caption)]);
    await page.getByTestId('posts').locator('li', { hasText: caption }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('posts').locator('li', { hasText: caption }).textContent()).toContain(
      'No disclosure',
    );
    const ack = page.locator('[data-ack]').first();
    await ack.waitFor({ timeout: 20_000 });
    const id = await ack.getAttribute('data-ack');
    await ack.click();
    await page.locator(`[data-ack="${id}"]`).waitFor({ state: 'detached', timeout: 5_000 });
  }, 45_000);

  it('shows the stale banner within 12 s of the server stopping and recovers when it is back', async () => {
    const page = await open(suite.product.tokens.wall, `/wall/${suite.product.campaignId}?panels=kpis&every=15`);
    await page.locator('.wall[data-health="live"]').waitFor({ timeout: 15_000 });
    await suite.product.stop();
    const stoppedAt = Date.now();
    await page.getByTestId('stale-banner').waitFor({ timeout: 12_000 });
    expect(Date.now() - stoppedAt).toBeLessThan(12_000);
    await expect
      .poll(() => page.getByTestId('stale-banner').textContent(), { timeout: 10_000 })
      .toMatch(/Data paused — last update \d\d:\d\d:\d\d, reconnecting…/);
    await suite.product.restart();
    await page.getByTestId('stale-banner').waitFor({ state: 'detached', timeout: 45_000 });
    const before = await page.locator('[data-kpi="unique_clicks"] .value').textContent();
    const t0 = Date.now();
    await suite.product.post(trafficBurst(suite.product.campaignId, suite.product.partner, suite.product.currency, 1));
    await expect
      .poll(() => page.locator('[data-kpi="unique_clicks"] .value').textContent(), { timeout: 20_000, interval: 50 })
      .not.toBe(before);
    console.log(`wall moved ${Date.now() - t0} ms after the POST (first events after a restart)`);
  }, 150_000);

  it('names a source that went quiet on the war room, from the sources it has', async () => {
    // A source for this campaign expected every 10 s that never sends: late 10 s after it was made.
    const res = await fetch(`${suite.product.url}/api/admin/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.product.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Quiet feed', campaign_ids: [suite.product.campaignId], expected_every_s: 10 }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    try {
      await new Promise((r) => setTimeout(r, 11_000));
      const page = await open(suite.product.adminToken, `/campaigns/${suite.product.campaignId}`);
      const late = page.getByTestId('late-sources');
      await expect
        .poll(() => late.textContent(), { timeout: 45_000, interval: 250 })
        .toMatch(/Quiet feed: no data yet/);
    } finally {
      // The product is shared by the suite: its banner must not stand over the other tests' pages.
      await fetch(`${suite.product.url}/api/admin/sources/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${suite.product.adminToken}` },
      });
    }
  }, 90_000);
});
