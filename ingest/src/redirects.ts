// Tracking-link redirects: the 302 to the stored destination, then the click. A plain node:http handler, so the
// one-process product can answer `/r/:code` in front of the whole Express app (no middleware on the shopper's path).
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { DimensionCache, LinkTarget } from '@pulseroom/schema/server';
import type { ClickRecorder } from './clickRecorder.js';
import type { IngestMetrics } from './metrics.js';
import { clickEventFor, newClickId, redirectUrl, type ClickRequest } from './trackingLinks.js';

export interface RedirectDeps {
  dims: DimensionCache;
  clicks: ClickRecorder;
  metrics: IngestMetrics;
  clock: () => number;
}

/** Which proxies' X-Forwarded-For to believe (proxy-addr's compiled trust function). */
export type TrustProxy = (addr: string, i: number) => boolean;
export const trustNone: TrustProxy = proxyaddr.compile([]);

/** A click id as newClickId makes it: what the cached redirect URL's template is split at. */
const CLICK_ID_MARK = 'ck_0000clickid0000mark';
/** Each link's redirect URL around its click id (WeakMap: a dimension refresh brings new link objects). */
const urlTemplates = new WeakMap<LinkTarget['link'], readonly [string, string] | null>();

/**
 * `redirectUrl`, without parsing the destination again for every redirect: the same text, the click id put in its
 * place.
 */
export function cachedRedirectUrl(link: LinkTarget['link'], clickId: string): string {
  let t = urlTemplates.get(link);
  if (t === undefined) {
    const parts = redirectUrl(link, CLICK_ID_MARK).split(CLICK_ID_MARK);
    t = parts.length === 2 ? [parts[0], parts[1]] : null; // the mark elsewhere in the destination: parse each time
    urlTemplates.set(link, t);
  }
  return t ? t[0] + clickId + t[1] : redirectUrl(link, clickId);
}

/**
 * 302 to the link's stored destination (plus UTM fields and a new click id: nothing from the request), then records the
 * click (not for a HEAD).
 */
export function answerRedirect(
  d: RedirectDeps,
  target: LinkTarget,
  client: ClickRequest,
  res: ServerResponse,
  record = true,
): void {
  const clickId = newClickId();
  res.writeHead(302, {
    Location: cachedRedirectUrl(target.link, clickId),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer-when-downgrade',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': '0',
  });
  res.end();
  if (!record) return;
  // after the answer: see ClickRecorder. clickEventFor's output is a valid click by construction (redirects.test.ts
  // holds it to the schema).
  d.clicks.record(clickEventFor(target, clickId, client, d.clock()));
}

/**
 * The client's address as `proxyaddr(req, trust)` computes it, without its per-request parsing where the answer is
 * already known: no X-Forwarded-For means the socket's address; a socket address not trusted (remembered per address)
 * means the same; one forwarded address behind a trusted socket is that address. Longer chains go to proxy-addr.
 */
export function clientAddress(trust: TrustProxy): (req: IncomingMessage) => string {
  const trusted = new Map<string, boolean>();
  return (req) => {
    const socketAddr = req.socket.remoteAddress;
    const xff = req.headers['x-forwarded-for'];
    if (!xff || socketAddr === undefined) return socketAddr ?? proxyaddr(req, trust);
    let ok = trusted.get(socketAddr);
    if (ok === undefined) {
      ok = trust(socketAddr, 0);
      if (trusted.size >= 1024) trusted.clear(); // bounded; proxies are few
      trusted.set(socketAddr, ok);
    }
    if (!ok) return socketAddr;
    if (typeof xff !== 'string' || xff.includes(',')) return proxyaddr(req, trust);
    // one entry: proxy-addr (the `forwarded` package) trims spaces only; an empty entry leaves the socket's address
    let a = 0;
    let b = xff.length;
    while (a < b && xff.charCodeAt(a) === 0x20) a++;
    while (b > a && xff.charCodeAt(b - 1) === 0x20) b--;
    return a === b ? socketAddr : a === 0 && b === xff.length ? xff : xff.slice(a, b);
  };
}

/**
 * `GET /r/<code>` of a known link, answered before any middleware; returns false for anything else (unknown or
 * malformed codes, other paths and methods), which the Express route then answers (a 404, or after a dimension
 * refresh).
 */
export function fastRedirect(
  d: RedirectDeps,
  trust: TrustProxy,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const ipOf = clientAddress(trust);
  // The request counter is kept per event-loop turn: one labelled increment for the turn, not one per redirect.
  let answered = 0;
  const count = () => {
    d.metrics.requests.inc({ route: 'redirect', status: '302' }, answered);
    answered = 0;
  };
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || !url || !url.startsWith('/r/')) return false;
    const q = url.indexOf('?');
    const raw = q < 0 ? url.slice(3) : url.slice(3, q);
    if (raw.length === 0 || raw.includes('/')) return false;
    let code = raw;
    if (raw.includes('%')) {
      try {
        code = decodeURIComponent(raw);
      } catch {
        return false;
      }
    }
    const target = d.dims.link(code);
    if (!target) return false;
    const h = req.headers;
    answerRedirect(d, target, { ip: ipOf(req), userAgent: first(h['user-agent']), referrer: first(h.referer) }, res);
    if (answered++ === 0) setImmediate(count);
    return true;
  };
}

function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
