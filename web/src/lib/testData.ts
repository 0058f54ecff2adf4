// Builders of contract objects for the web unit tests.
import type { GroupRow, Metrics, SeriesPoint, Snapshot } from './contract';

export function metrics(p: Partial<Metrics> = {}): Metrics {
  const zero = { views: 0, reach: 0, reach_interactions: 0, likes: 0, comments: 0, shares: 0, saves: 0, follows: 0, comments_n: 0, scored_n: 0, sentiment_sum: 0, pos_n: 0, neu_n: 0, neg_n: 0, unscored_n: 0, clicks: 0, unique_clicks: 0, bot_clicks: 0, conversions: 0, revenue_minor: 0, commission_minor: 0, pending_n: 0, pending_minor: 0, rejected_n: 0, refunds_n: 0, refund_minor: 0, unattributed_n: 0, unattributed_minor: 0, unconverted_n: 0, suspicious_n: 0, posts: 0, disclosure_weak: 0, disclosure_missing: 0 };
  return { ...zero, interactions: 0, er: null, er_reach: null, er_followers: null, sentiment_mean: null, pos_share: null, neu_share: null, neg_share: null, net_sentiment: null, ctr: null, cr: null, aov_minor: null, fee_minor: 0, fee_committed_minor: 0, cost_minor: 0, roas: null, cpa_minor: null, epc_minor: null, rpc_minor: null, followers: 0, ...p };
}
export const row = (key: string, m: Partial<Metrics> = {}, prev: Partial<Metrics> | null = {}): GroupRow => ({ key, metrics: metrics(m), previous: prev ? metrics(prev) : null });
export const pt = (t: number, clicks = 1): SeriesPoint => ({ t, views: 0, interactions: 0, clicks, unique_clicks: clicks, conversions: 0, revenue_minor: 0, comments_n: 0, pos_n: 0, neg_n: 0, neu_n: 0 });

export function snapshot(p: Partial<Snapshot> = {}): Snapshot {
  return {
    campaign_id: 'c1',
    window: '5m',
    at: 1000,
    seq: 1,
    campaign: { id: 'c1', name: 'C', brand: 'B', start: 0, end: 1, timezone: 'UTC', currency: 'EUR', budget_minor: 0, goals: { revenue_minor: null, clicks: null, er: null } },
    partners: [],
    groups: { campaign: [row('all', { clicks: 1 })], partner: [row('p1'), row('p2')], type: [], tier: [], platform: [] },
    window_end: 10_000,
    fee_terms: {},
    series: [pt(20), pt(10)],
    comments: [],
    posts: [],
    alerts: [],
    ...p,
  };
}

