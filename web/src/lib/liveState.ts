// Client-side live state: applies snapshots, deltas and pushed items to an immutable view with capped arrays (bounded
// memory for days of running).
import { patchRows, withPartnerFees } from '@pulseroom/schema/rowPatch';
import type {
  Alert,
  Annotation,
  CommentItem,
  Delta,
  GroupName,
  GroupRow,
  PostItem,
  SeriesPoint,
  Snapshot,
  SourceFreshness,
} from './contract';

export const CAPS = {
  /** Last hour at 10 s buckets, plus slack. */
  series: 390,
  comments: 120,
  posts: 120,
  alerts: 150,
  annotations: 200,
};

export type LiveView = Snapshot;

/** Changed rows replace rows with the same key; new keys are appended. */
export function mergeRows(rows: readonly GroupRow[], changed: readonly GroupRow[]): GroupRow[] {
  if (!changed.length) return rows as GroupRow[];
  const byKey = new Map(changed.map((r) => [r.key, r]));
  const out: GroupRow[] = [];
  for (const r of rows) {
    const c = byKey.get(r.key);
    if (c) {
      out.push(c);
      byKey.delete(r.key);
    } else out.push(r);
  }
  for (const c of byKey.values()) out.push(c);
  return out;
}

/** New points replace points with the same bucket start or are inserted in time order; keeps the last `cap`. */
export function mergeSeries(
  points: readonly SeriesPoint[],
  incoming: readonly SeriesPoint[],
  cap = CAPS.series,
): SeriesPoint[] {
  if (!incoming.length) return points as SeriesPoint[];
  const out = points.slice();
  for (const p of incoming) {
    // Almost always the newest bucket: search from the end.
    let i = out.length - 1;
    while (i >= 0 && out[i].t > p.t) i--;
    if (i >= 0 && out[i].t === p.t) out[i] = p;
    else out.splice(i + 1, 0, p);
  }
  return out.length > cap ? out.slice(out.length - cap) : out;
}

export type DeltaResult = { view: LiveView; status: 'applied' } | { view: LiveView; status: 'stale' | 'gap' | 'other' };

/**
 * Applies a delta. A delta for another campaign or window is ignored ('other'); an old one ('stale')
 * is dropped; a jump in seq ('gap') means messages were lost and the caller should resubscribe.
 */
export function applyDelta(view: LiveView, d: Delta): DeltaResult {
  if (d.campaign_id !== view.campaign_id || d.window !== view.window) return { view, status: 'other' };
  if (d.seq <= view.seq) return { view, status: 'stale' };
  if (d.seq > view.seq + 1) return { view, status: 'gap' };
  const groups = { ...view.groups };
  for (const g of Object.keys(d.groups) as GroupName[]) {
    const changed = d.groups[g];
    if (changed) groups[g] = mergeRows(groups[g] ?? [], changed);
  }
  // Patches carry the base fields that moved in held rows; patchRows recomputes the derived metrics from them.
  for (const g of Object.keys(d.patches ?? {}) as GroupName[]) {
    const patch = d.patches![g];
    if (patch) groups[g] = patchRows(groups[g] ?? [], patch);
  }
  // Partner rows' fee shares follow from their fee terms and the window's end, which the delta may have moved.
  const terms = d.fee_terms ? { ...view.fee_terms, ...d.fee_terms } : view.fee_terms;
  groups.partner = withPartnerFees(groups.partner ?? [], terms ?? {}, view.window, d.window_end);
  return {
    view: {
      ...view,
      at: d.at,
      seq: d.seq,
      groups,
      window_end: d.window_end,
      fee_terms: terms,
      series: mergeSeries(view.series, d.series ?? []),
    },
    status: 'applied',
  };
}

/** Snapshot arrays capped and sorted newest first for feeds. */
export function normalizeSnapshot(s: Snapshot): LiveView {
  const byTsDesc = <T extends { ts: number }>(a: T, b: T) => b.ts - a.ts;
  return {
    ...s,
    series: mergeSeries(
      [],
      [...(s.series ?? [])].sort((a, b) => a.t - b.t),
    ),
    comments: [...(s.comments ?? [])].sort(byTsDesc).slice(0, CAPS.comments),
    posts: [...(s.posts ?? [])].sort(byTsDesc).slice(0, CAPS.posts),
    alerts: [...(s.alerts ?? [])].sort(byTsDesc).slice(0, CAPS.alerts),
    annotations: [...(s.annotations ?? [])].sort(byTsDesc).slice(0, CAPS.annotations),
    sources: s.sources ?? [],
  };
}

/** Prepends an item (newest first), replacing one with the same id, keeping at most `cap`. */
export function pushFeed<T>(list: readonly T[], item: T, idOf: (t: T) => string, cap: number): T[] {
  const id = idOf(item);
  const out = [item, ...list.filter((x) => idOf(x) !== id)];
  return out.length > cap ? out.slice(0, cap) : out;
}

export function addComment(view: LiveView, c: CommentItem): LiveView {
  return { ...view, comments: pushFeed(view.comments, c, (x) => x.event_id, CAPS.comments) };
}
export function addPost(view: LiveView, p: PostItem): LiveView {
  return { ...view, posts: pushFeed(view.posts, p, (x) => x.event_id, CAPS.posts) };
}
export function addAlert(view: LiveView, a: Alert): LiveView {
  return { ...view, alerts: pushFeed(view.alerts, a, (x) => x.id, CAPS.alerts) };
}
/** A note added (or changed): kept in time order, newest first, whatever order the pushes came in. */
export function addAnnotation(view: LiveView, a: Annotation): LiveView {
  const list = [a, ...view.annotations.filter((x) => x.id !== a.id)].sort((x, y) => y.ts - x.ts);
  return { ...view, annotations: list.slice(0, CAPS.annotations) };
}
export function removeAnnotation(view: LiveView, id: string): LiveView {
  if (!view.annotations.some((a) => a.id === id)) return view;
  return { ...view, annotations: view.annotations.filter((a) => a.id !== id) };
}
export function setSources(view: LiveView, sources: SourceFreshness[]): LiveView {
  return { ...view, sources };
}
export function ackAlert(view: LiveView, id: string): LiveView {
  return { ...view, alerts: view.alerts.map((a) => (a.id === id ? { ...a, acknowledged: true } : a)) };
}

/** The one campaign-level row (key "all", or the only row). */
export function campaignRow(view: Pick<LiveView, 'groups'>): GroupRow | null {
  const rows = view.groups.campaign ?? [];
  return rows.find((r) => r.key === 'all') ?? rows[0] ?? null;
}

/**
 * A small history of values sampled on each update, for sparklines of metrics the series lacks (ROAS, CPA, commission).
 */
export class Sampler {
  private values: (number | null)[] = [];
  constructor(private cap = 120) {}
  push(v: number | null): void {
    this.values.push(v);
    if (this.values.length > this.cap) this.values.splice(0, this.values.length - this.cap);
  }
  reset(): void {
    this.values = [];
  }
  get(): (number | null)[] {
    return this.values.slice();
  }
}
