// A shop's past orders from a CSV (a backfill): read by ClickHouse's CSV reader, each row a conversion checked by the
// same schema as any event, its problems named by row and column; a preview says what an import would do (new
// orders, status changes, orders already stored as they are) before anything is written; the import goes through the
// same pipeline as /v1/events. The event id is the order and its status, so importing a file again changes nothing.
import type { ClickHouseClient } from '@clickhouse/client';
import { MAX_EVENTS_PER_BATCH, type IncomingEvent } from '@pulseroom/schema';
import { badRequest, csvHeader, readCsvText, type CsvRow, type SourceRow } from '@pulseroom/schema/server';
import type { BatchAnswer, Pipeline } from './pipeline.js';
import type { IngestState } from './state.js';
import { validateEvents } from './validate.js';

export const ORDER_CSV_COLUMNS = [
  'order_id',
  'ts',
  'amount',
  'currency',
  'status',
  'partner_id',
  'click_id',
  'promo_code',
  'customer',
  'items',
] as const;
type Column = (typeof ORDER_CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['order_id', 'ts', 'amount', 'currency'];
/** At most this many orders a file (a larger backfill is split, or posted to /v1/events in batches). */
export const MAX_CSV_ORDERS = 50_000;

export const ORDER_CSV_SAMPLE = [
  ORDER_CSV_COLUMNS.join(','),
  '1001,2026-11-28T14:03:00Z,89.90,EUR,approved,,,ANA10,new,2',
  '1002,2026-11-28T15:10:00Z,120.00,EUR,pending,maya-glow,,,returning,1',
  '1003,1764339000000,45.50,USD,approved,,ck_2yQk7fJ0b3,,,',
  '',
].join('\n');

export interface OrderCsvProblem {
  row: number;
  column: Column | '(row)';
  message: string;
}

export interface OrderCsvPlan {
  rows: number;
  /** Orders not stored before. */
  new: number;
  /** Orders stored with another status: the import changes their status. */
  changes: number;
  /** Orders stored as they are: nothing to do. */
  unchanged: number;
  errors: OrderCsvProblem[];
}

export interface OrderCsvResult extends OrderCsvPlan {
  accepted: number;
  duplicates: number;
}

/** A cell as the event field wants it: numbers for amount, items and an epoch-ms time; absent when empty. */
function fieldOf(c: Column, v: string | null): unknown {
  if (v === null || v.trim() === '') return undefined;
  const t = v.trim();
  if (c === 'amount' || c === 'items') return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
  if (c === 'ts') return /^\d{10,15}$/.test(t) ? Number(t) : t;
  if (c === 'status' || c === 'customer') return t.toLowerCase();
  if (c === 'currency') return t.toUpperCase();
  return t;
}

function eventOf(r: CsvRow<Column>, campaignId: string): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'conversion', campaign_id: campaignId };
  for (const c of ORDER_CSV_COLUMNS) {
    const v = fieldOf(c, r[c]);
    if (v !== undefined) e[c] = v;
  }
  e.status ??= 'approved';
  e.event_id = `csv-${String(e.order_id ?? '').slice(0, 100)}-${String(e.status)}`;
  return e;
}

/** A file whose header lacks a required column is refused before anything else (400 naming them). */
export function requireOrderColumns(csv: string): void {
  const header = csvHeader(csv);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw badRequest(
      'INVALID_CSV',
      `the CSV header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${ORDER_CSV_COLUMNS.join(', ')})`,
    );
}

/** Reads and checks a file: the events of its good rows, and each bad row's problems by column. */
export async function readOrderCsv(
  client: ClickHouseClient,
  csv: string,
  campaignId: string,
): Promise<{ events: { row: number; event: IncomingEvent }[]; errors: OrderCsvProblem[]; rows: number }> {
  requireOrderColumns(csv);
  const raws = await readCsvText(client, csv, ORDER_CSV_COLUMNS);
  if (raws.length === 0) throw badRequest('INVALID_CSV', 'the CSV has a header but no order rows');
  if (raws.length > MAX_CSV_ORDERS)
    throw badRequest('TOO_MANY_ROWS', `a file may hold at most ${MAX_CSV_ORDERS} orders (got ${raws.length})`);
  const checked = validateEvents(
    raws.map((r) => eventOf(r, campaignId)),
    () => '',
  );
  const errors: OrderCsvProblem[] = checked.rejected.map((p) => ({
    row: Number(raws[p.index].row),
    column: (ORDER_CSV_COLUMNS as readonly string[]).includes(p.path) ? (p.path as Column) : '(row)',
    message:
      p.path && !(ORDER_CSV_COLUMNS as readonly string[]).includes(p.path) ? `${p.path}: ${p.message}` : p.message,
  }));
  // one order once a file: a second row of the same order and status is the file's own mistake
  const seen = new Map<string, number>();
  const events: { row: number; event: IncomingEvent }[] = [];
  for (const v of checked.valid) {
    const row = Number(raws[v.index].row);
    const key = v.event.event_id;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ row, column: 'order_id', message: `the same order and status as row ${first}` });
      continue;
    }
    seen.set(key, row);
    events.push({ row, event: v.event });
  }
  errors.sort((a, b) => a.row - b.row);
  return { events, errors, rows: raws.length };
}

/** What an import would do, from what ingest holds of each order (loaded from the store where memory lacks it). */
export async function planOrderCsv(
  pipeline: Pipeline,
  state: IngestState,
  read: Awaited<ReturnType<typeof readOrderCsv>>,
): Promise<OrderCsvPlan> {
  const plan: OrderCsvPlan = { rows: read.rows, new: 0, changes: 0, unchanged: 0, errors: read.errors };
  for (let i = 0; i < read.events.length; i += MAX_EVENTS_PER_BATCH)
    await pipeline.prefetch(read.events.slice(i, i + MAX_EVENTS_PER_BATCH).map((e) => e.event));
  for (const { event } of read.events) {
    const e = event as Extract<IncomingEvent, { type: 'conversion' }>;
    const known = state.order(e.campaign_id, e.order_id);
    if (!known) plan.new++;
    else if (known.status === e.status || (known.status === 'reversed' && e.status === 'rejected')) plan.unchanged++;
    else plan.changes++;
  }
  return plan;
}

/** Imports the good rows through the pipeline, a batch at a time; a row the pipeline refuses is named by its row. */
export async function importOrderCsv(
  pipeline: Pipeline,
  source: SourceRow,
  state: IngestState,
  read: Awaited<ReturnType<typeof readOrderCsv>>,
): Promise<OrderCsvResult> {
  const plan = await planOrderCsv(pipeline, state, read);
  const out: OrderCsvResult = { ...plan, errors: [...plan.errors], accepted: 0, duplicates: 0 };
  for (let i = 0; i < read.events.length; i += MAX_EVENTS_PER_BATCH) {
    const chunk = read.events.slice(i, i + MAX_EVENTS_PER_BATCH);
    const answer: BatchAnswer = await pipeline.accept(
      source,
      { valid: chunk.map((c, index) => ({ index, event: c.event })), rejected: [], rejectedTypes: [] },
      () => '',
    );
    out.accepted += answer.accepted;
    out.duplicates += answer.duplicates;
    for (const r of answer.rejected)
      out.errors.push({ row: chunk[r.index].row, column: '(row)', message: `${r.path}: ${r.message}` });
  }
  out.errors.sort((a, b) => a.row - b.row);
  return out;
}
