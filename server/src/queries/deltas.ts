// Named queries of the aggregation engine: the start-up load from agg_10s and each reconcile's read of agg_delta.
import type { ClickHouseClient } from '@clickhouse/client';
import { TOTAL_FIELDS, type AggRow } from '@pulseroom/schema';

export type { AggRow } from '@pulseroom/schema';

export interface DeltaRow extends AggRow {
  batch_id: string;
  inserted_ms: number;
}

// Column lists come from the constant TOTAL_FIELDS (identifiers, never values).
const SUMS = TOTAL_FIELDS.map((f) => `sum(${f}) AS ${f}`).join(', ');
const ZEROS = TOTAL_FIELDS.map((f) => `toFloat64(0) AS ${f}`).join(', ');
/** Zeros of each column's own type, so a marker row in a UNION ALL leaves the other rows' types as they are. */
const TYPED_ZEROS = TOTAL_FIELDS.map((f) => `${f === 'sentiment_sum' ? 'toFloat64' : 'toInt64'}(0) AS ${f}`).join(', ');
const COLS = TOTAL_FIELDS.join(', ');

type Raw = Record<string, number | string>;

const START_MS = 'toInt64(toUnixTimestamp(bucket)) * 1000';
/**
 * A bucket's start, or the `as` of the first band whose `up_to` it does not exceed (a sentinel band ends both lists).
 */
const BAND_OF_BUCKET = `arrayElement(arrayConcat({as:Array(Int64)}, [${START_MS}]), arrayFirstIndex(x -> ${START_MS} <= x, arrayConcat({up_to:Array(Int64)}, [${START_MS}])))`;
const toValues = (r: Raw) => TOTAL_FIELDS.map((f) => Number(r[f]));

export interface InitialLoad {
  rows: AggRow[];
  /** Batches already counted in agg_10s that the first ticks must not apply again, with their insert time. */
  batches: Map<string, number>;
  /** ClickHouse's clock when the load was taken (epoch ms). */
  serverNowMs: number;
}

/**
 * Buckets with start ≤ `upToMs` (and above the previous band's bound) are summed into one row per key at bucket `asMs`.
 */
export interface CollapseBand {
  upToMs: number;
  asMs: number;
}

/**
 * Everything in agg_10s, with old buckets collapsed into one row per key and band (by default: buckets older than
 * `cutMs` at bucket 0, which only counts towards campaign-to-date; `bands`, ascending, replace that default), and — in
 * the same query, so both tables are read from one moment — the batch ids of agg_delta inside the overlap, which are
 * already in those totals.
 */
export async function loadInitialAggregates(
  client: ClickHouseClient,
  cutMs: number,
  overlapMs: number,
  bands?: CollapseBand[],
): Promise<InitialLoad> {
  const b = bands ?? [{ upToMs: cutMs - 1, asMs: 0 }];
  const rs = await client.query({
    query: `
      SELECT 'agg' AS src, '' AS batch_id, toInt64(0) AS inserted_ms, toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms,
             campaign_id, partner_id, platform, ${BAND_OF_BUCKET} AS bucket_ms, ${SUMS}
      FROM agg_10s
      GROUP BY campaign_id, partner_id, platform, bucket_ms
      UNION ALL
      SELECT 'batch' AS src, batch_id, toInt64(toUnixTimestamp64Milli(max(inserted_at))) AS inserted_ms, toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms,
             '' AS campaign_id, '' AS partner_id, '' AS platform, toInt64(0) AS bucket_ms, ${ZEROS}
      FROM agg_delta
      WHERE inserted_at > now64(3) - toIntervalMillisecond({overlap:Int64})
      GROUP BY batch_id`,
    query_params: { up_to: b.map((x) => x.upToMs), as: b.map((x) => x.asMs), overlap: overlapMs },
    format: 'JSONEachRow',
  });
  const raw = await rs.json<Raw>();
  const rows: AggRow[] = [];
  const batches = new Map<string, number>();
  let serverNowMs = 0;
  for (const r of raw) {
    serverNowMs = Math.max(serverNowMs, Number(r.now_ms));
    if (r.src === 'batch') batches.set(String(r.batch_id), Number(r.inserted_ms));
    else
      rows.push({
        campaign_id: String(r.campaign_id),
        partner_id: String(r.partner_id),
        platform: String(r.platform),
        bucket_ms: Number(r.bucket_ms),
        values: toValues(r),
      });
  }
  if (serverNowMs === 0) serverNowMs = await serverNow(client);
  return { rows, batches, serverNowMs };
}

