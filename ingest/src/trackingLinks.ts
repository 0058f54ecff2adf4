// Tracking links: the redirect target (only ever the stored destination, plus click_id and the link's UTM fields) and
// the click it records.
import { randomBytes } from 'node:crypto';
import type { ClickEvent, TrackingLink } from '@pulseroom/schema';
import type { LinkTarget } from '@pulseroom/schema/server';

const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content'] as const;

// Click ids come from a pool of random bytes refilled 4 KB at a time: one getrandom call per ~340 clicks, not one each.
let pool = Buffer.alloc(0);
let poolAt = 0;

/** A new click id: 96 random bits (crypto), base64url. */
export function newClickId(): string {
  if (poolAt + 12 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 12;
  return `ck_${pool.toString('base64url', poolAt - 12, poolAt)}`;
}

/** The stored destination with the link's UTM fields and the click id set; nothing from the request goes in. */
export function redirectUrl(link: TrackingLink, clickId: string): string {
  const url = new URL(link.destination);
  for (const k of UTM_FIELDS) {
    const v = link[k];
    if (v) url.searchParams.set(k, v);
  }
  url.searchParams.set('click_id', clickId);
  return url.href;
}

export interface ClickRequest {
  ip: string;
  userAgent: string;
  referrer: string;
}

/** The click event a redirect records; the visitor (IP + user agent) is hashed at enrichment, never stored raw. */
export function clickEventFor(target: LinkTarget, clickId: string, req: ClickRequest, now: number): ClickEvent {
  const { link, deal } = target;
  return {
    type: 'click',
    event_id: clickId,
    ts: now,
    campaign_id: deal.campaign_id,
    partner_id: deal.partner_id,
    ...(link.platform ? { platform: link.platform } : {}),
    link_code: link.code,
    click_id: clickId,
    ...(req.referrer ? { referrer: clean(req.referrer, 2048) } : {}),
    ...(req.userAgent ? { user_agent: clean(req.userAgent, 1024) } : {}),
    visitor: clean(`${req.ip}|${req.userAgent}`, 512),
  };
}

/** Headers are untrusted: cut to the schema's length and strip control characters so the click is never rejected. */
function clean(s: string, max: number): string {
  return s.replace(/[\u0000-\u001F\u007F]/g, '').slice(0, max);
}
