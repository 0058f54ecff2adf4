// Words and icons for states, so nothing is told by colour alone.
import type { AlertKind, CommentItem } from './contract';

export const SENTIMENT: Record<string, { icon: string; word: string; tone: 'good' | 'bad' | 'neutral' }> = {
  pos: { icon: '▲', word: 'Positive', tone: 'good' },
  neu: { icon: '●', word: 'Neutral', tone: 'neutral' },
  neg: { icon: '▼', word: 'Negative', tone: 'bad' },
  unscored: { icon: '○', word: 'Unscored', tone: 'neutral' },
};

/** Why a comment got its label, in words: "negative: overpriced, 🙄"; '' when the scorer kept no terms. */
export function sentimentWhy(c: Pick<CommentItem, 'label' | 'terms'>): string {
  if (!c.terms?.length || (c.label !== 'pos' && c.label !== 'neg')) return '';
  return `${c.label === 'pos' ? 'positive' : 'negative'}: ${c.terms.join(', ')}`;
}

export const DISCLOSURE: Record<string, { icon: string; word: string; tone: 'good' | 'bad' | 'warn' }> = {
  clear: { icon: '✓', word: 'Disclosed', tone: 'good' },
  weak: { icon: '!', word: 'Weak disclosure', tone: 'warn' },
  missing: { icon: '✕', word: 'No disclosure', tone: 'bad' },
};

export const SEVERITY: Record<string, { icon: string; word: string; tone: 'bad' | 'warn' | 'neutral' }> = {
  critical: { icon: '⬤', word: 'Critical', tone: 'bad' },
  warning: { icon: '▲', word: 'Warning', tone: 'warn' },
  info: { icon: 'i', word: 'Info', tone: 'neutral' },
};

export const ALERT_KIND: Record<AlertKind, string> = {
  sentiment_swing: 'Sentiment swing',
  engagement_spike: 'Engagement spike',
  engagement_drop: 'Engagement drop',
  click_spike: 'Click spike',
  goal_reached: 'Goal reached',
  disclosure_missing: 'Disclosure missing',
  unattributed_rising: 'Unattributed rising',
  connector_reauth: 'Connector needs re-authorisation',
};

const PLATFORM_NAMES: Record<string, string> = {
  instagram: 'Instagram',
  tiktok: 'TikTok',
  youtube: 'YouTube',
  x: 'X',
  facebook: 'Facebook',
  twitch: 'Twitch',
  pinterest: 'Pinterest',
  snapchat: 'Snapchat',
  linkedin: 'LinkedIn',
  threads: 'Threads',
  blog: 'Blog',
  newsletter: 'Newsletter',
  podcast: 'Podcast',
  web: 'Web',
};

export function platformName(p: string): string {
  return PLATFORM_NAMES[p] ?? p;
}

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Label of a breakdown key by group. */
export function groupKeyLabel(group: string, key: string): string {
  if (key === 'all') return 'All';
  // A sale with no click of a link posted on a known platform (a promo code of a many-platform partner, a postback).
  if (key === '' || key === 'unattributed')
    return group === 'platform' ? 'Platform unknown (promo codes, postbacks)' : 'Unattributed';
  if (group === 'platform') return platformName(key);
  return capitalize(key);
}
