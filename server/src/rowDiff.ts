// What a room's members must be sent for one group row: nothing, the whole row (new, or its counts changed), or a patch
// of the few fields that moved without any count moving (fee shares as a window slides over a deal's run).
import { TOTAL_FIELDS, type GroupRow, type GroupRowPatch, type Metrics } from '@pulseroom/schema';

export type RowChange = { full: GroupRow; patch?: undefined } | { patch: GroupRowPatch; full?: undefined } | null;

type MetricKey = keyof Metrics;

function countsDiffer(a: Metrics, b: Metrics): boolean {
  for (const f of TOTAL_FIELDS) if (a[f] !== b[f]) return true;
  return false;
}

/** The fields of `next` that differ from `held`, or null when none does. */
function changedFields(held: Metrics, next: Metrics): Partial<Metrics> | null {
  let out: Partial<Record<MetricKey, number | null>> | null = null;
  for (const f of Object.keys(next) as MetricKey[]) if (held[f] !== next[f]) (out ??= {})[f] = next[f];
  return out as Partial<Metrics> | null;
}

export function rowChange(held: GroupRow | undefined, next: GroupRow): RowChange {
  if (!held || (held.previous === null) !== (next.previous === null)) return { full: next };
  if (countsDiffer(held.metrics, next.metrics) || (held.previous && next.previous && countsDiffer(held.previous, next.previous))) return { full: next };
  const metrics = changedFields(held.metrics, next.metrics);
  const previous = held.previous && next.previous ? changedFields(held.previous, next.previous) : null;
  if (!metrics && !previous) return null;
  const patch: GroupRowPatch = { key: next.key };
  if (metrics) patch.metrics = metrics;
  if (previous) patch.previous = previous;
  return { patch };
}
