// Every ClickHouse query of ingest, each named after what it answers; parameters only, never concatenated values.
import type { ClickHouseClient } from '@clickhouse/client';
import type { StoredEvent } from '@pulseroom/schema';

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/**
 * Inserts one spool segment as one batch. The token makes a re-sent batch (the insert succeeded but
 * the process died before deleting the segment, or the answer was lost) a no-op, in `events` and in
 * every materialized view fed from it.
 */
export async function insertEventBatch(client: ClickHouseClient, batchId: string, events: Array<StoredEvent | Record<string, unknown>>): Promise<void> {
  for (const e of events) e.batch_id = batchId;
  await client.insert({
    table: 'events',
    values: events,
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: batchId, deduplicate_blocks_in_dependent_materialized_views: 1 },
  });
}

export async function storeAnswers(client: ClickHouseClient): Promise<boolean> {
  const [row] = await rows<{ ok: number }>(client, 'SELECT 1 AS ok');
  return row?.ok === 1;
}

/** Event ids received since `sinceMs`, to rebuild the de-duplication memory at start-up. */
export async function eventIdsReceivedSince(client: ClickHouseClient, sinceMs: number, limit: number): Promise<{ source_id: string; event_id: string; last_at: number }[]> {
  return rows(
    client,
    `SELECT source_id, event_id, toUnixTimestamp64Milli(max(ingest_event_ids.received_at)) AS last_at
     FROM ingest_event_ids WHERE ingest_event_ids.received_at >= fromUnixTimestamp64Milli({since:Int64})
     GROUP BY source_id, event_id ORDER BY last_at DESC LIMIT {limit:UInt64}`,
    { since: sinceMs, limit },
  );
}

/** The latest non-bot click of each visitor on each link since `sinceMs` (event time): the IAB unique-click memory. */
export async function lastClicksSince(client: ClickHouseClient, sinceMs: number): Promise<{ visitor_hash: string; link_code: string; ts: number }[]> {
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
    `SELECT click_id, any(ingest_clicks.campaign_id) AS campaign_id, any(ingest_clicks.partner_id) AS partner_id, any(ingest_clicks.link_code) AS link_code,
            toUnixTimestamp64Milli(min(ingest_clicks.ts)) AS ts, min(ingest_clicks.bot) AS bot
     FROM ingest_clicks WHERE click_id IN {ids:Array(String)} GROUP BY click_id`,
    { ids: clickIds },
  );
}

export interface OrderRow {
  campaign_id: string;
  order_id: string;
  type: 'conversion' | 'refund';
  event_id: string;
  partner_id: string;
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

/** Conversion and refund rows of these orders, oldest first. */
export async function orderRows(client: ClickHouseClient, campaignIds: string[], orderIds: string[]): Promise<OrderRow[]> {
  if (orderIds.length === 0) return [];
  return rows(
    client,
    `SELECT campaign_id, order_id, type, event_id, partner_id, toUnixTimestamp64Milli(ts) AS ts, status, amount_minor, currency,
            orig_amount_minor, orig_currency, commission_minor, attributed, converted, batch_id, toUnixTimestamp64Milli(received_at) AS received_at
     FROM ingest_orders WHERE campaign_id IN {cs:Array(String)} AND order_id IN {os:Array(String)}
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
    { cs: [...new Set(pairs.map((p) => p.campaign_id))], ps: [...new Set(pairs.map((p) => p.partner_id))], started: startedAt, replayed: replayedBatches },
  );
}
