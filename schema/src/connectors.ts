// The platform connectors' contract: which platforms, how a post's URL names it, how often a post is polled, and the
// YouTube quota plan — shared by ingest (which polls), the admin API (which registers and reports) and the web app.

export const CONNECTOR_PLATFORMS = ['youtube', 'instagram', 'tiktok'] as const;
export type ConnectorPlatform = (typeof CONNECTOR_PLATFORMS)[number];

export const CONNECTOR_LABELS: Record<ConnectorPlatform, string> = {
  youtube: 'YouTube',
  instagram: 'Instagram',
  tiktok: 'TikTok',
};

/** A connector polls while `active`; `needs_reauth` once the platform refused its credential, until it is replaced. */
export const CONNECTOR_STATUSES = ['active', 'needs_reauth'] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

/**
 * What a post's URL names: a YouTube or TikTok video id, or an Instagram shortcode (the media id behind it comes from
 * the creator's media list, which only the connector can read).
 */
export interface PostUrlRef {
  platform: ConnectorPlatform;
  /** The video id (YouTube, TikTok) or the shortcode (Instagram). */
  id: string;
  /** The URL as given, normalised to https. */
  url: string;
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const SHORTCODE = /^[A-Za-z0-9_-]{5,64}$/;
const TIKTOK_ID = /^\d{8,32}$/;

/** The platform and id a post's URL names, or a message saying what was expected. */
export function resolvePostUrl(raw: string): PostUrlRef | { error: string } {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { error: 'expected a full URL such as https://www.youtube.com/watch?v=…' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: 'expected an http(s) URL' };
  const host = u.hostname.toLowerCase().replace(/^(www\.|m\.|vm\.)/, '');
  const parts = u.pathname.split('/').filter(Boolean);
  const ref = (platform: ConnectorPlatform, id: string | null | undefined, re: RegExp, what: string) =>
    id && re.test(id) ? { platform, id, url: u.href.replace(/^http:/, 'https:') } : { error: what };
  if (host === 'youtube.com' || host === 'music.youtube.com') {
    const what = 'expected a YouTube video URL: youtube.com/watch?v=<id>, youtu.be/<id> or youtube.com/shorts/<id>';
    if (parts[0] === 'watch') return ref('youtube', u.searchParams.get('v'), YOUTUBE_ID, what);
    if (parts[0] === 'shorts' || parts[0] === 'live' || parts[0] === 'embed')
      return ref('youtube', parts[1], YOUTUBE_ID, what);
    return { error: what };
  }
  if (host === 'youtu.be')
    return ref('youtube', parts[0], YOUTUBE_ID, 'expected a YouTube short link such as youtu.be/<video id>');
  if (host === 'instagram.com') {
    // instagram.com/p/<code>/, /reel/<code>/, /reels/<code>/, or /<user>/p/<code>/
    const at = parts.findIndex((p) => p === 'p' || p === 'reel' || p === 'reels' || p === 'tv');
    return ref(
      'instagram',
      at >= 0 ? parts[at + 1] : undefined,
      SHORTCODE,
      'expected an Instagram post or reel URL: instagram.com/p/<code>/ or instagram.com/reel/<code>/',
    );
  }
  if (host === 'tiktok.com') {
    const at = parts.indexOf('video');
    return ref(
      'tiktok',
      parts[0]?.startsWith('@') && at === 1 ? parts[2] : undefined,
      TIKTOK_ID,
      'expected a TikTok video URL: tiktok.com/@<user>/video/<id>',
    );
  }
  return { error: 'expected a YouTube, Instagram or TikTok post URL' };
}

/** The content id our events carry for a platform's post id (a slug id: a YouTube id may start with "-"). */
export function connectorContentId(platform: ConnectorPlatform, platformId: string): string {
  return `${platform === 'youtube' ? 'yt' : platform === 'instagram' ? 'ig' : 'tt'}-${platformId}`;
}

const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;
export const FRESH_POST_INTERVAL_MS = MIN_MS;
export const DAY_OLD_POST_INTERVAL_MS = 15 * MIN_MS;
/** 15× slower over 24× the age: the exponent of the power law between the first hour and the first day. */
const CADENCE_EXPONENT = Math.log(15) / Math.log(24);

/**
 * How often a post of this age is polled: every minute in its first hour, every 15 minutes from a day on, and in
 * between on a power law of its age (a 2-hour-old post every ~1.8 min, a 6-hour-old one every ~4.6 min), because
 * engagement decays with age roughly that way.
 */
export function pollIntervalMs(ageMs: number): number {
  if (ageMs <= HOUR_MS) return FRESH_POST_INTERVAL_MS;
  if (ageMs >= 24 * HOUR_MS) return DAY_OLD_POST_INTERVAL_MS;
  return Math.round(FRESH_POST_INTERVAL_MS * (ageMs / HOUR_MS) ** CADENCE_EXPONENT);
}

/** YouTube's default daily quota, in units; videos.list and commentThreads.list cost 1 unit a call. */
export const YOUTUBE_DAILY_QUOTA = 10_000;
/** videos.list reads at most this many ids a call. */
export const YOUTUBE_IDS_PER_CALL = 50;
/** The part of the quota the plan aims at: the rest absorbs comment bursts and retries. */
export const QUOTA_PLAN_SHARE = 0.9;

export interface QuotaPlan {
  budget_units_per_day: number;
  /** Units the posts' cadences would spend in a day at full speed (statistics calls + comment pages). */
  wanted_units_per_day: number;
  /** Units the plan spends in a day: the wanted ones slowed down to fit the budget. */
  planned_units_per_day: number;
  /** How much every interval is stretched to fit (1: not at all). */
  stretch: number;
  used_today: number;
}

/**
 * The quota plan of one YouTube connector: the statistics calls its posts' cadences want (ids batched 50 a call)
 * plus the comment pages of the last day, stretched evenly so a day fits in 90 % of the budget.
 */
export function youtubeQuotaPlan(input: {
  postAgesMs: number[];
  commentUnitsLastDay: number;
  usedToday: number;
  budget?: number;
}): QuotaPlan {
  const budget = input.budget ?? YOUTUBE_DAILY_QUOTA;
  const pollsPerDay = input.postAgesMs.reduce((n, age) => n + 86_400_000 / pollIntervalMs(age), 0);
  const wanted = pollsPerDay / YOUTUBE_IDS_PER_CALL + input.commentUnitsLastDay;
  const stretch = Math.max(1, wanted / (budget * QUOTA_PLAN_SHARE));
  return {
    budget_units_per_day: budget,
    wanted_units_per_day: Math.round(wanted),
    planned_units_per_day: Math.round(wanted / stretch),
    stretch: Math.round(stretch * 100) / 100,
    used_today: input.usedToday,
  };
}

/** When YouTube's daily quota resets: midnight Pacific time (epoch ms of the next one after `now`). */
export function nextQuotaReset(now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0) % 24;
  const intoDay = (get('hour') * 3600 + get('minute') * 60 + get('second')) * 1000 + (now % 1000);
  return now - intoDay + 86_400_000;
}
