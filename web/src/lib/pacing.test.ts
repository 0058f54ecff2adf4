import { describe, expect, it } from 'vitest';
import { pacing } from './pacing';
import { Backoff, healthOf, isStale } from './stale';
import { panelAt, parseRotation } from './rotation';
import { fillBuckets, seriesValues, sparkPath } from './sparkline';
import { pt } from './testData';

const DAY = 86_400_000;

describe('goal pacing', () => {
  it('projects the end figure at the run rate to date', () => {
    const p = pacing(300, 1000, 0, 10 * DAY, 2 * DAY)!;
    expect(p.elapsed).toBeCloseTo(0.2);
    expect(p.expectedNow).toBeCloseTo(200);
    expect(p.projected).toBeCloseTo(1500);
    expect(p.status).toBe('ahead');
    expect(pacing(150, 1000, 0, 10 * DAY, 2 * DAY)!.status).toBe('behind');
    expect(pacing(196, 1000, 0, 10 * DAY, 2 * DAY)!.status).toBe('on-track');
    expect(pacing(1200, 1000, 0, 10 * DAY, 2 * DAY)!.status).toBe('reached');
  });
  it('has no goal or projection when it cannot', () => {
    expect(pacing(1, 0, 0, DAY, 1)).toBeNull();
    expect(pacing(1, 10, 5, 5, 1)).toBeNull();
    const early = pacing(0, 1000, 0, 10 * DAY, -5)!;
    expect(early.projected).toBeNull();
    expect(early.status).toBe('not-started');
    const justStarted = pacing(5, 1000, 0, 10 * DAY, 60_000)!;
    expect(justStarted.projected).toBeNull();
    expect(justStarted.status).toBe('early');
  });
});

describe('stale detection and backoff', () => {
  it('is stale only after the threshold', () => {
    expect(isStale(10_000, 0)).toBe(false);
    expect(isStale(10_001, 0)).toBe(true);
    expect(isStale(10_001, null)).toBe(false);
    expect(healthOf({ now: 5000, connected: true, lastUpdate: 4000, everConnected: true })).toBe('live');
    expect(healthOf({ now: 20_000, connected: false, lastUpdate: 4000, everConnected: true })).toBe('stale');
    expect(healthOf({ now: 5000, connected: false, lastUpdate: 4000, everConnected: true })).toBe('offline');
    expect(healthOf({ now: 5000, connected: false, lastUpdate: null, everConnected: false })).toBe('connecting');
  });
  it('backs off exponentially within bounds and resets', () => {
    const b = new Backoff(1000, 8000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000, 8000, 8000]);
    b.reset();
    expect(b.next()).toBe(1000);
    const low = new Backoff(1000, 8000, () => 0);
    expect(low.next()).toBe(500);
  });
});

describe('wall rotation', () => {
  it('parses panels and interval from the URL with safe bounds', () => {
    expect(parseRotation('?panels=leaders,kpis,bogus,kpis&every=20')).toEqual({
      panels: ['leaders', 'kpis'],
      everyMs: 20_000,
    });
    expect(parseRotation('')).toEqual({ panels: ['kpis', 'leaders', 'sentiment', 'revenue'], everyMs: 15_000 });
    expect(parseRotation('?every=1').everyMs).toBe(5000);
    expect(parseRotation('?every=abc').everyMs).toBe(15_000);
  });
  it('picks the panel on screen and the time to the next one', () => {
    const r = parseRotation('?panels=kpis,leaders,revenue&every=10');
    expect(panelAt(r, 0, 0)).toEqual({ index: 0, panel: 'kpis', nextInMs: 10_000 });
    expect(panelAt(r, 0, 25_000)).toEqual({ index: 2, panel: 'revenue', nextInMs: 5000 });
    expect(panelAt(r, 0, 31_000).panel).toBe('kpis');
    // Days of running: still a valid panel.
    expect(panelAt(r, 0, 5 * DAY + 1).panel).toBeDefined();
  });
});

describe('sparklines', () => {
  it('draws a path and breaks it at nulls', () => {
    expect(sparkPath([1], 100, 20)).toBe('');
    const d = sparkPath([0, 10, null, 5], 30, 20, 0);
    expect(d).toBe('M0.0,20.0L10.0,0.0M30.0,10.0');
  });
  it('computes ratios per bucket and fills quiet buckets with zeros', () => {
    const p = { ...pt(0), views: 200, interactions: 10, pos_n: 3, neg_n: 1, neu_n: 0 };
    expect(seriesValues([p, pt(10_000)], 'er')).toEqual([5, null]);
    expect(seriesValues([p], 'net_sentiment')).toEqual([50]);
    const filled = fillBuckets([pt(20_000, 4)], 35_000, 4);
    expect(filled.map((x) => [x.t, x.clicks])).toEqual([
      [0, 0],
      [10_000, 0],
      [20_000, 4],
      [30_000, 0],
    ]);
  });
});

import { sparkArea } from './sparkline';
describe('sparkline area', () => {
  it('closes each unbroken run to the baseline', () => {
    expect(sparkArea('M0.0,20.0L10.0,0.0M30.0,10.0', 20)).toBe(
      'M0.0,20L0.0,20.0L10.0,0.0L10.0,20ZM30.0,20L30.0,10.0L30.0,20Z',
    );
    expect(sparkArea('', 20)).toBe('');
  });

  it('projects a 30-day launch after its first quarter hour, not before', () => {
    const span = 30 * 86_400_000;
    expect(pacing(500, 100_000, 0, span, 10 * 60_000)!.status).toBe('early');
    const p = pacing(500, 100_000, 0, span, 16 * 60_000)!;
    expect(p.projected).toBeCloseTo((500 * span) / (16 * 60_000));
    expect(p.status).toBe('ahead');
  });
});
