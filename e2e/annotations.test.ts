// ANNOTATIONS AND FRESHNESS in the browser: a note added on the war room stands on its chart, on the TV wall and on
// the partner page; a post without a disclosure raises an alert whose mark says why on focus and in the list under the
// chart; a source that goes quiet is named from the live stream, without moving the page under the pointer.
// Screenshots (for a person to look at) go to E2E_SHOTS_DIR when it is set.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, hasChromium, openPage, postEvent, trafficBurst, type BrowserSuite } from './browserProduct';

const suite = {} as BrowserSuite;
const SHOTS = process.env.E2E_SHOTS_DIR;

const open = (token: string, p: string, viewport?: { width: number; height: number }) =>
  openPage(suite, token, p, viewport);
const shoot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
};
const api = async (method: string, p: string, body?: unknown) => {
  const r = await fetch(`${suite.product.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${suite.product.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe.skipIf(!hasChromium)('annotations in the browser', () => {
  browserSuite(suite);

  it('adds a note on the war room: on its chart, on the wall and on the partner page, as text', async () => {
    const { campaignId, partner, currency } = suite.product;
    await suite.product.post(trafficBurst(campaignId, partner, currency, 2));
    const page = await open(suite.product.adminToken, `/campaigns/${campaignId}`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const text = `Creator went live on stage <b>${Date.now()}</b>`;
    // Keyboard only: the labelled control, its fields, Enter to add.
    await page.getByTestId('add-note').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('text');
    await page.getByLabel('Note', { exact: true }).fill(text);
    expect(await page.getByLabel('About').inputValue()).toBe('');
    await shoot(page, 'war-room-add-note');
    await page.keyboard.press('Enter');
    const listed = page.getByTestId('chart-annotations').locator('[data-annotation="note"]', { hasText: text });
    await listed.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('chart-annotations').locator('b').count()).toBe(0);
    const mark = page.getByTestId('live-chart').locator('[data-mark="note"]');
    await mark.first().waitFor({ timeout: 10_000 });
    await mark.first().hover();
    await expect.poll(() => page.getByTestId('mark-tip').textContent(), { timeout: 5_000 }).toContain(text);
    await shoot(page, 'war-room-note');

    // The wall (its revenue panel holds the chart) got it live, on the chart and in its caption.
    const wall = await open(suite.product.tokens.wall, `/wall/${campaignId}?panels=revenue`, {
      width: 3840,
      height: 2160,
    });
    await wall.locator('.wall[data-health="live"]').waitFor({ timeout: 15_000 });
    await wall.locator('[data-wall-panel="revenue"] [data-annotation="note"]', { hasText: text }).waitFor();
    await wall.locator('[data-wall-panel="revenue"] [data-mark="note"]').first().waitFor();
    await wall.waitForTimeout(800);
    await shoot(wall, 'wall-note');

    // A note about the partner, added while their page is open, and the campaign-wide note, both on it.
    const about = await open(suite.product.adminToken, `/partners/${partner.id}?campaign=${campaignId}`);
    await about.getByTestId('partner-name').waitFor({ timeout: 15_000 });
    await about.getByTestId('chart-annotations').locator('[data-annotation="note"]', { hasText: text }).waitFor();
    const theirs = `Backstage interview ${Date.now()}`;
    expect(
      (await api('POST', `/api/campaigns/${campaignId}/annotations`, { text: theirs, partner_id: partner.id })).status,
    ).toBe(201);
    await about.getByTestId('chart-annotations').locator('[data-annotation="note"]', { hasText: theirs }).waitFor({
      timeout: 10_000,
    });
    await about.waitForTimeout(500);
    await shoot(about, 'partner-notes');
  }, 120_000);

  it("shows an alert's annotation with its why, on focus and in the list, and a post going live", async () => {
    const { campaignId, partner } = suite.product;
    const page = await open(suite.product.adminToken, `/campaigns/${campaignId}`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const caption = `Unboxing the earbuds ${Date.now()} link in bio`;
    const post = postEvent(campaignId, partner, caption);
    await suite.product.post([post]);
    await page.getByTestId('chart-annotations').locator('[data-annotation="post"]', { hasText: caption }).waitFor({
      timeout: 10_000,
    });
    // The alert the post raised (no disclosure): its message is its why.
    let why = '';
    await expect
      .poll(
        async () => {
          const alerts = (await api('GET', `/api/campaigns/${campaignId}/alerts`)).body as unknown as {
            kind: string;
            message: string;
          }[];
          why =
            alerts.find((a) => a.kind === 'disclosure_missing' && a.message.includes(post.url as string))?.message ??
            '';
          return why;
        },
        { timeout: 20_000 },
      )
      .not.toBe('');
    const item = page.getByTestId('chart-annotations').locator('[data-annotation="alert"]', { hasText: why });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain('Disclosure missing');
    // Its mark on the chart (an alert outranks the post and notes of its cluster) tells the why on keyboard focus.
    const mark = page.getByTestId('live-chart').locator('[data-mark="alert"]').first();
    await mark.focus();
    const tip = page.getByTestId('mark-tip');
    await expect.poll(() => tip.textContent(), { timeout: 5_000 }).toContain(why);
    expect(await mark.getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
    await page.keyboard.press('Escape');
    await tip.waitFor({ state: 'detached', timeout: 5_000 });
    await page.keyboard.press('Enter'); // opens it again, as a tap does
    await tip.waitFor();
    await shoot(page, 'war-room-alert-why');

    // The war room on a phone: the chart, its marks and the list fit the width.
    const phone = await open(suite.product.adminToken, `/campaigns/${campaignId}`, { width: 390, height: 844 });
    await phone.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    await phone.getByTestId('chart-annotations').locator('[data-annotation="alert"]').first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // In the dark theme, the marks' colours as the wall's.
    await phone.getByRole('button', { name: 'Switch light or dark theme' }).click();
    await phone.getByTestId('live-chart').scrollIntoViewIfNeeded();
    await shoot(phone, 'phone-war-room-annotations');
  }, 90_000);

  it('names a quiet source from the live stream, without a poll, and without moving the page', async () => {
    const { campaignId } = suite.product;
    const page = await open(suite.product.adminToken, `/campaigns/${campaignId}`);
    const polled: string[] = [];
    page.on('request', (r) => r.url().includes('/sources') && polled.push(r.url()));
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const card = page.getByTestId('live-chart');
    await page.waitForTimeout(1500);
    const before = await card.boundingBox();
    const made = await api('POST', '/api/admin/sources', {
      name: 'Quiet stage feed',
      campaign_ids: [campaignId],
      expected_every_s: 10,
    });
    expect(made.status).toBe(201);
    try {
      const late = page.getByTestId('late-sources');
      // Late 10 s after it was made; the server checks every 5 s and pushes the change.
      await expect
        .poll(() => late.textContent(), { timeout: 30_000, interval: 250 })
        .toMatch(/Quiet stage feed: no data yet/);
      const after = await card.boundingBox();
      expect(after?.y).toBe(before?.y);
      expect(after?.x).toBe(before?.x);
      expect(polled).toEqual([]);
      await shoot(page, 'war-room-late-source');
    } finally {
      await api('DELETE', `/api/admin/sources/${made.body.id as string}`);
    }
    // Revoked, it leaves the list: the banner goes, pushed again.
    await page.getByTestId('late-sources').waitFor({ state: 'detached', timeout: 20_000 });
  }, 90_000);

  it('keeps the chart readable with many notes: close marks clustered, the list capped with +N', async () => {
    const { campaignId } = suite.product;
    const now = Date.now();
    for (let i = 0; i < 40; i++) {
      const r = await api('POST', `/api/campaigns/${campaignId}/annotations`, {
        text: `Crowd note ${i}`,
        ts: now - i * 12_000,
      });
      expect(r.status).toBe(201);
    }
    const page = await open(suite.product.adminToken, `/campaigns/${campaignId}`);
    await page.locator('[data-health="live"]').waitFor({ timeout: 15_000 });
    const marks = page.getByTestId('live-chart').locator('[data-mark]');
    await marks.first().waitFor({ timeout: 10_000 });
    const box = (await page.getByTestId('live-chart').boundingBox())!;
    const count = await marks.count();
    // At least 26 px apart: never more marks than fit side by side, and every note is in one of them.
    expect(count).toBeLessThanOrEqual(Math.ceil(box.width / 26));
    const held = await marks.evaluateAll((els) => els.reduce((n, e) => n + (Number(e.textContent) || 1), 0));
    expect(held).toBeGreaterThanOrEqual(40);
    const more = page.getByTestId('chart-annotations').getByRole('button', { name: /^\+\d+ more$/ });
    await more.waitFor();
    await shoot(page, 'war-room-many-notes');
    await more.click();
    await expect
      .poll(() => page.getByTestId('chart-annotations').locator('[data-annotation]').count())
      .toBeGreaterThanOrEqual(40);
  }, 60_000);
});
