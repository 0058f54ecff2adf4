import { describe, expect, it } from 'vitest';
import { KPIS, KpiSamplers, kpiTrend } from './kpis';
import { metrics } from './testData';

describe('KPI tiles', () => {
  it('has the eight tiles of the war room', () => {
    expect(KPIS.map((k) => k.key)).toEqual([
      'er',
      'net_sentiment',
      'unique_clicks',
      'conversions',
      'revenue_minor',
      'roas',
      'cpa_minor',
      'commission_minor',
    ]);
  });
  it('reads a lower CPA as good news and commission as neutral', () => {
    const cpa = KPIS.find((k) => k.key === 'cpa_minor')!;
    expect(kpiTrend(cpa, metrics({ cpa_minor: 80 }), metrics({ cpa_minor: 100 })).good).toBe(true);
    const com = KPIS.find((k) => k.key === 'commission_minor')!;
    expect(kpiTrend(com, metrics({ commission_minor: 80 }), metrics({ commission_minor: 100 })).good).toBeNull();
  });
  it('formats null ratios as a dash', () => {
    expect(KPIS.find((k) => k.key === 'roas')!.format(metrics(), 'EUR')).toBe('—');
    expect(KPIS.find((k) => k.key === 'er')!.format(null, 'EUR')).toBe('—');
  });
  it('samples the KPIs the series lacks and resets when the view changes', () => {
    const s = new KpiSamplers(3);
    s.update('5m', metrics({ roas: 1 }));
    expect(s.update('5m', metrics({ roas: 2 })).roas).toEqual([1, 2]);
    expect(s.update('1h', metrics({ roas: 7 })).roas).toEqual([7]);
    expect(s.update('1h', metrics()).er).toBeUndefined();
  });
});
