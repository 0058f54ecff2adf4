// ROUTE CONTRACT: every route the product registers (read from its own route tables, so a route added later is
// walked without editing this file) × every role × an id outside the token's scope → 401/403/404 with the JSON error
// envelope and nothing of the resource; every route × broken percent-encoding, a wrong method, an oversized body and
// a wrong content type → a JSON 4xx. Then the defects each of these classes once let through, one test each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickEvent, commentEvent, conversionEvent, engagementEvent, postEvent, refundEvent } from '@pulseroom/schema';
import { createSource, createToken, type RouteEntry } from '@pulseroom/schema/server';
import { CAMPAIGN, OTHER_CAMPAIGN, query } from '@pulseroom/ingest/testing';
import { startInProcessProduct, type InProcessProduct } from './inProcessProduct.js';

const KEY = 'prk_contract_test_key_cccccccccccccccccc';
const SPA_MARK = 'PULSEROOM-SPA-SHELL';
let p: InProcessProduct;
let fallKey = '';

/** Dashboard roles of the seeded launch: ana (am-1) has deals in both campaigns, ben only in CAMPAIGN. */
const ROLES = ['admin', 'viewer', 'viewer2', 'manager', 'wall'] as const;
type Role = (typeof ROLES)[number];
const token: Record<Role, string> = { admin: '', viewer: '', viewer2: '', manager: '', wall: '' };
/** Ids each role may not see (each names no resource of its scope, whichever route it is put in). */
const OUTSIDE: Record<Role, string[]> = {
  admin: ['zz-nope'],
  viewer: ['zz-nope', OTHER_CAMPAIGN],
  viewer2: ['zz-nope', CAMPAIGN, 'ben'],
  manager: ['zz-nope', 'ben'],
  wall: ['zz-nope', OTHER_CAMPAIGN],
};
/** Campaigns each role may see, put in `?campaign_id=` to narrow a read to somewhere the id is not. */
const VISIBLE: Record<Role, string[]> = {
  admin: [CAMPAIGN, OTHER_CAMPAIGN],
  viewer: [CAMPAIGN],
  viewer2: [OTHER_CAMPAIGN],
  manager: [CAMPAIGN, OTHER_CAMPAIGN],
  wall: [CAMPAIGN],
};

beforeAll(async () => {
  const web = mkdtempSync(join(tmpdir(), 'pulseroom-web-'));
  writeFileSync(join(web, 'index.html'), `<!doctype html><title>${SPA_MARK}</title>`);
  p = await startInProcessProduct({ sourceKey: KEY, webDir: web });
  token.admin = (await createToken(p.store.client, { role: 'admin', label: 'contract admin' })).token;
  token.viewer = (await createToken(p.store.client, { role: 'viewer', campaign_ids: [CAMPAIGN] })).token;
  token.viewer2 = (await createToken(p.store.client, { role: 'viewer', campaign_ids: [OTHER_CAMPAIGN] })).token;
  token.manager = (await createToken(p.store.client, { role: 'manager', manager_id: 'am-1' })).token;
  token.wall = (await createToken(p.store.client, { role: 'wall', campaign_ids: [CAMPAIGN] })).token;
  fallKey = (await createSource(p.store.client, { name: 'fall only', campaign_ids: [OTHER_CAMPAIGN] })).key;
}, 60_000);
afterAll(async () => {
  await p?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code?: unknown; message?: unknown } } | null;
}

