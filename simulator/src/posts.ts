// Which posts go live when (a wave at launch minute, then a steady trickle), and how each post's views
// rise and decay (see viewCurve).
import { tierOf, type Deal, type Partner, type Platform, type Tier } from '@pulseroom/schema';
import { ER_BY_TIER } from './claims.js';
import { Rng } from './random.js';

export const MINUTE_MS = 60_000;
/** Minutes a post keeps producing engagement. */
export const POST_LIFETIME_MIN = 360;
/** The launch phase: posts planned up front; after it, partners post now and then. */
export const LAUNCH_PHASE_MIN = 240;
/** After the launch phase, posts per deal and day. */
export const HEADLINE_POSTS_PER_DAY = 2;
export const OTHER_POSTS_PER_DAY = 0.5;

export interface Post {
  content_id: string;
  campaign_id: string;
  partner: Partner;
  deal: Deal;
  tier: Tier;
  platform: Platform;
  /** Launch minute and ms offset within it when it goes live. */
  minute: number;
  offsetMs: number;
  /** Expected views over its life, and the time constant of its curve (minutes). */
  views: number;
  tau: number;
  /** Intended engagement rate, % of views. */
  er: number;
  viralFromMinute?: number;
  /** Extra views once viral. */
  viralViews?: number;
}

export const VIEW_SHARE: Record<Platform, number> = {
  instagram: 0.18,
  tiktok: 0.35,
  youtube: 0.22,
  x: 0.08,
  facebook: 0.06,
  twitch: 0.05,
  pinterest: 0.1,
  snapchat: 0.15,
  linkedin: 0.1,
  threads: 0.1,
  blog: 0.06,
  newsletter: 0.45,
  podcast: 0.25,
  web: 0.05,
};
const TAU: Record<Platform, number> = {
  instagram: 25,
  tiktok: 35,
  youtube: 60,
  x: 12,
  facebook: 30,
  twitch: 20,
  pinterest: 90,
  snapchat: 15,
  linkedin: 45,
  threads: 15,
  blog: 90,
  newsletter: 40,
  podcast: 120,
  web: 90,
};
export const TIER_VIEW_FACTOR: Record<Tier, number> = { nano: 1.3, micro: 1.1, macro: 0.95, mega: 0.8 };

/** Click-through by platform: views → clicks on the partner's link. */
export const CTR: Record<Platform, number> = {
  instagram: 0.004,
  tiktok: 0.0025,
  youtube: 0.006,
  x: 0.005,
  facebook: 0.005,
  twitch: 0.003,
  pinterest: 0.01,
  snapchat: 0.003,
  linkedin: 0.005,
  threads: 0.003,
  blog: 0.06,
  newsletter: 0.05,
  podcast: 0.01,
  web: 0.04,
};

/**
 * Share of a post's lifetime views seen by `a` minutes after it went live: a quick burst from the
 * followers who are online (exponential, τ/3) plus the feed's slower rise and decay (gamma(2, τ)).
 */
export function viewCurve(a: number, tau: number): number {
  if (a <= 0) return 0;
  const x = a / tau;
  return 0.4 * (1 - Math.exp(-3 * x)) + 0.6 * (1 - (1 + x) * Math.exp(-x));
}

/**
 * A viral post's extra views: 30× its normal audience, and at least 3× the biggest launch post, over a slower curve.
 */
export const VIRAL_MULTIPLIER = 30;
export const VIRAL_TAU = 90;

export function expectedViewsBetween(post: Post, a0: number, a1: number): number {
  let v = post.views * (viewCurve(a1, post.tau) - viewCurve(a0, post.tau));
  if (post.viralFromMinute !== undefined) {
    const start = post.viralFromMinute - post.minute - post.offsetMs / MINUTE_MS;
    v +=
      (post.viralViews ?? post.views * VIRAL_MULTIPLIER) *
      (viewCurve(a1 - start, VIRAL_TAU) - viewCurve(a0 - start, VIRAL_TAU));
  }
  return v;
}

function makePost(
  seed: number,
  campaignId: string,
  partner: Partner,
  deal: Deal,
  platform: Platform,
  minute: number,
  tag: string,
): Post {
  const content_id = `${partner.id}-${platform}-${campaignId.slice(0, 12)}-${tag}`.slice(0, 64);
  const rng = Rng.of(seed, 'post', content_id);
  const tier = tierOf(partner.followers);
  const range = ER_BY_TIER[tier];
  const er = Math.min(range.max, Math.max(range.min, rng.logNormal(range.centre, 0.18)));
  const views = Math.max(
    20,
    partner.followers * VIEW_SHARE[platform] * TIER_VIEW_FACTOR[tier] * rng.logNormal(1, 0.45),
  );
  return {
    content_id,
    campaign_id: campaignId,
    partner,
    deal,
    tier,
    platform,
    minute,
    offsetMs: rng.int(0, MINUTE_MS - 1),
    views,
    tau: TAU[platform] * rng.between(0.8, 1.25),
    er,
  };
}

export interface Roster {
  seed: number;
  /** Campaigns in play, the headline first. */
  campaignIds: string[];
  partners: Map<string, Partner>;
  deals: Deal[];
}

