// Every ClickHouse query of ingest, each named after what it answers; parameters only, never concatenated values.
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { StoredEvent } from '@pulseroom/schema';
import { LATER_SPOOL_COLUMNS, SPOOL_COLUMNS, type SpoolFormat } from './spool.js';
import { APPLIED_SUFFIX, type WaitingChange } from './state.js';

/** A batch's insert settings: its token makes a re-sent batch a no-op in `events` and in every view fed from it. */
/**
 * A flush's settings: its deduplication token, and a lower OS priority for the threads that run it, so on a busy
 * machine the live path (frames, socket writes) gets the CPU first and the insert takes what is left.
 */
const batchSettings = (batchId: string) =>
  ({
    insert_deduplicate: 1,
    insert_deduplication_token: batchId,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    os_thread_priority: '10',
  }) as const;
/**
 * The INSERT for a segment's text by its number of fields: this version's columns, or those of a segment spooled before
 * some of LATER_SPOOL_COLUMNS existed (the same order, the later ones missing).
 */
const TSV_INSERTS = new Map<number, string>();
for (let kept = LATER_SPOOL_COLUMNS.length; kept >= 0; kept--) {
  const missing = new Set(LATER_SPOOL_COLUMNS.slice(kept).flat());
  const columns = SPOOL_COLUMNS.filter((c) => !missing.has(c));
  TSV_INSERTS.set(columns.length, `INSERT INTO events (${columns.join(', ')}) FORMAT TabSeparated`);
}
const TSV_INSERT = TSV_INSERTS.get(SPOOL_COLUMNS.length)!;
const tsvInsert = (text: string) => {
  const first = text.slice(0, Math.max(0, text.indexOf('\n')));
  return TSV_INSERTS.get(first.split('\t').length) ?? TSV_INSERT;
};

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/**
 * Inserts one spool segment as one batch. The token makes a re-sent batch (the insert succeeded but
 * the process died before deleting the segment, or the answer was lost) a no-op, in `events` and in
 * every materialized view fed from it.
 */
export async function insertEventBatch(
  client: ClickHouseClient,
  batchId: string,
  events: Array<StoredEvent | Record<string, unknown>>,
): Promise<void> {
  for (const e of events) e.batch_id = batchId;
  await client.insert({
    table: 'events',
    values: events,
    format: 'JSONEachRow',
    clickhouse_settings: batchSettings(batchId),
  });
}

/**
 * The same insert as insertEventBatch, from a spool segment's text whose rows already carry `batch_id`:
 * TabSeparated in SPOOL_COLUMNS (this version) or a JSON array (segments of earlier versions). No row objects are
 * built or serialised again. `exec` with a values stream is the client's way to send text in the INSERT's own
 * format, embedded or over HTTP alike.
 */
export async function insertEventText(
  client: ClickHouseClient,
  batchId: string,
  text: string,
  format: SpoolFormat,
): Promise<void> {
  const { stream } = await client.exec({
    query: format === 'tsv' ? tsvInsert(text) : 'INSERT INTO events FORMAT JSONEachRow',
    // a string chunk (object mode): embedded, chDB takes the text as it is, with no Buffer made and decoded again
    values: Readable.from([text]),
    clickhouse_settings: batchSettings(batchId),
  });
  stream.resume(); // nothing to read: drain so an HTTP connection goes back to the pool
  await finished(stream).catch(() => undefined);
}

export async function storeAnswers(client: ClickHouseClient): Promise<boolean> {
  const [row] = await rows<{ ok: number }>(client, 'SELECT 1 AS ok');
  return row?.ok === 1;
}

/** The latest non-bot click of each visitor on each link since `sinceMs` (event time): the IAB unique-click memory. */
export async function lastClicksSince(
  client: ClickHouseClient,
  sinceMs: number,
): Promise<{ visitor_hash: string; link_code: string; ts: number }[]> {
  return rows(
    client,
    `SELECT visitor_hash, link_code, toUnixTimestamp64Milli(max(events.ts)) AS ts FROM events
     WHERE type = 'click' AND bot = 0 AND visitor_hash != '' AND events.ts >= fromUnixTimestamp64Milli({since:Int64})
     GROUP BY visitor_hash, link_code`,
    { since: sinceMs },
  );
}

export interface ClickFact {
  click_id: string;
  campaign_id: string;
  partner_id: string;
  link_code: string;
  ts: number;
  bot: number;
}

/** Clicks by click_id, for attribution of conversions. */
export async function clicksById(client: ClickHouseClient, clickIds: string[]): Promise<ClickFact[]> {
  if (clickIds.length === 0) return [];
  return rows(
    client,
    `SELECT click_id, any(events.campaign_id) AS campaign_id, any(events.partner_id) AS partner_id, any(events.link_code) AS link_code,
            toUnixTimestamp64Milli(min(events.ts)) AS ts, min(events.bot) AS bot
     FROM events WHERE type = 'click' AND click_id IN {ids:Array(String)} GROUP BY click_id`,
    { ids: clickIds },
  );
}

