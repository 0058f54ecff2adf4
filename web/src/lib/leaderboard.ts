// The partner leaderboard: rows joined with partner info, sorted by any metric, with rank movement against the previous
// window.
import type { GroupRow, Metrics, PartnerInfo } from './contract';
import type { SortDir } from './viewState';

export interface LeaderColumn {
  key: keyof Metrics & string;
  label: string;
  kind: 'money' | 'count' | 'percent' | 'fraction' | 'sentiment' | 'roas';
  /** For cost-like metrics lower is better. */
  higherIsBetter: boolean;
}

export const LEADER_COLUMNS: LeaderColumn[] = [
  { key: 'revenue_minor', label: 'Revenue', kind: 'money', higherIsBetter: true },
  { key: 'conversions', label: 'Conversions', kind: 'count', higherIsBetter: true },
  { key: 'unique_clicks', label: 'Unique clicks', kind: 'count', higherIsBetter: true },
  { key: 'cr', label: 'CR', kind: 'fraction', higherIsBetter: true },
  { key: 'views', label: 'Views', kind: 'count', higherIsBetter: true },
  { key: 'er', label: 'ER', kind: 'percent', higherIsBetter: true },
  { key: 'net_sentiment', label: 'Net sentiment', kind: 'sentiment', higherIsBetter: true },
  { key: 'roas', label: 'ROAS', kind: 'roas', higherIsBetter: true },
  { key: 'cpa_minor', label: 'CPA', kind: 'money', higherIsBetter: false },
  { key: 'commission_minor', label: 'Commission owed', kind: 'money', higherIsBetter: true },
];

export const SORTABLE_KEYS: string[] = ['name', ...LEADER_COLUMNS.map((c) => c.key)];

export interface LeaderRow {
  key: string;
  partner: PartnerInfo | null;
  name: string;
  metrics: Metrics;
  previous: Metrics | null;
  rank: number;
  /** Places gained (positive) or lost (negative) against the previous window; null when new or no previous. */
  movement: number | null;
}

function valueOf(m: Metrics | null, key: string): number | null {
  if (!m) return null;
  const v = (m as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Compare two rows on a metric; nulls always sink to the bottom whatever the direction, ties broken by name. */
function compareBy(
  key: string,
  dir: SortDir,
  nameA: string,
  nameB: string,
  a: Metrics | null,
  b: Metrics | null,
): number {
  if (key === 'name') {
    const c = nameA.localeCompare(nameB);
    return dir === 'asc' ? c : -c;
  }
  const va = valueOf(a, key);
  const vb = valueOf(b, key);
  if (va === null && vb === null) return nameA.localeCompare(nameB);
  if (va === null) return 1;
  if (vb === null) return -1;
  if (va !== vb) return dir === 'asc' ? va - vb : vb - va;
  return nameA.localeCompare(nameB);
}

function hasActivity(m: Metrics | null): boolean {
  if (!m) return false;
  return m.views + m.clicks + m.conversions + m.comments_n + m.revenue_minor + m.interactions !== 0;
}

export function buildLeaderboard(
  rows: readonly GroupRow[],
  partners: readonly PartnerInfo[],
  sort: string,
  dir: SortDir,
): LeaderRow[] {
  const info = new Map(partners.map((p) => [p.id, p]));
  const nameOf = (key: string) => info.get(key)?.display_name ?? (key === '' ? 'Unattributed' : key);
  const sorted = [...rows].sort((a, b) => compareBy(sort, dir, nameOf(a.key), nameOf(b.key), a.metrics, b.metrics));
  // Ranks in the previous window, by the same ordering, among partners that were active then.
  const prevRank = new Map<string, number>();
  if (sort !== 'name') {
    const prev = rows
      .filter((r) => hasActivity(r.previous))
      .sort((a, b) => compareBy(sort, dir, nameOf(a.key), nameOf(b.key), a.previous, b.previous));
    prev.forEach((r, i) => prevRank.set(r.key, i + 1));
  }
  return sorted.map((r, i) => {
    const before = prevRank.get(r.key);
    return {
      key: r.key,
      partner: info.get(r.key) ?? null,
      name: nameOf(r.key),
      metrics: r.metrics,
      previous: r.previous,
      rank: i + 1,
      movement: before === undefined ? null : before - (i + 1),
    };
  });
}

export function nextSort(current: { sort: string; dir: SortDir }, key: string): { sort: string; dir: SortDir } {
  if (current.sort === key) return { sort: key, dir: current.dir === 'desc' ? 'asc' : 'desc' };
  return { sort: key, dir: key === 'name' ? 'asc' : 'desc' };
}
