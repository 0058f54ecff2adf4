// Campaign goals from what the simulator itself will play: its launch day and two ordinary days, extrapolated over
// each campaign's run, so the demo's goal pacing measures the traffic it shows (not a separate model of it).
import type { LaunchFile } from './demoLaunch.js';
import { generateMinute, planTraffic } from './traffic.js';

const DAY_MIN = 24 * 60;
const DAYS_PLAYED = 3;

export interface PlayedDays {
  /** Revenue in the campaign's currency (major units), unique human clicks, per played day. */
  revenue: number[];
  clicks: number[];
}

/**
 * Plays the first three days of the launch (well under a second) and sums, per campaign and day, revenue and unique
 * clicks.
 */
export function playFirstDays(launch: LaunchFile, seed: number, startAt: number): Map<string, PlayedDays> {
  const plan = planTraffic({ launch, seed, startAt });
  const currency = new Map((launch.campaigns ?? []).map((c) => [c.id, c.currency ?? 'USD']));
  const out = new Map<string, PlayedDays & { sameCurrency: number[]; orders: number[] }>();
  const of = (id: string) => {
    let d = out.get(id);
    if (!d)
      out.set(
        id,
        (d = {
          revenue: Array(DAYS_PLAYED).fill(0),
          clicks: Array(DAYS_PLAYED).fill(0),
          sameCurrency: Array(DAYS_PLAYED).fill(0),
          orders: Array(DAYS_PLAYED).fill(0),
        }),
      );
    return d;
  };
  const sale = (campaignId: string, day: number, e: { amount?: number; currency?: string; status?: string }) => {
    if ((e.status ?? 'approved') !== 'approved') return;
    const d = of(campaignId);
    d.orders[day]++;
    // Sales in another currency are counted at the mean of those in the campaign's own (no rate table here).
    if (e.currency === currency.get(campaignId)) {
      d.sameCurrency[day]++;
      d.revenue[day] += e.amount ?? 0;
    }
  };
  for (let minute = 0; minute < DAYS_PLAYED * DAY_MIN; minute++) {
    const day = Math.floor(minute / DAY_MIN);
    for (const a of generateMinute(plan, minute)) {
      if (a.kind === 'visit') {
        if (!a.bot && a.unique) of(a.campaign_id).clicks[day]++;
        if (a.order) sale(a.campaign_id, day, a.order.event);
      } else if (a.event.type === 'conversion') sale(a.event.campaign_id, day, a.event);
    }
  }
  for (const d of out.values()) {
    for (let i = 0; i < DAYS_PLAYED; i++) if (d.sameCurrency[i] > 0) d.revenue[i] *= d.orders[i] / d.sameCurrency[i];
  }
  return out;
}

/** Two significant figures: a goal a person would set. */
const round2 = (n: number) => {
  if (n <= 0) return 0;
  const p = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.round(n / p) * p;
};

/** The launch day, then every further day of the run like the ordinary days played. */
export function goalsOver(days: number, played: PlayedDays): { revenue: number; clicks: number } {
  const later = (xs: number[]) => (xs.length > 1 ? xs.slice(1).reduce((a, b) => a + b, 0) / (xs.length - 1) : xs[0]);
  const extrapolate = (xs: number[]) => xs[0] + Math.max(0, days - 1) * later(xs);
  return { revenue: round2(extrapolate(played.revenue)), clicks: round2(extrapolate(played.clicks)) };
}
