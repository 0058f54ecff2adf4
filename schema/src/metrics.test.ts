import { describe, expect, it } from 'vitest';
import {
  averageOrderValue,
  clickThroughRate,
  commissionFor,
  commissionReversal,
  commissionTerms,
  computeMetrics,
  conversionRate,
  cost,
  costPerAcquisition,
  earningsPerClick,
  emptyTotals,
  engagementRate,
  engagementRateByFollowers,
  engagementRateByReach,
  feeShare,
  netSentiment,
  ratio,
  revenuePerClick,
  roas,
  type Totals,
} from './metrics.js';
import { tierOf } from './tiers.js';

const totals = (t: Partial<Totals>): Totals => ({ ...emptyTotals(), ...t });

describe('ratios', () => {
  it('is null for a zero denominator, never NaN or Infinity', () => {
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });
});

describe('engagement rate', () => {
  it('is interactions / views × 100, interactions = likes + comments + shares + saves', () => {
    expect(engagementRate(totals({ views: 1000, likes: 30, comments: 5, shares: 3, saves: 2, follows: 50 }))).toBe(4);
  });
  it('is null without views', () => {
    expect(engagementRate(totals({ likes: 10 }))).toBeNull();
  });
  it('by reach counts only interactions where reach is known', () => {
    expect(engagementRateByReach(totals({ reach: 500, reach_interactions: 25, likes: 100 }))).toBe(5);
    expect(engagementRateByReach(totals({ likes: 100 }))).toBeNull();
  });
  it('by followers divides by the followers of the group', () => {
    expect(engagementRateByFollowers(totals({ likes: 40, comments: 10 }), 2000)).toBe(2.5);
    expect(engagementRateByFollowers(totals({ likes: 40 }), 0)).toBeNull();
  });
});

describe('sentiment', () => {
  it('net sentiment = (pos − neg) / all scored × 100', () => {
    expect(netSentiment(totals({ pos_n: 60, neu_n: 20, neg_n: 20 }))).toBe(40);
    expect(netSentiment(totals({ pos_n: 0, neu_n: 0, neg_n: 5 }))).toBe(-100);
    expect(netSentiment(totals({ unscored_n: 7 }))).toBeNull();
  });
  it('shares and mean in computeMetrics', () => {
    const m = computeMetrics(totals({ pos_n: 3, neu_n: 1, neg_n: 0, scored_n: 4, sentiment_sum: 2 }), {
      followers: 0,
      feeShareMinor: 0,
      feeCommittedMinor: 0,
    });
    expect(m.pos_share).toBe(0.75);
    expect(m.sentiment_mean).toBe(0.5);
  });
});

describe('clicks and sales', () => {
  const t = totals({
    views: 10_000,
    clicks: 300,
    unique_clicks: 200,
    bot_clicks: 40,
    conversions: 10,
    revenue_minor: 50_000,
    commission_minor: 5_000,
  });
  it('CTR = unique clicks / views', () => expect(clickThroughRate(t)).toBe(0.02));
  it('CR = conversions / unique clicks', () => expect(conversionRate(t)).toBe(0.05));
  it('AOV = revenue / conversions', () => expect(averageOrderValue(t)).toBe(5000));
  it('EPC = commission / unique clicks and RPC = revenue / unique clicks', () => {
    expect(earningsPerClick(t)).toBe(25);
    expect(revenuePerClick(t)).toBe(250);
  });
  it('ratios with no clicks or conversions are null', () => {
    const z = totals({ views: 100 });
    expect(conversionRate(z)).toBeNull();
    expect(averageOrderValue(z)).toBeNull();
    expect(earningsPerClick(z)).toBeNull();
    expect(clickThroughRate(totals({}))).toBeNull();
  });
  it('revenue is net of refunds (refunds are negative amounts in the totals)', () => {
    // two approved orders of 100.00, one refunded 30.00: revenue 170.00
    const m = computeMetrics(
      totals({ conversions: 2, revenue_minor: 20_000 - 3_000, refunds_n: 1, refund_minor: 3_000 }),
      { followers: 0, feeShareMinor: 0, feeCommittedMinor: 0 },
    );
    expect(m.revenue_minor).toBe(17_000);
    expect(m.aov_minor).toBe(8_500);
  });
});

