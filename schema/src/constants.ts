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

export const GROUPS = ['campaign', 'partner', 'type', 'tier', 'platform'] as const;
export type GroupName = (typeof GROUPS)[number];