async function send(
  method: string,
  path: string,
  init: { auth?: string; body?: string | Buffer; type?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth) headers.authorization = `Bearer ${init.auth}`;
  if (init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  const body = typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body);
  const res = await fetch(p.base + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: Answer['json'] = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A JSON 4xx in the one envelope: `{ error: { code, message } }`, and nothing else of the resource. */
function expectEnvelope(a: Answer, what: string, statuses?: number[]): void {
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 200)}`).toBeLessThan(500);
  if (statuses) expect(statuses, `${what} → ${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
  expect(a.headers.get('content-type') ?? '', `${what}: content type`).toMatch(/^application\/json/);
  expect(typeof a.json?.error?.code, `${what}: error.code in ${a.text.slice(0, 200)}`).toBe('string');
  expect(typeof a.json?.error?.message, `${what}: error.message`).toBe('string');
  expect(a.text).not.toContain(SPA_MARK);
}

const fill = (path: string, value: string) => path.replace(/:[A-Za-z_]+/g, value);
const credential = (r: RouteEntry, role: Role = 'admin') =>
  r.auth === 'source' ? KEY : r.auth === 'public' ? undefined : token[role];
const paths = () => [...new Set(p.routes.map((r) => r.path))];

describe('the route table', () => {
  it("is the product's own, and holds every public surface", () => {
    const names = p.routes.map((r) => `${r.method} ${r.path}`);
    for (const must of [
      'GET /api/campaigns/:id/summary',
      'GET /api/partners/:id',
      'PUT /api/admin/deals/:id',
      'POST /v1/events',
      'GET /v1/postback',
      'POST /v1/conversions',
      'GET /r/:code',
      'GET /healthz',
      'GET /metrics',
    ]) {
      expect(names).toContain(must);
    }
    // the providers' webhooks (issue 21): orders from where they live
    const hooks = [
      'POST /v1/webhooks/shopify/:source_id',
      'POST /v1/webhooks/stripe/:source_id',
      'POST /v1/track',
      'POST /v1/batch',
    ];
    for (const must of hooks) expect(names).toContain(must);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("every route × every role × an id outside the token's scope", () => {
  it("answers 401, 403 or 404 with the JSON envelope, and an admin's unknown id the same", async () => {
    let probes = 0;
    for (const r of p.routes.filter((x) => x.auth === 'dashboard' || x.auth === 'admin')) {
      for (const role of ROLES) {
        for (const id of r.path.includes(':') ? OUTSIDE[role] : ['']) {
          const base = fill(r.path, id);
          const variants =
            r.method === 'GET'
              ? [base, ...VISIBLE[role].map((c) => `${base}?campaign_id=${c}&partner_id=${id || 'zz-nope'}`)]
              : [base];
          for (const path of variants) {
            const a = await send(r.method, path, {
              auth: token[role],
              body: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}',
            });
            probes++;
            // An admin's PUT of an unknown id is a create: an empty document is then a bad request (400).
            const expected = role === 'admin' && r.method === 'PUT' ? [400] : [403, 404];
            if (!r.path.includes(':') && (role === 'admin' || r.auth === 'dashboard')) {
              // No id to be outside of: a route without one answers within the scope (checked by the scope matrix).
              expect(a.status, `${role} ${r.method} ${path}`).toBeLessThan(500);
              continue;
            }
            if (r.auth === 'admin' && role !== 'admin') {
              expectEnvelope(a, `${role} ${r.method} ${path}`, [403]);
              continue;
            }
            expectEnvelope(a, `${role} ${r.method} ${path}`, expected);
          }
        }
      }
      const none = await send(r.method, fill(r.path, 'zz-nope'));
      expectEnvelope(none, `no token ${r.method} ${r.path}`, [401]);
    }
    expect(probes).toBeGreaterThan(100);
  });

  it('answers a source key outside its campaigns, and no key, with a JSON 401/403', async () => {
    const click = {
      event_id: 'scope-1',
      type: 'click',
      ts: Date.now() - 1000,
      campaign_id: CAMPAIGN,
      link_code: 'ana-spring',
    };
    expectEnvelope(
      await send('POST', '/v1/events', { auth: fallKey, body: JSON.stringify({ events: [click] }) }),
      'events for another campaign',
      [400, 403],
    );
    expectEnvelope(
      await send('POST', '/v1/conversions', {
        auth: fallKey,
        body: JSON.stringify({ order_id: 'o-scope', amount: 5, currency: 'EUR', campaign_id: CAMPAIGN }),
      }),
      'conversion for another campaign',
      [400, 403],
    );
    for (const r of p.routes.filter((x) => x.auth === 'source')) {
      expectEnvelope(
        await send(r.method, r.path, { body: r.method === 'GET' ? undefined : '{}' }),
        `no key ${r.method} ${r.path}`,
        [401],
      );
      expectEnvelope(
        await send(r.method, r.path, { auth: 'prk_not_a_key', body: r.method === 'GET' ? undefined : '{}' }),
        `bad key ${r.method} ${r.path}`,
        [401],
      );
    }
  });
});

describe('every route × malformed requests', () => {
  it('broken percent-encoding in a path parameter or the query → a JSON 400 (a link: 400 or a plain 404)', async () => {
    for (const r of p.routes) {
      const path = r.path.includes(':') ? fill(r.path, '%ZZ') : `${r.path}?window=%ZZ&x=%E0%A4%A`;
      const a = await send(r.method, path, {
        auth: credential(r),
        body: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}',
      });
      if (r.path.startsWith('/r/')) {
        expect([400, 404], `${r.method} ${path}`).toContain(a.status);
        expect(a.text).not.toContain(SPA_MARK);
        continue;
      }
      if (r.path.includes(':')) expectEnvelope(a, `${r.method} ${path}`, [400]);
      else expect(a.status, `${r.method} ${path} → ${a.text.slice(0, 200)}`).toBeLessThan(500);
    }
    for (const path of ['/api/campaigns/%ZZ/summary', '/api/%ZZ', '/v1/%ZZ', '/api/partners/%E0%A4%A'])
      expectEnvelope(await send('GET', path, { auth: token.admin }), path);
  });

  it('a method a path does not take → 405 with Allow (OPTIONS → 204 with Allow), as JSON', async () => {
    for (const path of paths()) {
      const taken = p.routes.filter((r) => r.path === path).map((r) => r.method as string);
      const r = p.routes.find((x) => x.path === path)!;
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        if (taken.includes(method)) continue;
        const a = await send(method, fill(path, 'zz-nope'), { auth: credential(r) });
        // The auth of the route comes first: without the role it needs, 401/403 — still JSON.
        expectEnvelope(a, `${method} ${path}`, [405]);
        const allow = (a.headers.get('allow') ?? '').split(', ');
        for (const m of taken) expect(allow, `${method} ${path}`).toContain(m);
      }
      const o = await send('OPTIONS', fill(path, 'zz-nope'), { auth: credential(r) });
      expect(o.status, `OPTIONS ${path}`).toBe(204);
      expect(o.headers.get('allow') ?? '').toContain(taken[0]);
    }
  });

  it('an oversized body → 413, a body that is not JSON → a JSON 4xx, on every route that takes one', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0x61);
    for (const r of p.routes.filter((x) => x.method === 'POST' || x.method === 'PUT')) {
      const path = fill(r.path, 'zz-nope');
      expectEnvelope(
        await send(r.method, path, { auth: credential(r), body: big }),
        `${r.method} ${path} (2 MB)`,
        [413],
      );
      expectEnvelope(
        await send(r.method, path, { auth: credential(r), body: '<order id="1"/>', type: 'application/xml' }),
        `${r.method} ${path} (XML)`,
        [400, 415],
      );
    }
  });
});

