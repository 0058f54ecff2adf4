// The metric definitions (docs/ARCHITECTURE.md, "Metrics") as pure functions over additive totals; tests hold the code
// to them.
import type { Deal } from './dimensions.js';

/**
 * Additive counters of one group over one window: exactly the columns of the `agg_10s` table, so the
 * server can add and subtract them. Money is integer minor units of the campaign currency.
 */
export const TOTAL_FIELDS = [
  'views',
  'reach',
  'reach_interactions', // interactions on events whose platform reports reach (numerator of ER by reach)
  'likes',
  'comments',
  'shares',
  'saves',
  'follows',
  'comments_n', // comment events received
  'scored_n', // comments given a sentiment score
  'sentiment_sum',
  'pos_n',
  'neu_n',
  'neg_n',
  'unscored_n',
  'clicks', // gross, non-bot
  'unique_clicks',
  'bot_clicks',
  'conversions', // approved
  'revenue_minor', // approved, net of refunds
  'commission_minor', // earned, net of refund reversals
  'pending_n',
  'pending_minor',
  'rejected_n',
  'refunds_n',
  'refund_minor', // positive: how much was refunded
  'unattributed_n',
  'unattributed_minor',
  'unconverted_n',
  'suspicious_n',
  'posts',
  'disclosure_weak',
  'disclosure_missing',
] as const;
export type TotalField = (typeof TOTAL_FIELDS)[number];
export type Totals = Record<TotalField, number>;

export function emptyTotals(): Totals {
  const t = {} as Totals;
  for (const f of TOTAL_FIELDS) t[f] = 0;
  return t;
}

export function addTotals(into: Totals, add: Totals, sign = 1): Totals {
  for (const f of TOTAL_FIELDS) into[f] += sign * add[f];
  return into;
}

