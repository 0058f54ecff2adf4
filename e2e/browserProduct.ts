// Starts the running product for browser tests and drives it over HTTP: a product process on a fixed port
// (restartable on the same data directory), tokens, a source key, and events posted to ingest.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, ROOT } from './ports.js';

export { freePort, ROOT };

const START = path.join(ROOT, 'app/src/start.ts');

/** Debian's Chromium, driven by playwright-core (its own browser download cannot work here). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Without Chromium (a bare image) a browser suite is skipped rather than failed. */
export const hasChromium = existsSync(CHROMIUM);

export interface BrowserSuite {
  product: Product;
  browser: Browser;
  /** Contexts opened by the tests, closed after the suite. */
  contexts: BrowserContext[];
}

/**
 * The product and Chromium for a browser suite, filled into `suite` (which helpers outside the describe block hold):
 * started before its tests, stopped (with every context) after.
 */
export function browserSuite(suite: BrowserSuite): BrowserSuite {
  suite.contexts = [];
  beforeAll(async () => {
    suite.product = await startProduct({ log: !!process.env.E2E_LOG });
    suite.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);
  afterAll(async () => {
    for (const c of suite.contexts) await c.close().catch(() => {});
    await suite.browser?.close();
    await suite.product?.close();
  }, 60_000);
  return suite;
}

/** A page of the product opened with a token (in the URL, as a shared link carries it); a dialog fails the test. */
export async function openPage(
  suite: BrowserSuite,
  token: string,
  p: string,
  viewport = { width: 1920, height: 1080 },
): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport });
  suite.contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  const sep = p.includes('?') ? '&' : '?';
  await page.goto(`${suite.product.url}${p}${sep}token=${encodeURIComponent(token)}`);
  return page;
}

/** A partner of the headline campaign with a tracking link, for traffic the tests post. */
export interface TestPartner {
  id: string;
  link: string;
  platform: string;
}

export interface Product {
  url: string;
  adminToken: string;
  sourceKey: string;
  tokens: { manager: string; wall: string; viewer: string };
  /** The campaign the wall token shows (the demo's headline campaign). */
  campaignId: string;
  campaignName: string;
  currency: string;
  partner: TestPartner;
  managerId: string;
  /** Partner ids per manager id, from the loaded launch. */
  partnersOf: (managerId: string) => Set<string>;
  stop(): Promise<void>;
  /** Starts the product again on the same port and data directory. */
  restart(): Promise<void>;
  post(events: Record<string, unknown>[]): Promise<{ accepted: number; rejected: unknown[] }>;
  close(): Promise<void>;
}