export async function serverNow(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({
    query: 'SELECT toInt64(toUnixTimestamp64Milli(now64(3))) AS now_ms',
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ now_ms: number }>();
  return Number(row.now_ms);
}

/** Bucket starts in (loMs, hiMs] (epoch ms, multiples of 10 s). */
export interface BucketRange {
  loMs: number;
  hiMs: number;
}

/** A key's agg_10s totals over one of the requested ranges. */
export interface RangeRow {
  campaign_id: string;
  partner_id: string;
  platform: string;
  /** Index of the range in the request (a row per range and agg_10s row: several rows of a key and range add up). */
  range: number;
  values: number[];
}

/**
 * What one reconcile read: a page of whole change-log batches (oldest first) and the agg_10s rows of the requested
 * ranges.
 */
export interface TickRead {
  rows: DeltaRow[];
  ranges: RangeRow[];
  /**
   * More batches were waiting than the page held (a spool catch-up, a backfill). The ranges are then not consistent
   * with the engine (it has not applied everything agg_10s holds yet) and must not be used; `resumeMs` is a safe
   * watermark: no batch left unread has a row inserted before it.
   */
  more: boolean;
  resumeMs: number;
  /** ClickHouse's clock at the read (epoch ms). */
  nowMs: number;
}

/**
 * Default bound of one reconcile's page of change-log rows: a backlog is applied over several reads, never in one huge
 * result.
 */
export const TICK_PAGE_ROWS = 50_000;

/**
 * One reconcile's read, in one query so both tables are read from one moment: the change-log rows inserted after
 * `sinceMs` (ClickHouse's insert clock; the primary key starts with inserted_at, so only the recent part of the log is
 * read) that belong to batches not applied yet — whole batches, oldest first, as many as fit in `pageRows` (always at
 * least one) — and the agg_10s rows of each range (the buckets that slide out of the long windows). Once all waiting
 * change-log rows are applied, the engine holds exactly what agg_10s holds for every bucket. A range reads only its own
 * buckets (agg_10s is ordered by campaign, bucket; partitioned by day): its cost is the data in those buckets.
 */
export async function readTick(
  client: ClickHouseClient,
  sinceMs: number,
  applied: string[],
  ranges: BucketRange[],
  pageRows = TICK_PAGE_ROWS,
): Promise<TickRead> {
  const params: Record<string, unknown> = { since: sinceMs, applied, page: pageRows };
  const where = ranges
    .map((r, i) => {
      params[`lo${i}`] = Math.floor(r.loMs / 1000);
      params[`hi${i}`] = Math.floor(r.hiMs / 1000);
      return `(bucket > toDateTime({lo${i}:Int64}, 'UTC') AND bucket <= toDateTime({hi${i}:Int64}, 'UTC'))`;
    })
    .join(' OR ');
  const WAITING = `inserted_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND batch_id NOT IN {applied:Array(String)}`;
  const DELTA_COLS = `toInt64(toUnixTimestamp64Milli(inserted_at)) AS inserted_ms, batch_id, campaign_id, partner_id, platform,
             ${START_MS} AS bucket_ms, ${COLS}`;
  // The agg_10s rows come as they are (per key and bucket, parts not merged yet included) and are summed per range
  // here: cheaper than grouping in SQL for the usual one bucket per range, and a bucket in two ranges counts in both.
  const RANGES = ranges.length
    ? `
      UNION ALL
      SELECT 'r' AS src, toInt64(0) AS inserted_ms, '' AS batch_id, campaign_id, partner_id, platform,
             ${START_MS} AS bucket_ms, ${COLS}
      FROM agg_10s
      WHERE ${where}`
    : '';
  const NOW_ROW = `
      UNION ALL
      SELECT 't' AS src, toInt64(toUnixTimestamp64Milli(now64(3))) AS inserted_ms, '' AS batch_id, '' AS campaign_id, '' AS partner_id, '' AS platform, toInt64(0) AS bucket_ms, ${TYPED_ZEROS}`;
  // Usually everything waiting fits in a page: one read of the change log's recent part, at most page + 1 rows.
  // No automatic PREWHERE (as in feedOfBatches): its cost grows with the stored history (bench: tick).
  let raw = await (
    await client.query({
      query: `
      SELECT 'd' AS src, * FROM (SELECT ${DELTA_COLS} FROM agg_delta WHERE ${WAITING} LIMIT {lim:UInt64})${RANGES}${NOW_ROW}
      SETTINGS optimize_move_to_prewhere = 0`,
      query_params: { ...params, lim: pageRows + 1 },
      format: 'JSONEachRow',
    })
  ).json<Raw>();
  if (raw.filter((r) => r.src === 'd').length > pageRows) {
    // A backlog: whole batches, oldest first, as many as fit in the page (at least one); the 'n' row counts the
    // waiting batches (in inserted_ms), to tell whether the page held them all.
    raw = await (
      await client.query({
        query: `
      WITH waiting AS (SELECT batch_id, min(inserted_at) AS first, count() AS n FROM agg_delta WHERE ${WAITING} GROUP BY batch_id)
      SELECT 'd' AS src, ${DELTA_COLS}
      FROM agg_delta
      WHERE ${WAITING} AND batch_id IN (
        SELECT batch_id FROM (SELECT batch_id, n, sum(n) OVER (ORDER BY first, batch_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto FROM waiting)
        WHERE upto - n < {page:UInt64})
      UNION ALL
      SELECT 'n' AS src, toInt64(count()) AS inserted_ms, '' AS batch_id, '' AS campaign_id, '' AS partner_id, '' AS platform, toInt64(0) AS bucket_ms, ${ZEROS}
      FROM waiting${RANGES}${NOW_ROW}`,
        query_params: params,
        format: 'JSONEachRow',
      })
    ).json<Raw>();
  }
  const rows: DeltaRow[] = [];
  const out: RangeRow[] = [];
  let waitingBatches = 0;
  let nowMs = 0;
  const firstOf = new Map<string, number>();
  for (const r of raw) {
    if (r.src === 'n') {
      waitingBatches = Number(r.inserted_ms);
      continue;
    }
    if (r.src === 't') {
      nowMs = Number(r.inserted_ms);
      continue;
    }
    const row = {
      campaign_id: String(r.campaign_id),
      partner_id: String(r.partner_id),
      platform: String(r.platform),
      bucket_ms: Number(r.bucket_ms),
      values: toValues(r),
    };
    if (r.src === 'd') {
      const d = { ...row, inserted_ms: Number(r.inserted_ms), batch_id: String(r.batch_id) };
      rows.push(d);
      firstOf.set(d.batch_id, Math.min(firstOf.get(d.batch_id) ?? Infinity, d.inserted_ms));
    } else {
      ranges.forEach((g, i) => {
        if (row.bucket_ms > g.loMs && row.bucket_ms <= g.hiMs)
          out.push({
            campaign_id: row.campaign_id,
            partner_id: row.partner_id,
            platform: row.platform,
            range: i,
            values: row.values,
          });
      });
    }
  }
  // By insert time, the order the engine applies them in.
  rows.sort((a, b) => a.inserted_ms - b.inserted_ms);
  const more = firstOf.size < waitingBatches;
  // Batches are paged by their first insert time: every unread one starts at or after the last one read.
  const resumeMs = more ? Math.max(...firstOf.values()) : Infinity;
  return { rows, ranges: more ? [] : out, more, resumeMs, nowMs };
}