export interface OrderRow {
  campaign_id: string;
  order_id: string;
  type: 'conversion' | 'refund' | 'status';
  event_id: string;
  partner_id: string;
  platform: string;
  from_status: string;
  ts: number;
  status: string;
  amount_minor: number;
  currency: string;
  orig_amount_minor: number;
  orig_currency: string;
  commission_minor: number;
  attributed: number;
  converted: number;
  batch_id: string;
  received_at: number;
}

/** Conversion, refund and status rows of these orders, in the order they were received. */
export async function orderRows(
  client: ClickHouseClient,
  campaignIds: string[],
  orderIds: string[],
): Promise<OrderRow[]> {
  if (orderIds.length === 0) return [];
  return rows(
    client,
    `SELECT campaign_id, order_id, type, event_id, partner_id, platform, from_status, toUnixTimestamp64Milli(ts) AS ts, status,
            amount_minor, currency, orig_amount_minor, orig_currency, commission_minor, attributed, converted, batch_id,
            toUnixTimestamp64Milli(received_at) AS received_at
     FROM events WHERE type IN ('conversion', 'refund', 'status') AND campaign_id IN {cs:Array(String)} AND order_id IN {os:Array(String)}
     ORDER BY received_at, event_id`,
    { cs: [...new Set(campaignIds)], os: [...new Set(orderIds)] },
  );
}

/**
 * Net approved revenue of (campaign, partner) pairs stored before this process started, leaving out
 * the batches it replayed from its spool (those are counted from memory): the base of commission tiers.
 */
export async function dealRevenueBefore(
  client: ClickHouseClient,
  pairs: { campaign_id: string; partner_id: string }[],
  startedAt: number,
  replayedBatches: string[],
): Promise<{ campaign_id: string; partner_id: string; revenue_minor: number }[]> {
  if (pairs.length === 0) return [];
  return rows(
    client,
    `SELECT campaign_id, partner_id, sum(amount_minor) AS revenue_minor FROM events
     WHERE campaign_id IN {cs:Array(String)} AND partner_id IN {ps:Array(String)}
       AND type IN ('conversion', 'refund') AND status = 'approved' AND converted = 1 AND attributed = 1
       AND received_at < fromUnixTimestamp64Milli({started:Int64}) AND batch_id NOT IN {replayed:Array(String)}
     GROUP BY campaign_id, partner_id`,
    {
      cs: [...new Set(pairs.map((p) => p.campaign_id))],
      ps: [...new Set(pairs.map((p) => p.partner_id))],
      started: startedAt,
      replayed: replayedBatches,
    },
  );
}

// ---------- start-up loading (ids as 64-bit hashes: murmurHash3_32 and xxHash32, as idHash.ts computes them)
// ----------

async function compactRows<T extends unknown[]>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONCompactEachRow' });
  return rs.json<T>();
}

/**
 * Hashes of the event ids received since `sinceMs` (newest first, at most `limit`), with when each was last received.
 */
export async function eventIdHashesReceivedSince(
  client: ClickHouseClient,
  sinceMs: number,
  limit: number,
): Promise<[hi: number, lo: number, lastAt: number][]> {
  return compactRows(
    client,
    `SELECT murmurHash3_32(k) AS hi, xxHash32(k) AS lo, last_at FROM (
       SELECT concat(source_id, '\\0', event_id) AS k, toUnixTimestamp64Milli(max(events.received_at)) AS last_at
       FROM events WHERE events.received_at >= fromUnixTimestamp64Milli({since:Int64})
       GROUP BY k ORDER BY last_at DESC LIMIT {limit:UInt64})`,
    { since: sinceMs, limit },
  );
}

/** A click as start-up loads it: the hash of its id, campaign, partner, link, time, bot. */
export type ClickHashRow = [
  hi: number,
  lo: number,
  campaign_id: string,
  partner_id: string,
  link_code: string,
  ts: number,
  bot: number,
];

/** The newest `limit` clicks with a time from `sinceMs` on, newest first. */
export async function clickHashesSince(
  client: ClickHouseClient,
  sinceMs: number,
  limit: number,
): Promise<ClickHashRow[]> {
  return compactRows(
    client,
    `SELECT murmurHash3_32(click_id) AS hi, xxHash32(click_id) AS lo, any(events.campaign_id), any(events.partner_id), any(events.link_code),
            toUnixTimestamp64Milli(min(events.ts)) AS first_ts, min(events.bot)
     FROM events WHERE type = 'click' AND click_id != '' AND events.ts >= fromUnixTimestamp64Milli({since:Int64})
     GROUP BY click_id ORDER BY first_ts DESC LIMIT {limit:UInt64}`,
    { since: sinceMs, limit },
  );
}

/**
 * murmurHash3_32 of the ids of the clicks from `sinceMs` on past the newest `skip` (those that do not fit in memory).
 */
export async function clickFingerprintsSince(
  client: ClickHouseClient,
  sinceMs: number,
  skip: number,
): Promise<[hi: number][]> {
  return compactRows(
    client,
    `SELECT murmurHash3_32(click_id) FROM events WHERE type = 'click' AND click_id != '' AND events.ts >= fromUnixTimestamp64Milli({since:Int64})
     GROUP BY click_id ORDER BY min(events.ts) DESC LIMIT 18446744073709551615 OFFSET {skip:UInt64}`,
    { since: sinceMs, skip },
  );
}