async function waitHealthy(url: string, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
      last = `readyz ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`product not ready at ${url}: ${last}`);
}

async function api<T>(url: string, token: string, method: string, p: string, body?: unknown): Promise<T> {
  const r = await fetch(url + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${p} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

interface LaunchDoc {
  campaigns: { id: string; name: string; currency: string }[];
  partners: { id: string; manager_id: string; platforms: string[] }[];
  deals: { campaign_id: string; partner_id: string; links?: { code: string; platform?: string }[] }[];
}

function describeLaunch(launch: LaunchDoc, campaignId: string) {
  const campaign = launch.campaigns.find((c) => c.id === campaignId)!;
  const deal = launch.deals.find((d) => d.campaign_id === campaignId && (d.links?.length ?? 0) > 0)!;
  const link = deal.links![0];
  const p = launch.partners.find((x) => x.id === deal.partner_id)!;
  return {
    currency: campaign.currency,
    campaignName: campaign.name,
    partner: { id: p.id, link: link.code, platform: link.platform ?? p.platforms[0] },
    partnersOf: (m: string) => new Set(launch.partners.filter((x) => x.manager_id === m).map((x) => x.id)),
  };
}

/**
 * Starts the product as `npm start` does, without its simulator: `app/src/start.ts --no-sim` on a
 * free port and a temp data directory, then reads the demo's tokens, source key and launch from
 * <data dir>/demo.json.
 */
export async function startProduct(opts: { log?: boolean } = {}): Promise<Product> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pulseroom-e2e-'));
  let child: ChildProcess | null = null;

  const launch = () => {
    const args = ['--import', 'tsx', START, '--no-sim'];
    child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), PULSEROOM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => opts.log && process.stdout.write(d));
    child.stderr!.on('data', (d: Buffer) => opts.log && process.stderr.write(d));
  };

  launch();
  await waitHealthy(url);

  const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as {
    admin_token: string;
    source_key: string;
    tokens: { viewer: string; manager: string; manager_id: string; wall: string };
    launch: LaunchDoc;
  };
  const scope = await api<{ campaign_ids: string[] }>(url, demo.tokens.wall, 'GET', '/api/me');
  const campaignId = scope.campaign_ids[0];
  const info = {
    adminToken: demo.admin_token,
    sourceKey: demo.source_key,
    tokens: demo.tokens,
    campaignId,
    managerId: demo.tokens.manager_id,
    ...describeLaunch(demo.launch, campaignId),
  };

  const stop = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  };

  return {
    url,
    ...info,
    stop,
    async restart() {
      launch();
      await waitHealthy(url);
    },
    async post(events) {
      // As a source does: a 503 (the store busy just after a start: its start-up reads queue before the key look-up on
      // chDB's one connection) is retried after its Retry-After, for up to about a minute.
      for (let attempt = 1; ; attempt++) {
        const r = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${info.sourceKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        if (r.status === 503 && attempt < 12) {
          await new Promise((res) => setTimeout(res, Math.min(5, Number(r.headers.get('retry-after')) || 1) * 1000));
          continue;
        }
        if (!r.ok) throw new Error(`POST /v1/events → ${r.status} ${await r.text()}`);
        return (await r.json()) as { accepted: number; rejected: unknown[] };
      }
    },
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let n = 0;
const id = (p: string) =>
  `${p}-${Date.now().toString(36)}-${(n++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A burst of engagement, 20 unique clicks and approved orders for one partner, timed now. */
export function trafficBurst(
  campaignId: string,
  p: TestPartner,
  currency: string,
  orders = 1,
): Record<string, unknown>[] {
  const ts = Date.now();
  const out: Record<string, unknown>[] = [
    {
      event_id: id('eng'),
      type: 'engagement',
      ts,
      campaign_id: campaignId,
      partner_id: p.id,
      platform: p.platform,
      content_id: 'e2e-video',
      views: 5000,
      likes: 300,
      comments: 20,
      shares: 10,
    },
  ];
  const clicks: string[] = [];
  for (let i = 0; i < 20; i++) {
    const click_id = id('cid');
    clicks.push(click_id);
    out.push({
      event_id: id('clk'),
      type: 'click',
      ts,
      campaign_id: campaignId,
      partner_id: p.id,
      platform: p.platform,
      link_code: p.link,
      click_id,
      visitor: id('v'),
      device: 'mobile',
    });
  }
  for (let i = 0; i < orders; i++)
    out.push({
      event_id: id('cv'),
      type: 'conversion',
      ts,
      campaign_id: campaignId,
      partner_id: p.id,
      order_id: id('ord'),
      amount: 49.9,
      currency,
      status: 'approved',
      click_id: clicks[i % clicks.length],
    });
  return out;
}

export function commentEvent(campaignId: string, p: TestPartner, text: string): Record<string, unknown> {
  return {
    event_id: id('cm'),
    type: 'comment',
    ts: Date.now(),
    campaign_id: campaignId,
    partner_id: p.id,
    platform: p.platform,
    content_id: 'e2e-video',
    text,
  };
}

export function postEvent(campaignId: string, p: TestPartner, caption: string): Record<string, unknown> {
  const cid = id('post');
  return {
    event_id: id('po'),
    type: 'post',
    ts: Date.now(),
    campaign_id: campaignId,
    partner_id: p.id,
    platform: p.platform,
    content_id: cid,
    url: `https://example.com/posts/${cid}`,
    caption,
    branded_content: false,
  };
}
