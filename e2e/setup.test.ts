// SETUP CONSOLE in the browser: a new user with an admin link creates a campaign, imports partners from a CSV (sees
// the bad row named, fixes it, imports), makes a deal with a tracking link and a promo code, opens the link (302 to
// the shop) and sees the click on the war room; makes a wall share link, opens it elsewhere, revokes it, and the wall
// loses access. At 390 px the console does not scroll sideways.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { browserSuite, hasChromium, type BrowserSuite } from './browserProduct';

const PERSON =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

const suite = {} as BrowserSuite;

async function page(token: string, path: string, viewport = { width: 1440, height: 1000 }): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport });
  suite.contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('dialog', (d) => void d.accept()); // the console asks before revoking
  await p.goto(`${suite.product.url}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  return p;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe.skipIf(!hasChromium)('setup console', () => {
  browserSuite(suite);

  it('puts a new launch in, from campaign to a counted click, and a wall link that can be taken back', async () => {
    const p = await page(suite.product.adminToken, '/setup');
    // Campaign.
    await p.getByLabel('Name', { exact: true }).fill('Spring Glow 2027');
    await p.getByLabel('Brand').fill('Glow Labs');
    await p.getByLabel('Start', { exact: true }).fill(day(-1));
    await p.getByLabel('End', { exact: true }).fill(day(30));
    await p.getByLabel(/Time zone/).selectOption('Europe/Berlin');
    await p.getByLabel('Revenue').fill('50000');
    await p.locator('select[name=status]').selectOption('live');
    await p.getByRole('button', { name: 'Create campaign' }).click();
    await expect.poll(() => p.getByRole('status').textContent(), { timeout: 10_000 }).toContain('created');

    // Partners: a bad row is named and nothing is imported; the fixed file is.
    await p.getByRole('tab', { name: 'Partners' }).click();
    const header = 'id,handle,display_name,type,platforms,followers,manager_id';
    const bad = [
      header,
      'glow-ana,@glowana,Ana Glow,influencer,instagram|tiktok,48200,am-ines',
      'glow-ben,@glowben,Ben Glow,celebrity,instagram,3100,',
      ',@glowcara,Cara Glow,affiliate,blog,900,',
    ].join('\n');
    await p
      .locator('input[type=file]')
      .setInputFiles({ name: 'partners.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await expect.poll(() => p.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('Row 2, type');
    expect(await p.getByRole('button', { name: /^Import \d+ partners$/ }).isDisabled()).toBe(true);
    await p.locator('input[type=file]').setInputFiles({
      name: 'partners.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(bad.replace('celebrity', 'influencer')),
    });
    await p.getByRole('button', { name: 'Import 3 partners' }).click();
    await expect
      .poll(() => p.getByRole('status').last().textContent(), { timeout: 10_000 })
      .toContain('Imported: 3 new');

    // Deal with a tracking link and a promo code.
    await p.getByRole('tab', { name: 'Deals & links' }).click();
    await p.getByRole('combobox').first().selectOption({ label: 'Spring Glow 2027' });
    await p.getByLabel('Find a partner').fill('Ana Glow');
    await expect
      .poll(async () => (await p.locator('select[name=partner] option').allTextContents()).join('|'), {
        timeout: 10_000,
      })
      .toContain('Ana Glow');
    await p.locator('select[name=partner]').selectOption('glow-ana');
    await p.getByLabel('Destination (the shop page)').fill('https://shop.example.com/glow');
    await p.getByLabel(/^Code/).fill('glow-ana-link');
    await p.locator('input[name=tier-threshold]').fill('1000');
    await p.locator('input[name=tier-percent]').fill('20');
    await p.getByLabel(/^Promo codes/).fill('ANAGLOW15');
    await p.getByRole('button', { name: 'Save deal' }).click();
    await expect.poll(() => p.getByRole('status').textContent(), { timeout: 10_000 }).toContain('/r/glow-ana-link');
    await expect
      .poll(() => p.locator('.deal').filter({ hasText: 'Ana Glow' }).textContent(), { timeout: 10_000 })
      .toContain('20 % past 1,000');

    // The link sends a shopper to the shop; the war room counts the click.
    const war = await page(suite.product.adminToken, '/campaigns/spring-glow-2027');
    await war.locator('[data-health="live"]').waitFor({ timeout: 20_000 });
    const r = await fetch(`${suite.product.url}/r/glow-ana-link`, {
      redirect: 'manual',
      headers: { 'user-agent': PERSON },
    });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/glow\?.*click_id=/);
    const t0 = Date.now();
    await expect
      .poll(() => war.locator('[data-kpi="unique_clicks"] [data-value]').textContent(), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe('1');
    console.log(`setup: tracking link opened → click on the war room in ${Date.now() - t0} ms`);
    // A partner imported a minute ago is on the leaderboard once their first event is in: no restart.
    await expect.poll(() => war.getByTestId('leaderboard').textContent(), { timeout: 10_000 }).toContain('Ana Glow');

    // A wall share link with its QR code; opened elsewhere; revoked: the wall loses access.
    await p.getByRole('tab', { name: 'Share links' }).click();
    await p.getByRole('radio', { name: 'TV wall' }).check();
    await p.getByLabel('Campaign').selectOption({ label: 'Spring Glow 2027' });
    await p.getByLabel('Label').fill('Lobby TV');
    await p.getByRole('button', { name: 'Create link' }).click();
    const url = (await p.getByTestId('share-url').textContent({ timeout: 10_000 }))!;
    expect(url).toContain('/wall/spring-glow-2027?token=prt_');
    await p.getByRole('img', { name: 'QR code of the wall link' }).waitFor();
    const tv = await (
      await suite.browser
        .newContext({ viewport: { width: 1920, height: 1080 } })
        .then((c) => (suite.contexts.push(c), c))
    ).newPage();
    await tv.goto(url);
    await tv.locator('[data-health="live"]').waitFor({ timeout: 20_000 });
    const token = new URL(url).searchParams.get('token')!;
    await p.getByRole('button', { name: 'Revoke Lobby TV' }).click();
    await expect.poll(() => p.getByRole('cell', { name: 'Revoked' }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (await fetch(`${suite.product.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status,
        { timeout: 5_000 },
      )
      .toBe(401);
    await expect
      .poll(() => tv.locator('[data-health]').getAttribute('data-health'), { timeout: 15_000 })
      .not.toBe('live');

    // Who did all this: the audit log.
    await p.getByRole('tab', { name: 'Audit log' }).click();
    await expect.poll(() => p.locator('tbody').textContent(), { timeout: 10_000 }).toContain('import partner');
  });

  it('is usable on a phone: no sideways scroll, tabs and buttons big enough to tap', async () => {
    const p = await page(suite.product.adminToken, '/setup', { width: 390, height: 844 });
    await p.getByRole('tab', { name: 'Campaigns' }).waitFor();
    for (const tab of ['Campaigns', 'Partners', 'Deals & links', 'Ingest keys', 'Share links', 'Audit log']) {
      await p.getByRole('tab', { name: tab }).click();
      await p.waitForTimeout(150);
      const { scroll, inner } = await p.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      expect(scroll, tab).toBeLessThanOrEqual(inner);
      const small = await p
        .getByRole('tab')
        .evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height < 44).length);
      expect(small, tab).toBe(0);
    }
  });

  it('the war room, /me and the partner page on a phone: no sideways scroll, no header over a card, taps ≥ 44 px, names not ids', async () => {
    const pages: [string, string, string][] = [
      ['war room', suite.product.tokens.viewer, `/campaigns/${suite.product.campaignId}`],
      ['account manager', suite.product.tokens.manager, '/me'],
      [
        'partner',
        suite.product.tokens.viewer,
        `/partners/${suite.product.partner.id}?campaign=${suite.product.campaignId}`,
      ],
    ];
    for (const [name, token, path] of pages) {
      const p = await page(token, path, { width: 390, height: 844 });
      await p.locator('.card').first().waitFor({ timeout: 20_000 });
      await expect.poll(() => p.locator('h1').first().textContent(), { timeout: 10_000 }).not.toMatch(/Loading/);
      await p.waitForTimeout(500);
      const m = await p.evaluate(() => {
        const header = document.querySelector('header.top')!.getBoundingClientRect();
        const card = document.querySelector('main .card')!.getBoundingClientRect();
        const small = [...document.querySelectorAll('a[href], button, select, summary, [role=tab], input')]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            const label = e.tagName === 'INPUT' ? e.closest('label') : null;
            return r.width > 0 && r.height < 44 && !(label && label.getBoundingClientRect().height >= 44);
          })
          .map(
            (e) =>
              `${e.tagName} "${(e.textContent ?? '').trim().slice(0, 30)}" ${Math.round(e.getBoundingClientRect().height)} px`,
          );
        return {
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          headerBottom: header.bottom,
          cardTop: card.top,
          small,
          title: document.querySelector('h1')?.textContent ?? '',
        };
      });
      expect(m.scroll, name).toBeLessThanOrEqual(m.inner);
      expect(m.headerBottom, `${name}: the header overlaps the first card`).toBeLessThanOrEqual(m.cardTop);
      expect(m.small, name).toEqual([]);
      if (name === 'account manager') expect(m.title).toContain('Inês Duarte');
      expect(m.title, name).not.toMatch(/\bam-[a-z]+\b|\bp\d{3}\b/);
    }
  });

  it('is for admins: another link is told so', async () => {
    const p = await page(suite.product.tokens.viewer, '/setup');
    await expect.poll(() => p.locator('body').textContent(), { timeout: 10_000 }).toContain('Setup is for admins');
  });

  it('sends alerts where people are: a signed webhook channel added in the console, its test message verified', async () => {
    const got: { headers: Record<string, string>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ headers: req.headers as Record<string, string>, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/pulseroom`;
      const p = await page(suite.product.adminToken, '/setup?tab=alerts');
      await p.locator('select').first().selectOption(suite.product.campaignId);
      await p.locator('input[name="channel-name"]').fill('Ops receiver');
      await p.locator('select[name="channel-type"]').selectOption('webhook');
      await p.locator('input[name="channel-url"]').fill(url);
      await p.getByRole('button', { name: 'Add channel' }).click();
      const secret = (await p.getByTestId('channel-secret').textContent({ timeout: 10_000 }))!.trim();
      expect(secret).toMatch(/^whsec_/);
      const row = p.getByTestId('alert-channels').locator('li', { hasText: 'Ops receiver' });
      await row.getByRole('button', { name: 'Send test' }).click();
      await expect
        .poll(() => p.getByRole('status').first().textContent(), { timeout: 15_000 })
        .toMatch(/Test message delivered/);
      expect(got).toHaveLength(1);
      // Standard Webhooks: the receiver checks the signature with the secret it was shown once
      const payload = new Webhook(secret).verify(got[0].body, got[0].headers) as { type?: string };
      expect(payload).toBeTruthy();
      expect(await row.textContent()).not.toContain(secret.slice(10)); // never shown back
    } finally {
      receiver.close();
    }
  });
});