describe('cost, ROAS and CPA', () => {
  it('cost = fee share + commission; ROAS = revenue / cost; CPA = cost / conversions', () => {
    expect(cost(1000, 500)).toBe(1500);
    expect(roas(6000, 1500)).toBe(4);
    expect(costPerAcquisition(1500, 3)).toBe(500);
    expect(roas(6000, 0)).toBeNull();
    expect(costPerAcquisition(1500, 0)).toBeNull();
  });
  it('a fixed fee is spread evenly over the run', () => {
    const day = 86_400_000;
    // 10-day deal, 1000.00 fee: one day carries 100.00, 5 minutes carries 100.00 / 288
    expect(feeShare(100_000, 0, 10 * day, 0, day)).toBe(10_000);
    expect(feeShare(100_000, 0, 10 * day, day, day + 300_000)).toBeCloseTo(10_000 / 288, 6);
    // windows outside the run carry nothing; a window covering the run carries all of it
    expect(feeShare(100_000, 0, 10 * day, 11 * day, 12 * day)).toBe(0);
    expect(feeShare(100_000, 0, 10 * day, -day, 20 * day)).toBe(100_000);
  });
  it('fee only, commission only and both', () => {
    const ctx = (fee: number) => ({ followers: 0, feeShareMinor: fee, feeCommittedMinor: fee * 2 });
    const feeOnly = computeMetrics(totals({ conversions: 4, revenue_minor: 40_000 }), ctx(10_000));
    expect([feeOnly.cost_minor, feeOnly.roas, feeOnly.cpa_minor, feeOnly.fee_committed_minor]).toEqual([
      10_000, 4, 2_500, 20_000,
    ]);
    const commissionOnly = computeMetrics(
      totals({ conversions: 4, revenue_minor: 40_000, commission_minor: 4_000 }),
      ctx(0),
    );
    expect([commissionOnly.cost_minor, commissionOnly.roas, commissionOnly.cpa_minor]).toEqual([4_000, 10, 1_000]);
    const both = computeMetrics(totals({ conversions: 4, revenue_minor: 40_000, commission_minor: 4_000 }), ctx(6_000));
    expect([both.cost_minor, both.roas, both.cpa_minor]).toEqual([10_000, 4, 2_500]);
    const nothing = computeMetrics(totals({}), ctx(0));
    expect([nothing.roas, nothing.cpa_minor, nothing.er, nothing.net_sentiment]).toEqual([null, null, null, null]);
  });
});

describe('commission', () => {
  const toMinor = (x: number) => Math.round(x * 100);
  it('percent of net revenue plus a flat amount per conversion', () => {
    const terms = commissionTerms({ commission_percent: 10, commission_flat: 2, commission_tiers: [] }, toMinor);
    expect(commissionFor(terms, 5_000, 0)).toBe(700);
  });
  it('a tier pays its higher rate only on revenue past the threshold', () => {
    const terms = commissionTerms(
      { commission_percent: 10, commission_flat: 0, commission_tiers: [{ threshold: 1000, percent: 15 }] },
      toMinor,
    );
    expect(commissionFor(terms, 10_000, 0)).toBe(1_000); // all below 1000.00
    expect(commissionFor(terms, 20_000, 90_000)).toBe(1_000 + 1_500); // 100.00 at 10 %, 100.00 at 15 %
    expect(commissionFor(terms, 10_000, 200_000)).toBe(1_500); // all above
  });
  it('several tiers in any order', () => {
    const terms = commissionTerms(
      {
        commission_percent: 5,
        commission_flat: 0,
        commission_tiers: [
          { threshold: 200, percent: 20 },
          { threshold: 100, percent: 10 },
        ],
      },
      toMinor,
    );
    expect(commissionFor(terms, 30_000, 0)).toBe(500 + 1_000 + 2_000);
  });
  it('a refund reverses commission proportionally', () => {
    expect(commissionReversal(1_000, 10_000, 2_500)).toBe(250);
    expect(commissionReversal(1_000, 10_000, 50_000)).toBe(1_000);
    expect(commissionReversal(1_000, 0, 10)).toBe(0);
  });
});

describe('tiers', () => {
  it('nano < 10K ≤ micro < 100K ≤ macro < 1M ≤ mega', () => {
    expect([0, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 5e7].map(tierOf)).toEqual([
      'nano',
      'nano',
      'micro',
      'micro',
      'macro',
      'macro',
      'mega',
      'mega',
    ]);
  });
});