describe('the defects each class once let through', () => {
  it('1. a partner outside the campaign asked for is 404, the same answer as an unknown id', async () => {
    const unknown = await send('GET', `/api/partners/zz-nope?campaign_id=${OTHER_CAMPAIGN}`, { auth: token.viewer2 });
    for (const role of ['viewer2', 'admin'] as const) {
      const a = await send('GET', `/api/partners/ben?campaign_id=${OTHER_CAMPAIGN}`, { auth: token[role] });
      expectEnvelope(a, role, [404]);
      expect(a.json!.error!.code).toBe(unknown.json!.error!.code);
      expect(a.text).not.toContain('@ben');
    }
    const wall = await send('GET', `/api/partners/ana?campaign_id=${OTHER_CAMPAIGN}`, { auth: token.wall });
    expectEnvelope(wall, 'wall, a campaign it may not see', [404]);
    expect((await send('GET', `/api/partners/ben?campaign_id=${CAMPAIGN}`, { auth: token.viewer })).status).toBe(200);
  });

  it("2. broken percent-encoding is the client's mistake: 400, never 500", async () => {
    expectEnvelope(await send('GET', '/api/campaigns/%ZZ/summary', { auth: token.viewer }), 'summary', [400]);
    expectEnvelope(await send('GET', '/api/partners/%ZZ', { auth: token.viewer }), 'partner', [400]);
    expect([400, 404]).toContain((await send('GET', '/r/%ZZ')).status);
  });

  it('3. an optional field of any event type present with the wrong type is an error naming it', async () => {
    const ts = Date.now() - 60_000;
    const valid: Record<string, Record<string, unknown>> = {
      engagement: { type: 'engagement', content_id: 'c-1', views: 10 },
      comment: { type: 'comment', content_id: 'c-1', text: 'love it' },
      click: { type: 'click', link_code: 'ana-spring' },
      conversion: { type: 'conversion', order_id: 'o-typed', amount: 10, currency: 'EUR' },
      refund: { type: 'refund', order_id: 'o-typed', amount: 1 },
      post: { type: 'post', content_id: 'c-1', url: 'https://example.com/p/1' },
    };
    const schemas = {
      engagement: engagementEvent,
      comment: commentEvent,
      click: clickEvent,
      conversion: conversionEvent,
      refund: refundEvent,
      post: postEvent,
    };
    let n = 0;
    for (const [type, schema] of Object.entries(schemas)) {
      const shape =
        (schema as unknown as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape ??
        (
          schema as unknown as {
            def: { in: { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> } };
          }
        ).def.in.shape;
      for (const [field, fieldSchema] of Object.entries(shape)) {
        if (!fieldSchema.safeParse(undefined).success) continue; // required: covered by the fuzz
        const wrong = { nested: ['wrong', 'type'] };
        const ev = { event_id: `typed-${type}-${field}`, ts, campaign_id: CAMPAIGN, ...valid[type], [field]: wrong };
        const a = await send('POST', '/v1/events', { auth: KEY, body: JSON.stringify({ events: [ev] }) });
        expectEnvelope(a, `${type}.${field}`, [400]);
        expect(a.json!.error!.message, `${type}.${field}`).toMatch(new RegExp(`^events\\[0\\]\\.${field}: expected`));
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
    const sub = await send('POST', '/v1/conversions', {
      auth: KEY,
      body: JSON.stringify({ order_id: 'o-sub', amount: 10, currency: 'EUR', campaign_id: CAMPAIGN, sub: 'cmp-7' }),
    });
    expectEnvelope(sub, 'conversion sub as a string', [400]);
    expect(sub.json!.error!.message).toContain('sub: expected an array');
    const pb = await send('POST', '/v1/postback', {
      auth: KEY,
      body: JSON.stringify({ order_id: 'o-pb-sub', amount: 10, campaign_id: CAMPAIGN, sub1: { a: 1 } }),
    });
    expectEnvelope(pb, 'postback sub1 as an object', [400]);
    expect(pb.json!.error!.message).toContain('sub1: expected a string');
    const repeated = await send(
      'GET',
      `/v1/postback?key=${KEY}&order_id=o-rep&amount=5&campaign_id=${CAMPAIGN}&sub1=a&sub1=b`,
    );
    expectEnvelope(repeated, 'a repeated postback parameter', [400]);
    expect(
      await query(p.store, "SELECT event_id FROM events WHERE order_id IN ('o-sub', 'o-pb-sub', 'o-rep')"),
    ).toEqual([]);
  });

  it('4. a click on a tracking link no deal has is rejected, naming link_code', async () => {
    const a = await send('POST', '/v1/events', {
      auth: KEY,
      body: JSON.stringify({
        events: [
          {
            event_id: 'unknown-link-1',
            type: 'click',
            ts: Date.now() - 1000,
            campaign_id: CAMPAIGN,
            link_code: 'no-such-link',
          },
        ],
      }),
    });
    expectEnvelope(a, 'unknown link', [400]);
    expect(a.json!.error!.message).toContain('events[0].link_code: unknown tracking link "no-such-link"');
  });

  it('5. a lone surrogate in any text is rejected naming the field, not replaced', async () => {
    const body = `{"events":[{"event_id":"surrogate-1","type":"comment","ts":${Date.now() - 1000},"campaign_id":"${CAMPAIGN}","content_id":"c-1","text":"nice \\ud83d only half"}]}`;
    const a = await send('POST', '/v1/events', { auth: KEY, body });
    expectEnvelope(a, 'lone surrogate', [400]);
    expect(a.json!.error!.message).toContain('events[0].text: expected well-formed Unicode');
    const pair = body.replace('surrogate-1', 'surrogate-2').replace('\\ud83d only half', '\\ud83d\\ude00 whole');
    expect((await send('POST', '/v1/events', { auth: KEY, body: pair })).status).toBe(200);
  });

  it('6. HEAD of a link gets the 302 and records nothing; link-preview fetchers are bots', async () => {
    const head = await send('HEAD', '/r/ben-spring', { headers: { referer: 'https://head.example/1' } });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/spring/);
    // Real user agents of the fetchers that unfurl a link pasted into a chat or a post.
    const previews = [
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      'Twitterbot/1.0',
      'WhatsApp/2.23.20.0 A',
      'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
      'TelegramBot (like TwitterBot)',
      'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
      'Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)',
      'Mozilla/5.0 (compatible; Snap URL Preview Service; bot; snapchat; https://developers.snap.com/robots)',
      'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36 SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
      'http.rb/5.2.0 (Mastodon/4.2.1; +https://mastodon.social/)',
      'Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)',
    ];
    const person =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    for (const [i, ua] of [...previews, person].entries()) {
      const a = await send('GET', '/r/ben-spring', {
        headers: { 'user-agent': ua, referer: `https://preview.example/${i}` },
      });
      expect(a.status, ua).toBe(302);
    }
    let rows: { referrer: string; bot: number; is_unique: number }[] = [];
    for (let i = 0; i < 100 && rows.length < previews.length + 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await query(
        p.store,
        "SELECT referrer, bot, is_unique FROM events WHERE type = 'click' AND (referrer LIKE 'https://preview.example/%' OR referrer LIKE 'https://head.example/%')",
      );
    }
    expect(rows.filter((r) => r.referrer.startsWith('https://head.example/'))).toEqual([]);
    const byRef = new Map(rows.map((r) => [r.referrer, r]));
    previews.forEach((ua, i) =>
      expect(byRef.get(`https://preview.example/${i}`), ua).toMatchObject({ bot: 1, is_unique: 0 }),
    );
    expect(byRef.get(`https://preview.example/${previews.length}`)).toMatchObject({ bot: 0, is_unique: 1 });
  });

  it('7. anything under /r/ that is not a known code is a 404: never the web app, never a redirect', async () => {
    for (const path of [
      '/r//evil.example',
      '/r//evil.example/x',
      '/r/ana-spring/extra',
      '/r/',
      '/r',
      '/r/no-such-code',
      '/r/%2F%2Fevil.example',
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const a = await send(method, path);
        expect(a.status, `${method} ${path}`).toBe(404);
        expect(a.headers.get('location'), path).toBeNull();
        expect(a.text, path).not.toContain(SPA_MARK);
      }
    }
    expect((await send('GET', '/campaigns/spring-drop')).text).toContain(SPA_MARK); // the web app is still served
  });

  it('8. an unknown route or method under /v1 and /api answers JSON', async () => {
    const put = await send('PUT', '/v1/events', { auth: KEY, body: '{"events":[]}' });
    expectEnvelope(put, 'PUT /v1/events', [405]);
    expect(put.headers.get('allow')).toContain('POST');
    expectEnvelope(await send('DELETE', '/api/campaigns', { auth: token.admin }), 'DELETE /api/campaigns', [405]);
    for (const [m, path] of [
      ['GET', '/v1/nope'],
      ['POST', '/v1'],
      ['GET', '/api/nope'],
      ['PATCH', '/api/admin/nope'],
    ] as const) {
      expectEnvelope(await send(m, path, { auth: path.startsWith('/api') ? token.admin : KEY }), `${m} ${path}`, [404]);
    }
  });

  it('9. a tracking-link or promo code another deal owns is refused (409) naming the code and the owner', async () => {
    const deal = (codes: { link?: string; promo?: string }) => ({
      id: 'spring-drop--ben-2',
      partner_id: 'ben',
      campaign_id: CAMPAIGN,
      commission_percent: 5,
      links: codes.link ? [{ code: codes.link, destination: 'https://shop.example.com/x' }] : [],
      promo_codes: codes.promo ? [codes.promo] : [],
    });
    const put = (d: unknown) =>
      send('PUT', '/api/admin/deals/spring-drop--ben-2', { auth: token.admin, body: JSON.stringify(d) });
    const link = await put(deal({ link: 'ANA-spring' }));
    expectEnvelope(link, 'link code taken', [409]);
    expect(link.json!.error!.message).toBe(
      'links[0].code: link code "ANA-spring" is already used by deal "spring-drop--ana"',
    );
    const promo = await put(deal({ promo: 'ana10' }));
    expectEnvelope(promo, 'promo code taken', [409]);
    expect(promo.json!.error!.message).toBe(
      'promo_codes[0]: promo code "ana10" is already used by deal "spring-drop--ana"',
    );
    expect((await put(deal({ link: 'ben-new', promo: 'BENNEW' }))).status).toBe(200);
    expect((await put(deal({ link: 'ben-new', promo: 'bennew' }))).status).toBe(200); // its own codes again
  });

  it('10. two equal partial refunds with their own ids are two refunds; without ids, one', async () => {
    const order = await send(
      'GET',
      `/v1/postback?key=${KEY}&order_id=o-refunds&amount=100&currency=EUR&campaign_id=${CAMPAIGN}&partner_id=ana`,
    );
    expect(order.status).toBe(200);
    for (const id of ['re_1', 're_2']) {
      const a = await send(
        'GET',
        `/v1/postback?key=${KEY}&order_id=o-refunds&amount=20.00&currency=EUR&status=refunded&campaign_id=${CAMPAIGN}&refund_id=${id}`,
      );
      expect(a.json, id).toMatchObject({ accepted: 1, duplicates: 0 });
    }
    const again = await send(
      'GET',
      `/v1/postback?key=${KEY}&order_id=o-refunds&amount=20.00&currency=EUR&status=refunded&campaign_id=${CAMPAIGN}&refund_id=re_2`,
    );
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 1 });
    const tx = await send(
      'GET',
      `/v1/postback?key=${KEY}&order_id=o-refunds&amount=20.00&currency=EUR&status=refunded&campaign_id=${CAMPAIGN}&transaction_id=tx-3`,
    );
    expect(tx.json).toMatchObject({ accepted: 1 });
    const noId = () =>
      send(
        'GET',
        `/v1/postback?key=${KEY}&order_id=o-refunds&amount=5&currency=EUR&status=refunded&campaign_id=${CAMPAIGN}`,
      );
    expect((await noId()).json).toMatchObject({ accepted: 1 });
    expect((await noId()).json).toMatchObject({ accepted: 0, duplicates: 1 });
    let rows: { n: string; total: string }[] = [];
    for (let i = 0; i < 100 && rows[0]?.n !== '4'; i++) {
      await new Promise((r) => setTimeout(r, 100)); // acknowledged events are in the spool; the flush follows
      rows = await query(
        p.store,
        "SELECT toString(count()) AS n, toString(sum(amount_minor)) AS total FROM events WHERE type = 'refund' AND order_id = 'o-refunds'",
      );
    }
    expect(rows[0]).toEqual({ n: '4', total: '-6500' });
  });

  it('11. a JSON body that starts with a UTF-8 byte-order mark is read as JSON on every route', async () => {
    const bom = (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]);
    const ev = {
      event_id: 'bom-1',
      type: 'comment',
      ts: Date.now() - 1000,
      campaign_id: CAMPAIGN,
      content_id: 'c-1',
      text: 'bom ok',
    };
    expect(
      (await send('POST', '/v1/events', { auth: KEY, body: bom(JSON.stringify({ events: [ev] })) })).json,
    ).toMatchObject({ accepted: 1 });
    expect(
      (
        await send('POST', '/v1/conversions', {
          auth: KEY,
          body: bom(JSON.stringify({ order_id: 'o-bom', amount: 3, currency: 'EUR', campaign_id: CAMPAIGN })),
        })
      ).json,
    ).toMatchObject({ accepted: 1 });
    expect(
      (
        await send('POST', '/v1/postback', {
          auth: KEY,
          body: bom(JSON.stringify({ order_id: 'o-bom-pb', amount: 3, campaign_id: CAMPAIGN })),
        })
      ).json,
    ).toMatchObject({ accepted: 1 });
    const admin = await send('POST', '/api/admin/sources', {
      auth: token.admin,
      body: bom(JSON.stringify({ name: 'bom source' })),
    });
    expect(admin.status).toBe(201);
  });
});