/** a / b, or null when the denominator is zero (shown as "—"), never NaN or Infinity. */
export function ratio(a: number, b: number): number | null {
  if (!b || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

function pct(a: number, b: number): number | null {
  const r = ratio(a, b);
  return r === null ? null : r * 100;
}

export const interactions = (t: Pick<Totals, 'likes' | 'comments' | 'shares' | 'saves'>) =>
  t.likes + t.comments + t.shares + t.saves;

/** ER = interactions / views × 100. */
export const engagementRate = (t: Totals) => pct(interactions(t), t.views);
/** ER by reach = interactions (where reach is known) / reach × 100. */
export const engagementRateByReach = (t: Totals) => pct(t.reach_interactions, t.reach);
/** ER by followers = interactions / followers of the partners in the group × 100. */
export const engagementRateByFollowers = (t: Totals, followers: number) => pct(interactions(t), followers);
/** Net sentiment = (pos − neg) / all scored × 100. */
export const netSentiment = (t: Totals) => pct(t.pos_n - t.neg_n, t.pos_n + t.neu_n + t.neg_n);
export const meanSentiment = (t: Totals) => ratio(t.sentiment_sum, t.scored_n);
/** CTR = unique clicks / views (a fraction). */
export const clickThroughRate = (t: Totals) => ratio(t.unique_clicks, t.views);
/** CR = conversions / unique clicks (a fraction). */
export const conversionRate = (t: Totals) => ratio(t.conversions, t.unique_clicks);
/** AOV = revenue / conversions (minor units). */
export const averageOrderValue = (t: Totals) => ratio(t.revenue_minor, t.conversions);
/** cost = fixed-fee share + commission earned. */
export const cost = (feeShareMinor: number, commissionMinor: number) => feeShareMinor + commissionMinor;
export const roas = (revenueMinor: number, costMinor: number) => ratio(revenueMinor, costMinor);
export const costPerAcquisition = (costMinor: number, conversions: number) => ratio(costMinor, conversions);
/** EPC = commission / unique clicks (the networks' definition). */
export const earningsPerClick = (t: Totals) => ratio(t.commission_minor, t.unique_clicks);
/** RPC = revenue / unique clicks. */
export const revenuePerClick = (t: Totals) => ratio(t.revenue_minor, t.unique_clicks);

/**
 * The share of a fixed fee that falls in [from, to): the fee is spread evenly over the deal's run.
 * Returns minor units (fractional; rounded only for display).
 */
export function feeShare(feeMinor: number, runStart: number, runEnd: number, from: number, to: number): number {
  if (feeMinor === 0 || runEnd <= runStart) return 0;
  const overlap = Math.max(0, Math.min(to, runEnd) - Math.max(from, runStart));
  return (feeMinor * overlap) / (runEnd - runStart);
}

export interface CommissionTierMinor {
  thresholdMinor: number;
  percent: number;
}

export interface CommissionTerms {
  percent: number;
  flatMinor: number;
  tiers: CommissionTierMinor[];
}

export function commissionTerms(
  d: Pick<Deal, 'commission_percent' | 'commission_flat' | 'commission_tiers'>,
  toMinor: (major: number) => number,
): CommissionTerms {
  return {
    percent: d.commission_percent,
    flatMinor: toMinor(d.commission_flat),
    tiers: d.commission_tiers
      .map((t) => ({ thresholdMinor: toMinor(t.threshold), percent: t.percent }))
      .sort((a, b) => a.thresholdMinor - b.thresholdMinor),
  };
}

/**
 * Commission on one approved conversion of `amountMinor`, given the deal's net revenue before it.
 * Tiers are marginal: the part of the order above a threshold earns that tier's rate.
 */
export function commissionFor(terms: CommissionTerms, amountMinor: number, priorRevenueMinor: number): number {
  const bands: { from: number; percent: number }[] = [
    { from: -Infinity, percent: terms.percent },
    ...terms.tiers.map((t) => ({ from: t.thresholdMinor, percent: t.percent })),
  ];
  let commission = 0;
  const start = priorRevenueMinor;
  const end = priorRevenueMinor + amountMinor;
  for (let i = 0; i < bands.length; i++) {
    const lo = Math.max(start, bands[i].from);
    const hi = Math.min(end, i + 1 < bands.length ? bands[i + 1].from : Infinity);
    if (hi > lo) commission += ((hi - lo) * bands[i].percent) / 100;
  }
  return Math.round(commission) + terms.flatMinor;
}

/** Commission reversed by a refund: proportional to the part of the order refunded. */
export function commissionReversal(
  originalCommissionMinor: number,
  originalAmountMinor: number,
  refundedMinor: number,
): number {
  if (originalAmountMinor <= 0) return 0;
  const share = Math.min(1, refundedMinor / originalAmountMinor);
  return Math.round(originalCommissionMinor * share);
}

export interface CostContext {
  /** Followers of the partners in the group (for ER by followers). */
  followers: number;
  /** Fixed-fee share falling in the window (minor units). */
  feeShareMinor: number;
  /** Full fixed fees committed by the deals in the group (minor units). */
  feeCommittedMinor: number;
}

/** Every metric of docs/ARCHITECTURE.md for one group and window; ratios are null where the denominator is zero. */
export interface Metrics extends Totals {
  interactions: number;
  er: number | null; // percent
  er_reach: number | null; // percent
  er_followers: number | null; // percent
  sentiment_mean: number | null; // [-1, 1]
  pos_share: number | null; // fraction
  neu_share: number | null;
  neg_share: number | null;
  net_sentiment: number | null; // percent, -100..100
  ctr: number | null; // fraction
  cr: number | null; // fraction
  aov_minor: number | null;
  fee_minor: number;
  fee_committed_minor: number;
  cost_minor: number;
  roas: number | null;
  cpa_minor: number | null;
  epc_minor: number | null;
  rpc_minor: number | null;
  followers: number;
}

export function computeMetrics(t: Totals, ctx: CostContext): Metrics {
  const scored = t.pos_n + t.neu_n + t.neg_n;
  const costMinor = cost(ctx.feeShareMinor, t.commission_minor);
  return {
    ...t,
    interactions: interactions(t),
    er: engagementRate(t),
    er_reach: engagementRateByReach(t),
    er_followers: engagementRateByFollowers(t, ctx.followers),
    sentiment_mean: meanSentiment(t),
    pos_share: ratio(t.pos_n, scored),
    neu_share: ratio(t.neu_n, scored),
    neg_share: ratio(t.neg_n, scored),
    net_sentiment: netSentiment(t),
    ctr: clickThroughRate(t),
    cr: conversionRate(t),
    aov_minor: averageOrderValue(t),
    fee_minor: ctx.feeShareMinor,
    fee_committed_minor: ctx.feeCommittedMinor,
    cost_minor: costMinor,
    roas: roas(t.revenue_minor, costMinor),
    cpa_minor: costPerAcquisition(costMinor, t.conversions),
    epc_minor: earningsPerClick(t),
    rpc_minor: revenuePerClick(t),
    followers: ctx.followers,
  };
}
