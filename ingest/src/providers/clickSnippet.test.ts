// The shop's first-party click-id script (examples/pulseroom-click.js), run in a fake page: it must stay small, keep
// the landing URL's click id in a cookie, and hand it to checkout in the names ingest reads.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CLICK_ID_ATTRIBUTES } from './shopify.js';

const SOURCE = readFileSync(new URL('../../../examples/pulseroom-click.js', import.meta.url), 'utf8');

interface FakeElement {
  attrs: Record<string, string>;
  children: FakeElement[];
  href?: string;
  type?: string;
  name?: string;
  value?: string;
  getAttribute(n: string): string | null;
  querySelector(sel: string): FakeElement | null;
  appendChild(c: FakeElement): void;
}

function element(attrs: Record<string, string> = {}, children: FakeElement[] = []): FakeElement {
  return {
    attrs,
    children,
    href: attrs.href,
    getAttribute: (n) => attrs[n] ?? null,
    querySelector(sel) {
      const name = /input\[name="([^"]+)"\]/.exec(sel)?.[1];
      return this.children.find((c) => c.name === name) ?? null;
    },
    appendChild(c) {
      this.children.push(c);
    },
  };
}

/** A page at `href` with a cookie jar, forms and links; returns what the script did. */
function page(
  href: string,
  opts: { cookies?: Record<string, string>; shopify?: boolean; forms?: FakeElement[]; links?: FakeElement[] } = {},
) {
  const jar = { ...opts.cookies };
  const written: string[] = [];
  const posts: { url: string; body: unknown }[] = [];
  const forms = opts.forms ?? [];
  const links = opts.links ?? [];
  const document = {
    get cookie() {
      return Object.entries(jar)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
    },
    set cookie(s: string) {
      written.push(s);
      const [pair] = s.split(';');
      const [k, v] = pair.split('=');
      jar[k] = v;
    },
    querySelectorAll: (sel: string) => (sel.startsWith('form') ? forms : sel.includes('buy.stripe.com') ? links : []),
    createElement: () => element(),
  };
  const url = new URL(href);
  const window: Record<string, unknown> = {
    location: { search: url.search, protocol: url.protocol },
    ...(opts.shopify
      ? {
          Shopify: {},
          fetch: (u: string, init: { body: string }) => {
            posts.push({ url: u, body: JSON.parse(init.body) });
            return Promise.resolve({});
          },
        }
      : {}),
  };
  runInNewContext(SOURCE, { window, document, URL, URLSearchParams, JSON });
  return { jar, written, posts, forms, links, clickId: (window.pulseroomClickId as () => string | null)() };
}

describe('the click-id snippet', () => {
  it('is at most 2 kB and has no dependencies', () => {
    expect(Buffer.byteLength(SOURCE)).toBeLessThanOrEqual(2048);
    expect(SOURCE).not.toMatch(/\b(import|require)\b/);
  });

  it('keeps the landing click id in a first-party cookie; hands it to a Shopify cart, forms, Payment Links', () => {
    const form = element({ 'data-pulseroom-checkout': '' });
    const named = element({ 'data-pulseroom-checkout': 'ref_click' });
    const pay = element({ href: 'https://buy.stripe.com/test_28o5mP?prefilled_email=a%40b.c' });
    const p = page('https://shop.example.com/spring?ref=ana&click_id=ck_123', {
      shopify: true,
      forms: [form, named],
      links: [pay],
    });
    expect(p.clickId).toBe('ck_123');
    expect(p.written).toEqual(['_pr_click=ck_123; Max-Age=2592000; Path=/; SameSite=Lax; Secure']);
    expect(p.posts).toEqual([{ url: '/cart/update.js', body: { attributes: { _click_id: 'ck_123' } } }]);
    // the cart attribute is one of the note attributes the Shopify mapping reads
    expect(CLICK_ID_ATTRIBUTES).toContain(Object.keys((p.posts[0].body as { attributes: object }).attributes)[0]);
    expect(form.children.map((c) => [c.type, c.name, c.value])).toEqual([['hidden', 'click_id', 'ck_123']]);
    expect(named.children.map((c) => c.name)).toEqual(['ref_click']);
    expect(new URL(pay.href!).searchParams.get('client_reference_id')).toBe('ck_123');
    expect(new URL(pay.href!).searchParams.get('prefilled_email')).toBe('a@b.c');
  });

  it('reads the cookie on later pages, adds no second field, and writes no cookie without a click id', () => {
    const form = element({ 'data-pulseroom-checkout': '' }, []);
    form.appendChild({ ...element(), name: 'click_id', value: 'kept' });
    const later = page('http://shop.example.com/checkout', {
      cookies: { _pr_click: 'ck_123', other: 'x' },
      forms: [form],
    });
    expect(later.clickId).toBe('ck_123');
    expect(later.written).toEqual([]);
    expect(form.children.map((c) => c.value)).toEqual(['kept']);
    expect(page('https://shop.example.com/').clickId).toBeNull();
  });

  it('ignores a click id that is not one (no cookie injection through the URL)', () => {
    const p = page('https://shop.example.com/?click_id=' + encodeURIComponent('x; Domain=evil.example'));
    expect(p.written).toEqual([]);
    expect(p.clickId).toBeNull();
    expect(page('https://shop.example.com/', { cookies: { _pr_click: '<script>' } }).clickId).toBeNull();
  });
});
