// What goes out for alerts, whatever the channel: one alert, a storm's summary, or a test — with the names and the
// war room link a reader needs to act on it.
import type { Alert } from '@pulseroom/schema';

export interface OutboundMessage {
  /** The message id (`webhook-id`): stable across retries, so a receiver can drop a repeat. */
  id: string;
  kind: 'alert' | 'summary' | 'test';
  campaign_id: string;
  alerts: Alert[];
}

/** What a message needs from outside: names for ids and where the war room is. */
export interface MessageContext {
  campaignName(id: string): string;
  partnerName(id: string): string;
  /** The war room view of a campaign; null when no public base URL is configured. */
  warRoomUrl(campaignId: string): string | null;
}

export const KIND_LABELS: Record<Alert['kind'], string> = {
  sentiment_swing: 'Sentiment swing',
  engagement_spike: 'Engagement spike',
  engagement_drop: 'Engagement drop',
  click_spike: 'Click spike',
  goal_reached: 'Goal reached',
  disclosure_missing: 'Missing ad disclosure',
  unattributed_rising: 'Unattributed conversions rising',
  connector_reauth: 'Connector needs re-authorisation',
};

/** "12 Engagement spike, 3 Click spike": a storm in one line, most frequent first. */
export function countsByKind(alerts: Alert[]): string {
  const n = new Map<Alert['kind'], number>();
  for (const a of alerts) n.set(a.kind, (n.get(a.kind) ?? 0) + 1);
  return [...n]
    .sort((a, b) => b[1] - a[1])
    .map(([k, c]) => `${c} ${KIND_LABELS[k]}`)
    .join(', ');
}

export function warRoomLink(baseUrl: string | undefined, campaignId: string): string | null {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/campaigns/${encodeURIComponent(campaignId)}` : null;
}
