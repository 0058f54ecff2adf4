// Browser test of an order's lifecycle: pending → approved → partly refunded, live on the partner page with its
// history and its commission by status, and in the payout CSV downloaded from the setup console.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, hasChromium, type BrowserSuite } from './browserProduct';

const suite = {} as BrowserSuite;

async function open(token: string, p: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport, acceptDownloads: true });
  suite.contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept()); // "mark paid?" is not asked here; anything else is accepted
  const sep = p.includes('?') ? '&' : '?';
  await page.goto(`${suite.product.url}${p}${sep}token=${encodeURIComponent(token)}`);
  return page;
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${suite.product.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${suite.product.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** A CSV line's cells (ClickHouse's CSVWithNames: quoted strings, bare numbers, "" for a quote). */
const cells = (line: string) =>
  [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1].replace(/^"|"$/g, ''));

describe.skipIf(!hasChromium)('an order through its lifecycle', () => {
  browserSuite(suite);

  it('shows pending → approved → partly refunded on the partner page with its history, and in the payout CSV', async () => {
    const { campaignId, partner, currency } = suite.product;
    // The partner's deal pays commission as soon as an order is approved (no lock), so the order is payable today.
    const deals = await admin<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/admin/deals?campaign_id=${campaignId}&partner_id=${partner.id}`,
    );
    const deal = deals.items[0];
    await admin('PUT', `/api/admin/deals/${deal.id}`, { ...deal, lock_days: 0 });

    const order = `BT-${Date.now().toString(36)}`;
    const base = { campaign_id: campaignId, partner_id: partner.id, order_id: order };
    const t0 = Date.now() - 5 * 60_000;
    await suite.product.post([
      { ...base, type: 'conversion', event_id: `${order}-1`, ts: t0, amount: 120, currency, status: 'pending' },
    ]);

    const page = await open(suite.product.adminToken, `/partners/${partner.id}?campaign=${campaignId}`);
    const row = page.locator(`[data-order="${order}"]`);
    await expect
      .poll(() => row.locator('[data-state]').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('pending');

    // approved by the shop (the page follows the live commission figures), then 20.00 of it refunded
    await suite.product.post([
      { ...base, type: 'status', event_id: `${order}-2`, ts: t0 + 60_000, status: 'approved', reason: 'paid' },
    ]);
    await expect
      .poll(() => row.locator('[data-state]').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('payable');
    await suite.product.post([
      { ...base, type: 'refund', event_id: `${order}-3`, ts: t0 + 120_000, amount: 20, currency },
    ]);
    await expect.poll(() => row.locator('.amount').textContent(), { timeout: 15_000 }).toMatch(/100\.00/);
    await row.locator('summary').click();
    const steps = await row.locator('.steps li').allTextContents();
    expect(steps).toHaveLength(3);
    expect(steps[0]).toMatch(/Order placed, pending.*120\.00/);
    expect(steps[1]).toMatch(/Pending → approved — paid/);
    expect(steps[2]).toMatch(/Refund.*-.?20\.00/);
    await expect
      .poll(() => page.getByTestId('money-states').locator('[data-state="reversed"]').textContent())
      .toMatch(/20\.00/);
    if (process.env.E2E_SHOTS)
      await page.screenshot({ path: `${process.env.E2E_SHOTS}/partner-orders-1920.png`, fullPage: true });

    // the payout CSV of today, downloaded from the setup console, holds the partner's payable commission
    const rest = await admin<{ partners: { partner_id: string; states: { payable: { commission_minor: number } } }[] }>(
      'GET',
      `/api/campaigns/${campaignId}/commissions`,
    );
    const payable = rest.partners.find((p) => p.partner_id === partner.id)!.states.payable.commission_minor;
    const orders = await admin<{ order_id: string; commission_minor: number; state: string }[]>(
      'GET',
      `/api/campaigns/${campaignId}/orders?partner_id=${partner.id}`,
    );
    const mine = orders.find((o) => o.order_id === order)!;
    expect(mine.state).toBe('payable');
    expect(payable).toBeGreaterThanOrEqual(mine.commission_minor);

    const setup = await open(suite.product.adminToken, '/setup?tab=payouts');
    const campaigns = await admin<{ id: string; timezone: string }[]>('GET', '/api/campaigns');
    const timeZone = campaigns.find((c) => c.id === campaignId)!.timezone;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
    await setup.locator('select').first().selectOption(campaignId);
    await setup.locator('input[name="period-end"]').fill(today);
    // the table follows the period picked: the partner's row shows today's payable commission
    const payoutRow = setup.locator(`[data-testid="payouts"] tr[data-partner="${partner.id}"]`);
    await expect.poll(() => payoutRow.textContent(), { timeout: 15_000 }).toContain((payable / 100).toFixed(2));
    const [download] = await Promise.all([
      setup.waitForEvent('download'),
      setup.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    const header = cells(csv[0]);
    const line = csv.map(cells).find((c) => c[0] === partner.id)!;
    const at = (name: string) => line[header.indexOf(name)];
    expect(Number(at('commission_minor'))).toBe(payable);
    expect(at('commission')).toBe((payable / 100).toFixed(2));
    expect(at('currency')).toBe(currency);
    expect(['due', 'below_minimum']).toContain(at('status'));
  }, 120_000);

  it('imports past orders from a CSV in the setup console: preview with the bad rows named, then the import', async () => {
    const { campaignId, partner, currency } = suite.product;
    const id = `CSV-${Date.now().toString(36)}`;
    const csv = [
      'order_id,ts,amount,currency,status,partner_id',
      `${id}-1,${new Date(Date.now() - 86_400_000).toISOString()},40.00,${currency},approved,${partner.id}`,
      `${id}-2,${new Date(Date.now() - 86_400_000).toISOString()},25.50,${currency},pending,${partner.id}`,
      `${id}-3,not a time,10.00,${currency},approved,${partner.id}`,
    ].join('\n');
    const page = await open(suite.product.adminToken, '/setup?tab=orders');
    await page.locator('select').first().selectOption(campaignId);
    await page.locator('textarea[name="orders-csv"]').fill(csv);
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(async () => (await page.getByTestId('order-import-plan').textContent())?.replace(/\s+/g, ' '), {
        timeout: 15_000,
      })
      .toMatch(/3 rows — 2 new orders, 0 status changes, 0 already stored as they are, 1 problems/);
    expect(await page.locator('table.errors tbody tr').first().textContent()).toMatch(/^3\s*ts/);
    await page.getByRole('button', { name: 'Import 2 orders' }).click();
    await expect
      .poll(() => page.getByTestId('order-import-result').textContent(), { timeout: 15_000 })
      .toMatch(/Imported 2 orders/);
    await expect
      .poll(
        async () =>
          (
            await admin<{ order_id: string; status: string }[]>(
              'GET',
              `/api/campaigns/${campaignId}/orders?partner_id=${partner.id}`,
            )
          )
            .filter((o) => o.order_id.startsWith(id))
            .map((o) => `${o.order_id} ${o.status}`)
            .sort(),
        { timeout: 15_000 },
      )
      .toEqual([`${id}-1 approved`, `${id}-2 pending`]);
    // the console's own import key is revoked once the import is done
    const sources = await admin<{ name: string; revoked: boolean }[]>('GET', '/api/admin/sources');
    const mine = sources.filter((s) => s.name.startsWith('Order import (setup console'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((s) => s.revoked)).toBe(true);
  }, 90_000);
});
