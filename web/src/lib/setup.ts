// The setup console's logic that is not about rendering: ids made from names, share-link URLs, form values.
import type { ShareLink } from './adminApi';
import { ApiError } from './api';
export { dayInZone, zonedDayBoundary } from '@pulseroom/schema/timeZones';

/** An id of 1–64 letters, digits and "-" from a name ("Halo Launch – Été 2027" → "halo-launch-ete-2027"). */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** A tracking-link code nobody types by hand: the partner, the campaign and a few random letters. */
export function suggestLinkCode(partnerId: string, campaignId: string, random: () => number = Math.random): string {
  const tail = Array.from({ length: 4 }, () => 'abcdefghjkmnpqrstuvwxyz23456789'[Math.floor(random() * 31)]).join('');
  return `${slugOf(partnerId).slice(0, 24)}-${slugOf(campaignId).slice(0, 24)}-${tail}`;
}

/** The page a share link opens, with its token, for the role it was made for. */
export function shareUrl(origin: string, link: Pick<ShareLink, 'role' | 'campaign_ids'>, token: string): string {
  const t = `?token=${encodeURIComponent(token)}`;
  const campaign = link.campaign_ids[0];
  if (link.role === 'wall' && campaign) return `${origin}/wall/${encodeURIComponent(campaign)}${t}`;
  if (link.role === 'viewer' && link.campaign_ids.length === 1)
    return `${origin}/campaigns/${encodeURIComponent(campaign)}${t}`;
  if (link.role === 'manager') return `${origin}/me${t}`;
  return `${origin}/${t}`;
}

/**
 * A datetime-local input's value (local time, no zone) as ISO-8601 with the browser's zone, or undefined when empty.
 */
export function isoFromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A number input's text as a number, or undefined when empty (so an empty goal is "no goal", never 0). */
export function numberOrUndefined(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Whether a destination is a web address a shopper can be sent to (the server checks the same). */
export function isWebUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** What a form shows of a failed call: the fields the server named, else its message. */
export function problemsOf(err: unknown): { path: string; message: string }[] {
  if (!(err instanceof ApiError)) return [{ path: '', message: String(err) }];
  return err.fields.length ? err.fields : [{ path: '', message: err.message }];
}
