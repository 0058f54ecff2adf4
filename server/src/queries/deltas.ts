// Named queries of the aggregation engine: the start-up load from agg_10s and each tick's read of agg_delta.
import type { ClickHouseClient } from '@clickhouse/client';
import { TOTAL_FIELDS } from '@pulseroom/schema';

/** One aggregate row: a (campaign, partner, platform, 10 s bucket) key and its additive totals in TOTAL_FIELDS order. */
export interface AggRow {
  campaign_id: string;
  partner_id: string;
  platform: string;
  bucket_ms: number;
  values: number[];
}

export interface DeltaRow extends AggRow {
  batch_id: string;
  inserted_ms: number;
}

// Column lists come from the constant TOTAL_FIELDS (identifiers, never values).
const SUMS = TOTAL_FIELDS.map((f) => `sum(${f}) AS ${f}`).join(', ');
const ZEROS = TOTAL_FIELDS.map((f) => `toFloat64(0) AS ${f}`).join(', ');
const COLS = TOTAL_FIELDS.join(', ');

type Raw = Record<string, number | string>;
const toValues = (r: Raw) => TOTAL_FIELDS.map((f) => Number(r[f]));

export interface InitialLoad {
  rows: AggRow[];
  /** Batches already counted in agg_10s that the first ticks must not apply again, with their insert time. */
  batches: Map<string, number>;
  /** ClickHouse's clock when the load was taken (epoch ms). */
  serverNowMs: number;
}

/**
 * Everything in agg_10s, with buckets older than `cutMs` collapsed into one row per key at bucket 0 (they only count
 * towards campaign-to-date), and — in the same query, so both tables are read from one moment — the
 * batch ids of agg_delta inside the overlap, which are already in those totals.
 */
export async function loadInitialAggregates(client: ClickHouseClient, cutMs: number, overlapMs: number): Promise<InitialLoad> {
  const rs = await client.query({
    query: `
      SELECT 'agg' AS src, '' AS batch_id, toInt64(0) AS inserted_ms, toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms,
             campaign_id, partner_id, platform, toInt64(toUnixTimestamp(if(bucket < toDateTime(intDiv({cut:Int64}, 1000), 'UTC'), toDateTime(0, 'UTC'), bucket))) * 1000 AS bucket_ms, ${SUMS}
      FROM agg_10s
      GROUP BY campaign_id, partner_id, platform, bucket_ms
      UNION ALL
      SELECT 'batch' AS src, batch_id, toInt64(toUnixTimestamp64Milli(max(inserted_at))) AS inserted_ms, toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms,
             '' AS campaign_id, '' AS partner_id, '' AS platform, toInt64(0) AS bucket_ms, ${ZEROS}
      FROM agg_delta
      WHERE inserted_at > now64(3) - toIntervalMillisecond({overlap:Int64})
      GROUP BY batch_id`,
    query_params: { cut: cutMs, overlap: overlapMs },
    format: 'JSONEachRow',
  });
  const raw = await rs.json<Raw>();
  const rows: AggRow[] = [];
  const batches = new Map<string, number>();
  let serverNowMs = 0;
  for (const r of raw) {
    serverNowMs = Math.max(serverNowMs, Number(r.now_ms));
    if (r.src === 'batch') batches.set(String(r.batch_id), Number(r.inserted_ms));
    else rows.push({ campaign_id: String(r.campaign_id), partner_id: String(r.partner_id), platform: String(r.platform), bucket_ms: Number(r.bucket_ms), values: toValues(r) });
  }
  if (serverNowMs === 0) serverNowMs = await serverNow(client);
  return { rows, batches, serverNowMs };
}

export async function serverNow(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({ query: 'SELECT toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms', format: 'JSONEachRow' });
  const [row] = await rs.json<{ now_ms: number }>();
  return Number(row.now_ms);
}

/**
 * The change-log rows inserted after `sinceMs` (ClickHouse's insert clock) that belong to batches not
 * applied yet. The primary key starts with inserted_at, so this reads only the recent part of the log.
 */
export async function readDeltasSince(client: ClickHouseClient, sinceMs: number, applied: string[]): Promise<DeltaRow[]> {
  const rs = await client.query({
    query: `
      SELECT toInt64(toUnixTimestamp64Milli(inserted_at)) AS inserted_ms, batch_id, campaign_id, partner_id, platform,
             toInt64(toUnixTimestamp(bucket)) * 1000 AS bucket_ms, ${COLS}
      FROM agg_delta
      WHERE inserted_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND batch_id NOT IN {applied:Array(String)}
      ORDER BY inserted_at`,
    query_params: { since: sinceMs, applied },
    format: 'JSONEachRow',
  });
  const raw = await rs.json<Raw>();
  return raw.map((r) => ({
    inserted_ms: Number(r.inserted_ms),
    batch_id: String(r.batch_id),
    campaign_id: String(r.campaign_id),
    partner_id: String(r.partner_id),
    platform: String(r.platform),
    bucket_ms: Number(r.bucket_ms),
    values: toValues(r),
  }));
}