/** An order as start-up loads it: its first conversion and what was refunded of it before this process. */
export type StoredOrderRow = [
  campaign_id: string,
  order_id: string,
  partner_id: string,
  currency: string,
  orig_currency: string,
  attributed: number,
  converted: number,
  ts: number,
  amount_minor: number,
  orig_amount_minor: number,
  commission_minor: number,
  refunded_minor: number,
  reversed_minor: number,
  platform: string,
  status_now: string,
  status_ts: number,
];

const ORDERS_BEFORE = `FROM events WHERE type IN ('conversion', 'refund', 'status') AND order_id != '' GROUP BY campaign_id, order_id HAVING countIf(type = 'conversion') > 0`;

/**
 * The newest `limit` orders (by first conversion received), oldest first, with the refunds stored before this
 * process (leaving out the batches it replayed: those are counted from memory), as `seedOrder` computes them.
 */
export async function storedOrders(
  client: ClickHouseClient,
  limit: number,
  startedAt: number,
  replayedBatches: string[],
): Promise<StoredOrderRow[]> {
  const first = (col: string) => `argMinIf(${col}, (events.received_at, event_id), type = 'conversion')`;
  // the current status: of the last change applied (in the order received), else of the conversion
  const current = (col: string) =>
    `argMaxIf(${col}, (events.received_at, event_id), type = 'conversion' OR (type = 'status' AND from_status != '' AND from_status != status))`;
  const before = `type = 'refund' AND events.received_at < fromUnixTimestamp64Milli({started:Int64}) AND batch_id NOT IN {replayed:Array(String)}`;
  return compactRows(
    client,
    `SELECT * FROM (
       SELECT campaign_id, order_id, ${first('partner_id')}, ${first('currency')}, ${first('orig_currency')}, ${first('attributed')}, ${first('converted')},
              ${first('toUnixTimestamp64Milli(events.ts)')}, ${first('amount_minor')}, ${first('orig_amount_minor')}, ${first('commission_minor')},
              -sumIf(amount_minor, ${before}), -sumIf(commission_minor, ${before}), ${first('platform')},
              ${current('status')}, ${current('toUnixTimestamp64Milli(events.ts)')},
              minIf(events.received_at, type = 'conversion') AS first_at
       ${ORDERS_BEFORE} ORDER BY first_at DESC LIMIT {limit:UInt64}
     ) ORDER BY first_at`,
    { limit, started: startedAt, replayed: replayedBatches },
  );
}

/**
 * Status changes and refunds stored before their order was known and not applied since (no `<event_id>~applied` row):
 * start-up hands them back to memory, to apply when the order arrives.
 */
export async function waitingChanges(client: ClickHouseClient): Promise<WaitingChange[]> {
  // isWaitingForOrder (schema/src/events.ts) in SQL
  const waiting = `((type = 'status' AND from_status = '') OR (type = 'refund' AND status = '')) AND order_id != ''`;
  return rows(
    client,
    `SELECT campaign_id, order_id, source_id, event_id, toUnixTimestamp64Milli(ts) AS ts,
            if(type = 'refund', 'refund', 'status') AS kind, status, status_reason AS reason,
            -orig_amount_minor AS orig_amount_minor, orig_currency
     FROM events
     WHERE ${waiting} AND not endsWith(event_id, {suffix:String})
       AND (campaign_id, concat(event_id, {suffix:String})) NOT IN (
         SELECT campaign_id, event_id FROM events WHERE type IN ('status', 'refund') AND endsWith(event_id, {suffix:String}))
     ORDER BY ts`,
    { suffix: APPLIED_SUFFIX },
  );
}

/**
 * murmurHash3_32 of `campaign_id \0 order_id` of the stored orders past the newest `skip` (those that do not fit in
 * memory).
 */
export async function orderFingerprints(client: ClickHouseClient, skip: number): Promise<[hi: number][]> {
  return compactRows(
    client,
    `SELECT murmurHash3_32(concat(campaign_id, '\\0', order_id)) ${ORDERS_BEFORE}
     ORDER BY minIf(events.received_at, type = 'conversion') DESC LIMIT 18446744073709551615 OFFSET {skip:UInt64}`,
    { skip },
  );
}

/** Net approved revenue of every (campaign, partner) stored before this process: all commission-tier bases at once. */
export async function allDealRevenueBefore(
  client: ClickHouseClient,
  startedAt: number,
  replayedBatches: string[],
): Promise<{ campaign_id: string; partner_id: string; revenue_minor: number }[]> {
  return rows(
    client,
    `SELECT campaign_id, partner_id, sum(amount_minor) AS revenue_minor FROM events
     WHERE type IN ('conversion', 'refund') AND status = 'approved' AND converted = 1 AND attributed = 1
       AND received_at < fromUnixTimestamp64Milli({started:Int64}) AND batch_id NOT IN {replayed:Array(String)}
     GROUP BY campaign_id, partner_id`,
    { started: startedAt, replayed: replayedBatches },
  );
}
