// What a room's members must be sent for one group row: nothing, the whole row (new to them), or the base fields that
// moved (counts after new data; the fee share as a window slides over a deal's run). The receiver recomputes the
// derived metrics (rates, cost, ROAS, CPA) from the merged base fields with `patchMetrics`, exactly as sent.
import { BASE_FIELDS, type BaseField, type GroupRow, type Metrics } from '@pulseroom/schema';

export type MovedFields = Partial<Record<BaseField, number>>;
export type RowChange =
  | { full: GroupRow; moved?: undefined }
  | { moved: { metrics?: MovedFields; previous?: MovedFields }; full?: undefined }
  | null;

/** Base fields but the fee share: what moves on the wire for a row whose fee share the receiver derives itself. */
const BUT_FEE = BASE_FIELDS.filter((f) => f !== 'fee_minor');

/** The base fields of `next` that differ from `held`, or null when none does (derived fields follow from them). */
function changedFields(held: Metrics, next: Metrics, fields: readonly BaseField[]): MovedFields | null {
  let out: MovedFields | null = null;
  for (const f of fields) if (held[f] !== next[f]) (out ??= {})[f] = next[f];
  return out;
}

/**
 * `feeDerived`: the receiver computes the row's fee share from its fee term (partner rows), so it is never sent moved.
 */
export function rowChange(held: GroupRow | undefined, next: GroupRow, feeDerived = false): RowChange {
  // Moved fields merge into the row the members hold: a row they lack, or whose previous window appears or goes, goes
  // whole.
  if (!held || (held.previous === null) !== (next.previous === null)) return { full: next };
  const fields = feeDerived ? BUT_FEE : BASE_FIELDS;
  const metrics = changedFields(held.metrics, next.metrics, fields);
  const previous = held.previous && next.previous ? changedFields(held.previous, next.previous, fields) : null;
  if (!metrics && !previous) return null;
  return { moved: { ...(metrics ? { metrics } : {}), ...(previous ? { previous } : {}) } };
}
