// What one poll of a post becomes: the change of its cumulative counters since the last poll (an engagement event
// with a deterministic id; a counter that went down makes it a correction), its new comments, and its post event.
import type { ConnectorPlatform } from '@pulseroom/schema';

/**
 * A post's cumulative counters as the platform reports them: a counter it does not report (reach on YouTube, a like
 * count the creator hid) is absent, and leaves the stored one as it was.
 */
export interface Counters {
  views?: number;
  likes?: number;
  comments?: number;
  shares?: number;
  reach?: number;
  saves?: number;
}

export interface PlatformComment {
  id: string;
  text: string;
  author?: string;
  ts: number;
}

/** One post as a poll saw it. */
export interface Observation {
  counters: Counters;
  caption?: string;
  /** The platform's own paid-partnership flag, where its API gives one. */
  branded?: boolean;
  publishedAt?: number;
  /** Comments newer than the last poll's (undefined: not read this time). */
  comments?: PlatformComment[];
}

/** Who the events are about: the registered post. */
export interface PostRef {
  campaign_id: string;
  partner_id: string;
  platform: ConnectorPlatform;
  content_id: string;
  url: string;
}

const COUNTER_KEYS = ['views', 'likes', 'comments', 'shares', 'reach', 'saves'] as const;

/**
 * The engagement event from `base` (the counters already stored) to `now`, or null when nothing changed. Its id is
 * the content's `seq`-th change: a re-sent change is a duplicate, and a restart that lost memory asks the store.
 */
export function engagementChange(
  post: PostRef,
  base: Counters,
  now: Counters,
  seq: number,
  ts: number,
): Record<string, unknown> | null {
  const event: Record<string, unknown> = {
    type: 'engagement',
    event_id: `${post.content_id}-e${seq}`,
    ts,
    campaign_id: post.campaign_id,
    partner_id: post.partner_id,
    platform: post.platform,
    content_id: post.content_id,
  };
  let changed = false;
  let down = false;
  for (const k of COUNTER_KEYS) {
    if (now[k] === undefined) continue;
    const d = now[k] - (base[k] ?? 0);
    event[k] = d;
    if (d !== 0) changed = true;
    if (d < 0) down = true;
  }
  if (!changed) return null;
  // A platform removes spam likes and fake views: an honest negative change, stored as the correction it is.
  if (down) event.correction = true;
  return event;
}

/** What the counters are after the change: the base with `now`'s reported counters over it. */
export const afterChange = (base: Counters, now: Counters): Counters => ({ ...base, ...now });

const MAX_TEXT = 5000;
const MAX_CAPTION = 10_000;

/** A platform comment as our comment event (its id the platform's, so a re-read is a duplicate). */
export function commentEvent(post: PostRef, c: PlatformComment, now: number): Record<string, unknown> | null {
  const text = c.text.trim().slice(0, MAX_TEXT);
  if (!text) return null;
  return {
    type: 'comment',
    event_id: `${post.content_id}-c-${c.id}`.slice(0, 128),
    // a comment stamped ahead of our clock (the platform's clock) is taken as now, not refused
    ts: Math.min(c.ts, now),
    campaign_id: post.campaign_id,
    partner_id: post.partner_id,
    platform: post.platform,
    content_id: post.content_id,
    text,
    ...(c.author ? { author: c.author.slice(0, 256) } : {}),
  };
}

/** The post itself, once: its caption for the disclosure check, and the platform's paid-partnership flag. */
export function postEvent(post: PostRef, obs: Observation, now: number): Record<string, unknown> {
  return {
    type: 'post',
    event_id: `${post.content_id}-post`,
    ts: Math.min(obs.publishedAt ?? now, now),
    campaign_id: post.campaign_id,
    partner_id: post.partner_id,
    platform: post.platform,
    content_id: post.content_id,
    url: post.url,
    caption: (obs.caption ?? '').slice(0, MAX_CAPTION),
    branded_content: obs.branded === true,
  };
}
