// The redirect fast path: the same answers as the general code it shortcuts (proxy-addr, redirectUrl, zod), and every
// click recorded once through node:http ahead of any middleware, as the one-process product serves `/r/:code`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import proxyaddr from 'proxy-addr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickEvent } from '@pulseroom/schema';
import { DimensionCache, keyedHash, type LinkTarget, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { createIngest, type Ingest } from './index.js';
import { cachedRedirectUrl, clientAddress, trustNone, type TrustProxy } from './redirects.js';
import { query, seedLaunch, testIngestConfig } from './testing.js';
import { clickEventFor, redirectUrl } from './trackingLinks.js';

const fakeReq = (remoteAddress: string | undefined, xff?: string) =>
  ({
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  const trusts: [string, TrustProxy][] = [
    ['none', trustNone],
    ['loopback', proxyaddr.compile('loopback')],
    ['a subnet', proxyaddr.compile(['10.0.0.0/8', 'fd00::/8'])],
    ['all', () => true],
    ['first hop only', (_addr, i) => i < 1],
  ];
  const sockets = ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '203.0.113.9', 'fd00::5'];
  const headers = [
    undefined,
    '',
    '198.51.100.7',
    '  198.51.100.7  ',
    '198.51.100.7 ',
    '   ',
    'not-an-ip',
    '2001:db8::1',
    '198.51.100.7, 10.0.0.2',
    '198.51.100.7,10.9.9.9, 127.0.0.1',
    ' , 198.51.100.7',
    '198.51.100.7,',
  ];

  it('answers as proxy-addr for every trust setting, socket and X-Forwarded-For', () => {
    for (const [, trust] of trusts) {
      const fast = clientAddress(trust);
      for (const s of sockets)
        for (const h of headers)
          for (let round = 0; round < 2; round++)
            expect(fast(fakeReq(s, h)), `${s} / ${JSON.stringify(h)}`).toBe(proxyaddr(fakeReq(s, h), trust));
    }
  });

  it('asks the trust function once per socket address, not per request', () => {
    let calls = 0;
    const loopback = proxyaddr.compile('loopback');
    const fast = clientAddress((addr, i) => {
      calls++;
      return loopback(addr, i);
    });
    for (let i = 0; i < 50; i++) expect(fast(fakeReq('127.0.0.1', `10.0.${i}.1`))).toBe(`10.0.${i}.1`);
    expect(calls).toBe(1);
  });
});

describe('cachedRedirectUrl', () => {
  const links: LinkTarget['link'][] = [
    {
      code: 'a',
      destination: 'https://shop.example.com/spring?ref=ana',
      utm_source: 'instagram',
      utm_medium: 'affiliate',
      utm_campaign: 'spring',
    },
    {
      code: 'b',
      destination: 'https://shop.example.com/p?ref=a&utm_source=old#top',
      utm_source: 'tiktok',
      utm_campaign: 'drop',
    },
    { code: 'c', destination: 'https://shop.example.com/p?click_id=stale&x=1' },
    { code: 'd', destination: 'https://shop.example.com/ünïcode path?q=a b' },
    { code: 'e', destination: 'https://shop.example.com/?note=ck_0000clickid0000mark' },
  ];

  it('is redirectUrl, whatever the destination carries', () => {
    for (const link of links)
      for (const id of ['ck_AAAAAAAAAAAAAAAA', 'ck_-_09azAZ-_09azAZ'])
        expect(cachedRedirectUrl(link, id)).toBe(redirectUrl(link, id));
  });

  it('follows a link changed by a dimension refresh (a new link object)', () => {
    const before = { code: 'r', destination: 'https://old.example.com/' };
    expect(cachedRedirectUrl(before, 'ck_1')).toBe('https://old.example.com/?click_id=ck_1');
    expect(cachedRedirectUrl({ ...before, destination: 'https://new.example.com/' }, 'ck_2')).toBe(
      'https://new.example.com/?click_id=ck_2',
    );
  });
});

