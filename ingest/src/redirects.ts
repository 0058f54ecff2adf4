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

/** 302 to the link's stored destination (plus UTM fields and a new click id: nothing from the request), then records the click. */
export function answerRedirect(d: RedirectDeps, target: LinkTarget, client: ClickRequest, res: ServerResponse): void {
  const clickId = newClickId();
  res.writeHead(302, {
    Location: redirectUrl(target.link, clickId),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer-when-downgrade',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': '0',
  });
  res.end();
  d.clicks.record(clickEventFor(target, clickId, client, d.clock())); // after the answer: see ClickRecorder
}

/**
 * `GET /r/<code>` of a known link, answered before any middleware; returns false for anything else (unknown or
 * malformed codes, other paths and methods), which the Express route then answers (a 404, or after a dimension refresh).
 */
export function fastRedirect(d: RedirectDeps, trust: TrustProxy): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || !url || !url.startsWith('/r/')) return false;
    const q = url.indexOf('?');
    const raw = url.slice(3, q < 0 ? undefined : q);
    if (raw.length === 0 || raw.includes('/')) return false;
    let code: string;
    try {
      code = decodeURIComponent(raw);
    } catch {
      return false;
    }
    const target = d.dims.link(code);
    if (!target) return false;
    answerRedirect(d, target, { ip: proxyaddr(req, trust), userAgent: header(req, 'user-agent'), referrer: header(req, 'referer') }, res);
    d.metrics.requests.inc({ route: 'redirect', status: '302' });
    return true;
  };
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
