// What the simulator claims about the traffic it plays: the parameters the generator draws from and the
// ranges a test (or a person reading the dashboard) can hold the produced figures to.
import type { PartnerType, Tier } from '@pulseroom/schema';

export interface Range {
  min: number;
  max: number;
}

/**
 * Engagement rate by tier, as interactions / views × 100. Centre and range follow the published
 * influencer benchmarks (nano highest, mega lowest); each post's rate is drawn around the centre and
 * kept inside the range, so a tier's views-weighted rate cannot leave it.
 */
export const ER_BY_TIER: Record<Tier, Range & { centre: number }> = {
  nano: { centre: 5.5, min: 4, max: 7 },
  micro: { centre: 3.6, min: 2.5, max: 4.5 },
  macro: { centre: 2.4, min: 1.6, max: 3.2 },
  mega: { centre: 1.5, min: 1, max: 2 },
};

/** Probability that a unique (first, non-bot) click converts, by partner type. */
export const CLICK_CR_BY_TYPE: Record<PartnerType, number> = {
  influencer: 0.018,
  ambassador: 0.025,
  hybrid: 0.028,
  affiliate: 0.042,
};

/** Extra promo-code orders (no click) per click-attributed order. */
export const PROMO_PER_CLICK_ORDER = 0.35;
/** Share of orders that cannot be attributed (unknown promo code or click id, or neither). */
export const UNATTRIBUTABLE_SHARE = 0.03;
export const STATUS_MIX = { approved: 0.86, pending: 0.1, rejected: 0.04 } as const;
/** Pending orders approved later (the others are rejected), and approved orders charged back. */
export const PENDING_APPROVED_SHARE = 0.75;
export const CHARGEBACK_SHARE = 0.004;
/** Share of approved orders refunded later, and the share of those refunds that are partial. */
export const REFUND_SHARE = 0.06;
export const PARTIAL_REFUND_SHARE = 0.4;
/** Share of link clicks from bots (crawlers, link previews, scripts). */
export const BOT_SHARE = 0.04;
/** Share of human clicks that are a repeat click of a visitor already seen on that link. */
export const REPEAT_SHARE = 0.12;

/** Order currencies of a campaign: the campaign's own most of the time, others now and then. */
export const ORDER_CURRENCY_MIX: Record<string, ReadonlyArray<readonly [string, number]>> = {
  EUR: [
    ['EUR', 0.75],
    ['USD', 0.15],
    ['GBP', 0.1],
  ],
  USD: [
    ['USD', 0.8],
    ['EUR', 0.12],
    ['GBP', 0.08],
  ],
  GBP: [
    ['GBP', 0.85],
    ['EUR', 0.15],
  ],
};

/** What runSimulation reports it intended, beside what it sent. */
export interface SimClaims {
  er_by_tier: Record<Tier, Range & { centre: number }>;
  /** Approved conversions (click and promo) per unique click, in percent. */
  cr_percent: Range;
  click_cr_by_type: Record<PartnerType, number>;
  /** Mean order value by order currency, approved orders. */
  aov: Record<string, Range>;
  bot_share: number;
  repeat_share: number;
  refund_share: number;
  status_mix: typeof STATUS_MIX;
  crisis: { campaign_id: string; from_minute: number; to_minute: number; negative_share: Range };
  viral: { content_id: string; partner_id: string; from_minute: number } | null;
}

export const CR_RANGE: Range = { min: 1, max: 5 };
/** Mean order value ranges by order currency (the catalogues in basket.ts decide them). */
export const AOV_RANGES: Record<string, Range> = {
  EUR: { min: 130, max: 210 },
  USD: { min: 130, max: 260 },
  GBP: { min: 90, max: 200 },
};
