// What the simulator's steady traffic is expected to bring a campaign per day, from its deals: used to
// size the demo's goals and budget so that pacing means something.
import { tierOf, type Platform, type Tier } from '@pulseroom/schema';
import { BOT_SHARE, CLICK_CR_BY_TYPE, PROMO_PER_CLICK_ORDER, REPEAT_SHARE, STATUS_MIX } from './claims.js';
import { CTR, HEADLINE_POSTS_PER_DAY, OTHER_POSTS_PER_DAY, TIER_VIEW_FACTOR, VIEW_SHARE } from './posts.js';

interface ForecastPartner {
  followers: number;
  type: keyof typeof CLICK_CR_BY_TYPE;
  platforms: Platform[];
}

/** Mean of the log-normal(1, 0.45) spread on a post's views. */
const VIEW_NOISE_MEAN = Math.exp(0.45 ** 2 / 2);

export interface DailyForecast {
  views: number;
  clicks: number;
  orders: number;
  revenue: number;
}

/** Expected steady-state figures per day for one campaign's deals; `aov` in the campaign currency. */
export function dailyForecast(partners: ForecastPartner[], headline: boolean, aov: number): DailyForecast {
  const postsPerDay = headline ? HEADLINE_POSTS_PER_DAY : OTHER_POSTS_PER_DAY;
  const out: DailyForecast = { views: 0, clicks: 0, orders: 0, revenue: 0 };
  for (const p of partners) {
    const tier: Tier = tierOf(p.followers);
    // A steady post lands on one of the partner's platforms at random.
    for (const platform of p.platforms) {
      const views = (postsPerDay / p.platforms.length) * p.followers * VIEW_SHARE[platform] * TIER_VIEW_FACTOR[tier] * VIEW_NOISE_MEAN;
      const clicks = views * CTR[platform];
      const unique = clicks * (1 - BOT_SHARE) * (1 - REPEAT_SHARE);
      const orders = unique * CLICK_CR_BY_TYPE[p.type] * (1 + PROMO_PER_CLICK_ORDER) * STATUS_MIX.approved;
      out.views += views;
      out.clicks += clicks;
      out.orders += orders;
      out.revenue += orders * aov;
    }
  }
  return out;
}
