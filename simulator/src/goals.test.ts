import { describe, expect, it } from 'vitest';
import { demoLaunch, HEADLINE_CAMPAIGN_ID, LAUNCH_LEAD_MS } from './demoLaunch.js';
import { goalsOver, playFirstDays } from './goals.js';
import { generateMinute, planTraffic } from './traffic.js';

describe('demo goals', () => {
  it('extrapolate the launch day and the ordinary days played, to two significant figures', () => {
    expect(goalsOver(30, { revenue: [200_000, 130_000, 150_000], clicks: [56_000, 35_000, 39_000] })).toEqual({
      revenue: 4_300_000,
      clicks: 1_100_000,
    });
    expect(goalsOver(1, { revenue: [1234, 1, 1], clicks: [99, 1, 1] })).toEqual({ revenue: 1200, clicks: 99 });
  });

  it('are what the simulator plays: after the first hour of the launch, pacing has moved off zero and is not absurd', () => {
    const now = Date.UTC(2026, 11, 4, 12);
    const launch = demoLaunch({ now, seed: 42 });
    const head = launch.campaigns!.find((c) => c.id === HEADLINE_CAMPAIGN_ID)!;
    const plan = planTraffic({ launch, seed: 42, startAt: now - LAUNCH_LEAD_MS });
    let clicks = 0;
    for (let m = 0; m < 60; m++)
      for (const a of generateMinute(plan, m))
        if (a.kind === 'visit' && a.campaign_id === HEADLINE_CAMPAIGN_ID && !a.bot && a.unique) clicks++;
    const share = clicks / head.goals!.clicks!;
    // A 30-day goal: the first hour of a launch is well above a flat hour's 0.14 %, and far from the goal.
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.1);
    const played = playFirstDays(launch, 42, now - LAUNCH_LEAD_MS).get(HEADLINE_CAMPAIGN_ID)!;
    expect(played.revenue[0]).toBeGreaterThan(played.revenue[1]); // launch day above an ordinary day
    expect(head.goals!.revenue).toBeGreaterThan(played.revenue.reduce((a, b) => a + b, 0));
  });
});
