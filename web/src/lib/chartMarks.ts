// Annotations of the live charts: posts going live, alerts (with their why) and notes added by hand, as marks placed
// in their 10 s bucket, grouped into clusters when they would stand too close to be told apart.
import type { Alert, Annotation, PartnerInfo, PostItem } from './contract';
import { ALERT_KIND, platformName } from './labels';

export type MarkKind = 'post' | 'alert' | 'note';

export interface ChartMark {
  /** Unique among marks: kind and the item's id. */
  key: string;
  kind: MarkKind;
  ts: number;
  /** One line saying what happened: "@ana posted on Instagram", "Engagement spike", the note's text. */
  title: string;
  /** The why, or more of it: an alert's message, a post's caption, who wrote a note about whom. */
  detail: string;
  /** An alert's severity (its mark's colour; its word is in the title list too). */
  severity?: Alert['severity'];
  /** A note's id, for removing it. */
  noteId?: string;
  /** The partner a note is about ('' campaign-wide), so a page knows whether it may remove it. */
  partnerId?: string;
}

export interface MarkSources {
  posts?: readonly PostItem[];
  alerts?: readonly Alert[];
  notes?: readonly Annotation[];
  partners?: ReadonlyMap<string, PartnerInfo>;
}

const handleOf = (partners: ReadonlyMap<string, PartnerInfo> | undefined, id: string) =>
  partners?.get(id)?.handle || partners?.get(id)?.display_name || id;

/** Every mark of the sources, newest first; a post counts once, where it first appeared. */
export function chartMarks(s: MarkSources): ChartMark[] {
  const marks: ChartMark[] = [];
  const firstOf = new Map<string, PostItem>();
  for (const p of s.posts ?? []) {
    const k = `${p.partner_id}\u0000${p.platform}\u0000${p.content_id}`;
    const held = firstOf.get(k);
    if (!held || p.ts < held.ts) firstOf.set(k, p);
  }
  for (const p of firstOf.values())
    marks.push({
      key: `post:${p.event_id}`,
      kind: 'post',
      ts: p.ts,
      title: `${handleOf(s.partners, p.partner_id)} posted on ${platformName(p.platform)}`,
      detail: p.caption,
    });
  for (const a of s.alerts ?? [])
    marks.push({
      key: `alert:${a.id}`,
      kind: 'alert',
      ts: a.ts,
      title: ALERT_KIND[a.kind] ?? a.kind,
      detail: a.message,
      severity: a.severity,
    });
  for (const n of s.notes ?? [])
    marks.push({
      key: `note:${n.id}`,
      kind: 'note',
      ts: n.ts,
      title: n.text,
      detail: `Note by ${n.author}${n.partner_id ? ` about ${handleOf(s.partners, n.partner_id)}` : ''}`,
      noteId: n.id,
      partnerId: n.partner_id,
    });
  return marks.sort((a, b) => b.ts - a.ts || (a.key < b.key ? -1 : 1));
}

/** The marks within the chart's buckets [first, last + bucket). */
export function marksInRange(marks: readonly ChartMark[], first: number, last: number, bucketMs = 10_000) {
  return marks.filter((m) => m.ts >= first && m.ts < last + bucketMs);
}

export interface MarkCluster {
  /** Pixel position of the cluster along the chart (its newest mark's bucket). */
  x: number;
  /** Newest first. */
  marks: ChartMark[];
  /** The kind the cluster shows: an alert above a note above a post. */
  kind: MarkKind;
}

const RANK: Record<MarkKind, number> = { alert: 0, note: 1, post: 2 };

/**
 * Marks grouped so no two clusters stand closer than `minGapPx`: each mark joins the cluster at its left if within the
 * gap. `xOf` places a time on the chart (null: outside it). Clusters come left to right.
 */
export function clusterMarks(
  marks: readonly ChartMark[],
  xOf: (ts: number) => number | null,
  minGapPx: number,
): MarkCluster[] {
  const placed = marks
    .map((m) => ({ m, x: xOf(m.ts) }))
    .filter((p): p is { m: ChartMark; x: number } => p.x !== null)
    .sort((a, b) => a.x - b.x || b.m.ts - a.m.ts);
  const clusters: { start: number; x: number; marks: ChartMark[] }[] = [];
  for (const p of placed) {
    const last = clusters.at(-1);
    if (last && p.x - last.start < minGapPx) {
      last.marks.push(p.m);
      last.x = p.x;
    } else clusters.push({ start: p.x, x: p.x, marks: [p.m] });
  }
  return clusters.map((c) => {
    const newest = [...c.marks].sort((a, b) => b.ts - a.ts);
    const kind = newest.reduce<MarkKind>((k, m) => (RANK[m.kind] < RANK[k] ? m.kind : k), 'post');
    return { x: c.x, marks: newest, kind };
  });
}

/** The first `cap` marks and how many more there are ("+N"). */
export function capped<T>(list: readonly T[], cap: number): { shown: T[]; more: number } {
  return { shown: list.slice(0, cap), more: Math.max(0, list.length - cap) };
}