describe('clickEventFor', () => {
  it('builds clicks the schema accepts unchanged (the recorder hands them to the pipeline without zod)', () => {
    const target: LinkTarget = {
      link: { code: 'ana-spring', destination: 'https://shop.example.com/', platform: 'instagram' },
      deal: { campaign_id: 'spring-drop', partner_id: 'ana' } as LinkTarget['deal'],
    };
    const nasty = [
      '',
      'Mozilla/5.0\u0000\u0007\t\n\r\u001f\u007f end',
      'x'.repeat(5000),
      '😀'.repeat(1500),
      'ü'.repeat(3000),
    ];
    for (const userAgent of nasty) {
      for (const referrer of nasty) {
        const built = clickEventFor(
          target,
          'ck_-_09azAZ-_09azAZ',
          { ip: '::ffff:10.0.0.1', userAgent, referrer },
          Date.now(),
        );
        const parsed = clickEvent.safeParse(built);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(parsed.data).toEqual(built);
      }
    }
  });
});

describe('fastRedirect on node:http', () => {
  let store: Store;
  let ingest: Ingest;
  let server: Server;
  let base = '';
  let hashKey = '';
  beforeAll(async () => {
    store = await openTestStore();
    await seedLaunch(store);
    const config = testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' });
    hashKey = config.hashKey;
    const dims = await DimensionCache.open(store.client, 0);
    // as app/src/start.ts mounts it: the product trusts X-Forwarded-For from loopback
    ingest = createIngest({
      store,
      dims,
      config,
      logger: pino({ level: 'silent' }),
      trustProxy: proxyaddr.compile('loopback'),
    });
    await ingest.start();
    server = createServer((req, res) => {
      if (!ingest.redirect(req, res)) res.writeHead(404).end('not the fast path');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await store?.close();
  });

  it('answers 302 with the redirect headers; anything but a known link falls through', async () => {
    const res = await fetch(`${base}/r/ana-spring?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(
      /^https:\/\/shop\.example\.com\/spring\?ref=ana&utm_source=instagram&utm_medium=affiliate&utm_campaign=spring&click_id=ck_[A-Za-z0-9_-]{16}$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-length')).toBe('0');
    expect((await fetch(`${base}/r/ana%2Dspring`, { redirect: 'manual' })).status).toBe(302); // percent-encoded code
    for (const path of ['/r/no-such-link', '/r/', '/r/ana-spring/x', '/r/%E0%A4%A', '/x/ana-spring'])
      expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status, path).toBe(404);
    expect((await fetch(`${base}/r/ana-spring`, { method: 'POST', redirect: 'manual' })).status).toBe(404);
  });

  it('records every click once, its visitor from X-Forwarded-For behind a trusted proxy, and counts the answers', async () => {
    const before = await ingest.registry.getSingleMetric('pulseroom_ingest_requests_total')!.get();
    const count0 = before.values.find((v) => v.labels.route === 'redirect')?.value ?? 0;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${base}/r/${i % 2 ? 'ana-spring' : 'ben-spring'}`, {
          redirect: 'manual',
          headers: {
            'user-agent': `Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) visitor-${i}`,
            'x-forwarded-for': `198.51.100.${i}`,
          },
        }),
      ),
    );
    expect(answers.every((r) => r.status === 302)).toBe(true);
    const ids = answers.map((r) => new URL(r.headers.get('location')!).searchParams.get('click_id')!);
    await ingest.stop(); // drains the recorder into the spool and flushes it
    const rows = await query<{ click_id: string; visitor_hash: string; is_unique: number; n: number }>(
      store,
      'SELECT click_id, any(visitor_hash) AS visitor_hash, any(is_unique) AS is_unique, count() AS n FROM events WHERE click_id IN {ids:Array(String)} GROUP BY click_id',
      { ids },
    );
    expect(rows).toHaveLength(60);
    const byId = new Map(rows.map((r) => [r.click_id, r]));
    ids.forEach((id, i) => {
      expect(byId.get(id)).toEqual({
        click_id: id,
        visitor_hash: keyedHash(
          hashKey,
          `198.51.100.${i}|Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) visitor-${i}`,
        ),
        is_unique: 1,
        n: 1,
      });
    });
    const after = await ingest.registry.getSingleMetric('pulseroom_ingest_requests_total')!.get();
    expect(after.values.find((v) => v.labels.route === 'redirect' && v.labels.status === '302')?.value).toBe(
      count0 + 60,
    );
  });
});
