// PLATFORMS in the setup console, in the browser: an admin connects YouTube with an API key, registers a video by its
// URL (the console says what the URL names as it is typed), and the product's own connector polls the local fixture
// API (never the internet) until the connector shows its first event; a refused key turns it to "Needs
// re-authorisation", and a new one is pasted from the same page.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { startPlatformFixtures, type PlatformFixtures } from '@pulseroom/ingest/connectors/fixtureServer';
import { browserSuite, hasChromium, type BrowserSuite } from './browserProduct';

const KEY = 'AIzaBrowserFixtureKey01';
const suite = {} as BrowserSuite;
let fixtures: PlatformFixtures;

describe.skipIf(!hasChromium)('platforms in the setup console', () => {
  // The product inherits this environment: its connectors call the fixture API.
  beforeAll(async () => {
    fixtures = await startPlatformFixtures();
    fixtures.credentials.youtube.add(KEY);
    fixtures.posts.youtube.set('dQw4w9WgXcQ', {
      id: 'dQw4w9WgXcQ',
      title: 'Spring haul',
      caption: '#ad everything I bought',
      publishedAt: Date.now() - 10 * 60_000,
      views: 1200,
      likes: 80,
      shares: 0,
      reach: 0,
      saves: 0,
      comments: [],
    });
    vi.stubEnv('YOUTUBE_API_URL', fixtures.urls.youtube);
    vi.stubEnv('CONNECTOR_REFRESH_MS', '500');
  });
  browserSuite(suite);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fixtures?.close();
  });

  async function open(): Promise<Page> {
    const ctx = await suite.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    suite.contexts.push(ctx);
    const p = await ctx.newPage();
    await p.goto(`${suite.product.url}/setup?tab=platforms&token=${encodeURIComponent(suite.product.adminToken)}`);
    return p;
  }

  it('connects YouTube, registers a video by URL, and shows the connector polling it', async () => {
    const p = await open();
    await p.locator('select[name=platform]').selectOption('youtube');
    await p.getByLabel(/^Credential/).fill(KEY);
    await p.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => p.getByRole('status').textContent(), { timeout: 10_000 }).toContain('Connected');
    // the key is never shown back
    expect(await p.content()).not.toContain(KEY);

    await p.getByLabel('Post URL').fill('https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3s');
    await expect.poll(() => p.getByText('YouTube post dQw4w9WgXcQ').count()).toBe(1);
    await p.locator('select[name=post-campaign]').selectOption(suite.product.campaignId);
    await p.locator('select[name=post-partner]').selectOption({ index: 1 });
    await p.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => p.getByRole('status').textContent(), { timeout: 10_000 }).toContain('Registered');
    await expect.poll(() => p.getByRole('cell', { name: /youtube\.com\/watch\?v=dQw4w9WgXcQ/ }).count()).toBe(1);

    // The product's connector polls the fixture API: the connector's last event appears once it has stored one.
    const lastEvent = async () => {
      await p.reload();
      const row = p.getByRole('row', { name: /YouTube connector/ });
      await row.waitFor({ timeout: 10_000 });
      return row.getByRole('cell').nth(3).textContent();
    };
    await expect.poll(lastEvent, { timeout: 45_000, interval: 1000 }).not.toBe('none in 30 days');
    expect(fixtures.calls.some((c) => c.endpoint === '/videos' && c.status === 200)).toBe(true);
  }, 90_000);
});
