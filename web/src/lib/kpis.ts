// The war room's KPI tiles: which metric, how it is formatted, how its trend reads and where its sparkline comes from.
import type { Metrics } from './contract';
import {
  formatCount,
  formatFraction,
  formatMoney,
  formatNetSentiment,
  formatPercent,
  formatRoas,
  trendOf,
  type Trend,
} from './format';
import type { SeriesMetric } from './sparkline';
import { Sampler } from './liveState';

export type KpiKey =
  | 'er'
  | 'net_sentiment'
  | 'unique_clicks'
  | 'conversions'
  | 'revenue_minor'
  | 'roas'
  | 'cpa_minor'
  | 'commission_minor';

export interface KpiDef {
  key: KpiKey;
  label: string;
  /** Series metric for the sparkline, or null when it is sampled on the client (ROAS, CPA, commission). */
  series: SeriesMetric | null;
  points?: boolean;
  higherIsBetter: boolean | null;
  format: (m: Metrics | null, currency: string, compact?: boolean) => string;
  sub: (m: Metrics | null, currency: string) => string;
}

const n = (m: Metrics | null) => m;

export const KPIS: KpiDef[] = [
  {
    key: 'er',
    label: 'Engagement rate',
    series: 'er',
    points: true,
    higherIsBetter: true,
    format: (m) => formatPercent(m?.er),
    sub: (m) => `by reach ${formatPercent(n(m)?.er_reach)}`,
  },
  {
    key: 'net_sentiment',
    label: 'Net sentiment',
    series: 'net_sentiment',
    points: true,
    higherIsBetter: true,
    format: (m) => formatNetSentiment(m?.net_sentiment),
    sub: (m) => `${formatCount(m?.comments_n ?? 0)} comments`,
  },
  {
    key: 'unique_clicks',
    label: 'Unique clicks',
    series: 'unique_clicks',
    higherIsBetter: true,
    format: (m) => formatCount(m?.unique_clicks),
    sub: (m) => `CTR ${formatFraction(m?.ctr)}`,
  },
  {
    key: 'conversions',
    label: 'Conversions',
    series: 'conversions',
    higherIsBetter: true,
    format: (m) => formatCount(m?.conversions),
    sub: (m) => `CR ${formatFraction(m?.cr)}`,
  },
  {
    key: 'revenue_minor',
    label: 'Revenue',
    series: 'revenue_minor',
    higherIsBetter: true,
    format: (m, c, compact) => formatMoney(m?.revenue_minor, c, { compact: compact ?? true }),
    sub: (m, c) => `AOV ${formatMoney(m?.aov_minor ?? null, c, { whole: true })}`,
  },
  {
    key: 'roas',
    label: 'ROAS',
    series: null,
    higherIsBetter: true,
    format: (m) => formatRoas(m?.roas),
    sub: (m, c) => `cost ${formatMoney(m?.cost_minor ?? null, c, { compact: true })}`,
  },
  {
    key: 'cpa_minor',
    label: 'CPA',
    series: null,
    higherIsBetter: false,
    format: (m, c) => formatMoney(m?.cpa_minor, c),
    sub: (m) => `${formatCount(m?.conversions ?? 0)} orders`,
  },
  {
    key: 'commission_minor',
    label: 'Commission owed',
    series: null,
    higherIsBetter: null,
    format: (m, c, compact) => formatMoney(m?.commission_minor, c, { compact: compact ?? true }),
    sub: (m, c) => `EPC ${formatMoney(m?.epc_minor ?? null, c)}`,
  },
];

export function kpiValue(m: Metrics | null, key: KpiKey): number | null {
  if (!m) return null;
  const v = m[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function kpiTrend(def: KpiDef, m: Metrics | null, prev: Metrics | null): Trend {
  const t = trendOf(kpiValue(m, def.key), kpiValue(prev, def.key), {
    higherIsBetter: def.higherIsBetter ?? true,
    points: def.points,
  });
  return def.higherIsBetter === null ? { ...t, good: null } : t;
}

/** Sampled history of the KPIs the series lacks (ROAS, CPA, commission), reset when the view changes. */
export class KpiSamplers {
  private readonly samplers = new Map<KpiKey, Sampler>();
  private viewKey = '';
  constructor(private readonly cap = 120) {
    for (const k of KPIS) if (!k.series) this.samplers.set(k.key, new Sampler(cap));
  }
  /** Records one update of `viewKey` (window + filters + scope) and returns every sampled history. */
  update(viewKey: string, m: Metrics | null): Partial<Record<KpiKey, (number | null)[]>> {
    if (viewKey !== this.viewKey) {
      this.viewKey = viewKey;
      for (const s of this.samplers.values()) s.reset();
    }
    const out: Partial<Record<KpiKey, (number | null)[]>> = {};
    for (const [k, s] of this.samplers) {
      s.push(kpiValue(m, k));
      out[k] = s.get();
    }
    return out;
  }
}
