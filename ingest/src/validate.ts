// Validation of a batch: the envelope first, then each event alone so good events survive bad neighbours.
import { EVENT_TYPES, eventBatch, fieldErrors, incomingEvent, type IncomingEvent } from '@pulseroom/schema';
import { badRequest } from '@pulseroom/schema/server';

export interface Rejection {
  index: number;
  path: string;
  message: string;
}

export interface ParsedBatch {
  valid: { index: number; event: IncomingEvent }[];
  rejected: Rejection[];
  /** The raw `type` of each rejected event, for metrics. */
  rejectedTypes: string[];
}

/** Checks `{ events: [...] }` (400 when the envelope itself is wrong) and validates each event. */
export function parseBatch(body: unknown): ParsedBatch {
  const env = eventBatch.safeParse(body);
  if (!env.success) {
    const [first] = fieldErrors(env.error);
    const path = first.path === '(root)' ? 'events' : first.path;
    throw badRequest(
      'INVALID_BATCH',
      `${path}: ${body === undefined || body === null || typeof body !== 'object' ? 'expected a JSON object { "events": [ … ] }' : first.message}`,
    );
  }
  return validateEvents(env.data.events, (i) => `events[${i}]`);
}

/** Validates events one by one; `prefix(i)` names event i in error paths. */
export function validateEvents(events: unknown[], prefix: (i: number) => string): ParsedBatch {
  const out: ParsedBatch = { valid: [], rejected: [], rejectedTypes: [] };
  events.forEach((raw, index) => {
    const r = incomingEvent.safeParse(raw);
    if (r.success) {
      out.valid.push({ index, event: r.data });
      return;
    }
    // Every problem of the event, each naming its field; an event can appear more than once.
    for (const e of fieldErrors(r.error, prefix(index)))
      out.rejected.push({
        index,
        path: e.path === '(root)' ? prefix(index) || 'event' : e.path,
        message: /received undefined$/.test(e.message) ? 'required' : e.message,
      });
    const t = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).type : undefined;
    out.rejectedTypes.push((EVENT_TYPES as readonly unknown[]).includes(t) ? (t as string) : 'unknown');
  });
  return out;
}