/** The posts of the launch phase, by minute: most headline partners post in the first minutes. */
export function planLaunchPosts(roster: Roster): Map<number, Post[]> {
  const rng = Rng.of(roster.seed, 'launch-posts');
  const byMinute = new Map<number, Post[]>();
  const add = (p: Post) => {
    const list = byMinute.get(p.minute) ?? [];
    list.push(p);
    byMinute.set(p.minute, list);
  };
  const headline = roster.campaignIds[0];
  for (const deal of roster.deals) {
    const partner = roster.partners.get(deal.partner_id);
    if (!partner) continue;
    const isHeadline = deal.campaign_id === headline;
    if (!isHeadline && !rng.chance(0.25)) continue;
    const platforms = partner.platforms.slice(0, isHeadline ? 2 : 1);
    platforms.forEach((platform, k) => {
      if (k > 0 && !rng.chance(0.4)) return;
      let minute: number;
      if (!isHeadline) minute = rng.int(0, LAUNCH_PHASE_MIN - 1);
      else if (k === 0 && rng.chance(0.45))
        minute = 0; // the launch-minute wave
      else if (rng.chance(0.4)) minute = rng.int(1, 12);
      else minute = rng.int(13, LAUNCH_PHASE_MIN - 1);
      add(makePost(roster.seed, deal.campaign_id, partner, deal, platform, minute, `L${k}`));
    });
  }
  for (const list of byMinute.values()) list.sort((a, b) => a.offsetMs - b.offsetMs);
  return byMinute;
}

/**
 * Posts going live in a minute after the launch phase: each partner about twice a day for the launch, every other day
 * otherwise.
 */
export function steadyPostsAt(roster: Roster, minute: number): Post[] {
  if (minute < LAUNCH_PHASE_MIN) return [];
  const rng = Rng.of(roster.seed, 'steady-posts', minute);
  const out: Post[] = [];
  for (const deal of roster.deals) {
    const p = deal.campaign_id === roster.campaignIds[0] ? HEADLINE_POSTS_PER_DAY / 1440 : OTHER_POSTS_PER_DAY / 1440;
    if (!rng.chance(p)) continue;
    const partner = roster.partners.get(deal.partner_id);
    if (!partner) continue;
    out.push(makePost(roster.seed, deal.campaign_id, partner, deal, rng.pick(partner.platforms), minute, `m${minute}`));
  }
  return out;
}

/** The one post that goes viral: an early headline post of a micro or macro creator, preferably on TikTok. */
export function pickViral(roster: Roster, launchPosts: Map<number, Post[]>): Post | null {
  const early = [...launchPosts.entries()]
    .filter(([m]) => m <= 6)
    .flatMap(([, l]) => l)
    .filter(
      (p) =>
        p.campaign_id === roster.campaignIds[0] &&
        (p.tier === 'micro' || p.tier === 'macro') &&
        p.partner.type !== 'affiliate',
    );
  if (early.length === 0) return null;
  const score = (p: Post) => (p.platform === 'tiktok' ? 2 : p.platform === 'instagram' ? 1 : 0);
  const best = Math.max(...early.map(score));
  const rng = Rng.of(roster.seed, 'viral');
  const post = rng.pick(early.filter((p) => score(p) === best));
  post.viralFromMinute = post.minute + 6;
  const biggest = Math.max(...[...launchPosts.values()].flat().map((p) => p.views));
  post.viralViews = Math.max(post.views * VIRAL_MULTIPLIER, biggest * 3);
  return post;
}

/** The public URL of a post, in each platform's style. */
export function postUrl(post: Post): string {
  const rng = Rng.of(post.content_id, 'url');
  const handle = post.partner.handle.replace(/^@/, '');
  const digits = (n: number) => rng.token(n, '0123456789');
  switch (post.platform) {
    case 'instagram':
      return `https://www.instagram.com/p/${rng.token(11, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}/`;
    case 'tiktok':
      return `https://www.tiktok.com/@${handle}/video/7${digits(18)}`;
    case 'youtube':
      return `https://www.youtube.com/watch?v=${rng.token(11, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`;
    case 'x':
      return `https://x.com/${handle}/status/18${digits(17)}`;
    case 'threads':
      return `https://www.threads.net/@${handle}/post/${rng.token(11)}`;
    case 'facebook':
      return `https://www.facebook.com/${handle}/posts/${digits(16)}`;
    case 'pinterest':
      return `https://www.pinterest.com/pin/${digits(18)}/`;
    case 'twitch':
      return `https://www.twitch.tv/videos/${digits(10)}`;
    case 'snapchat':
      return `https://www.snapchat.com/spotlight/${rng.token(22)}`;
    case 'linkedin':
      return `https://www.linkedin.com/posts/${handle}_${rng.token(12)}`;
    case 'newsletter':
      return `https://${handle.includes('.') ? handle : `${handle}.substack.com`}/p/halo-buds-pro-${digits(4)}`;
    case 'podcast':
      return `https://podcasts.apple.com/podcast/id${digits(10)}?i=${digits(12)}`;
    default:
      return `https://${handle.includes('.') ? handle : `${handle}.blog`}/reviews/halo-buds-pro-${digits(4)}`;
  }
}
