// Plain enum lists shared by every part, free of zod so the web bundle can import them at run time.
export const PLATFORMS = [
  'instagram',
  'tiktok',
  'youtube',
  'x',
  'facebook',
  'twitch',
  'pinterest',
  'snapchat',
  'linkedin',
  'threads',
  'blog',
  'newsletter',
  'podcast',
  'web',
] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PARTNER_TYPES = ['influencer', 'affiliate', 'ambassador', 'hybrid'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export const WINDOWS = ['1m', '5m', '15m', '1h', '24h', 'ctd'] as const;
export type WindowName = (typeof WINDOWS)[number];
/** Length of each rolling window in ms; campaign-to-date has none. */
export const WINDOW_MS: Record<Exclude<WindowName, 'ctd'>, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
};

/**
 * The time range [from, to) a window covers when it ends (exclusive) at `end`, or the window before it; campaign to
 * date has no start and no previous.
 */
export function windowRangeEndingAt(w: WindowName, end: number, previous = false): { from: number; to: number } {
  if (w === 'ctd') return { from: -Infinity, to: end };
  const L = WINDOW_MS[w];
  return previous ? { from: end - 2 * L, to: end - L } : { from: end - L, to: end };
}

export const GROUPS = ['campaign', 'partner', 'type', 'tier', 'platform'] as const;
export type GroupName = (typeof GROUPS)[number];

/** The longest note on a chart, in characters. */
export const ANNOTATION_TEXT_MAX = 280;
