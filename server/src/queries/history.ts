// Named queries over agg_10s for history: series at any bucket size, and the leaderboard and series as ClickHouse's own
// CSV.
import type { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { GroupName, SeriesPoint } from '@pulseroom/schema';

/**
 * Which rows of agg_10s a view may read: all partners, or a list ('' = unattributed), and optionally some platforms.
 */
export interface HistoryScope {
  campaign_id: string;
  partners: string[] | null;
  platforms: string[] | null;
}

const scopeParams = (s: HistoryScope) => ({
  c: s.campaign_id,
  all_partners: s.partners === null,
  partners: s.partners ?? [],
  platforms: s.platforms ?? [],
});
const SCOPE_WHERE = `campaign_id = {c:String}
  AND ({all_partners:Bool} OR partner_id IN {partners:Array(String)})
  AND (empty({platforms:Array(String)}) OR platform IN {platforms:Array(String)})`;

const SERIES_SUMS = `sum(views) AS views, sum(likes + comments + shares + saves) AS interactions, sum(clicks) AS clicks, sum(unique_clicks) AS unique_clicks,
         sum(conversions) AS conversions, sum(revenue_minor) AS revenue_minor, sum(comments_n) AS comments_n, sum(pos_n) AS pos_n, sum(neg_n) AS neg_n, sum(neu_n) AS neu_n`;
const SERIES_WHERE = `WHERE ${SCOPE_WHERE}
    AND bucket >= toDateTime(intDiv({from:Int64}, 1000), 'UTC') AND bucket < toDateTime(intDiv({to:Int64}, 1000), 'UTC')`;

/** Fixed-length buckets (10 s … 6 h), empty ones filled in. */
const SERIES_SELECT = `
  SELECT toInt64(toUnixTimestamp(toStartOfInterval(bucket, toIntervalSecond({step_s:UInt32})))) * 1000 AS t, ${SERIES_SUMS}
  FROM agg_10s
  ${SERIES_WHERE}
  GROUP BY t
  ORDER BY t WITH FILL FROM {from:Int64} TO {to:Int64} STEP {step_ms:Int64}`;

/**
 * Days of the campaign's own time zone (23 or 25 hours where its clocks change), empty ones filled in by calendar day.
 */
const DAILY_SELECT = `
  SELECT toInt64(toUnixTimestamp(d)) * 1000 AS t, views, interactions, clicks, unique_clicks, conversions, revenue_minor, comments_n, pos_n, neg_n, neu_n
  FROM (
    SELECT toStartOfDay(bucket, {tz:String}) AS d, ${SERIES_SUMS}
    FROM agg_10s
    ${SERIES_WHERE}
    GROUP BY d
    ORDER BY d WITH FILL FROM toStartOfDay(toDateTime(intDiv({from:Int64}, 1000), 'UTC'), {tz:String}) TO toDateTime(intDiv({to:Int64}, 1000), 'UTC') STEP INTERVAL 1 DAY
  )`;

export const DAY_MS = 86_400_000;
const seriesSql = (q: SeriesQuery) => (q.bucketMs >= DAY_MS ? DAILY_SELECT : SERIES_SELECT);

export interface SeriesQuery extends HistoryScope {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  /** The campaign's time zone: daily buckets are its calendar days. */
  timeZone: string;
}

const seriesParams = (q: SeriesQuery) => ({
  ...scopeParams(q),
  from: q.fromMs,
  to: q.toMs,
  step_s: q.bucketMs / 1000,
  step_ms: q.bucketMs,
  tz: q.timeZone,
});

/**
 * Series points for [from, to) at `bucketMs` (a multiple of 10 s; from and to aligned to it), empty buckets included;
 * a day bucket is a calendar day of the campaign's time zone.
 */
export async function campaignSeries(client: ClickHouseClient, q: SeriesQuery): Promise<SeriesPoint[]> {
  const rs = await client.query({ query: seriesSql(q), query_params: seriesParams(q), format: 'JSONEachRow' });
  return (await rs.json<SeriesPoint>()).map((p) => ({ ...p, t: Number(p.t) }));
}

/** The same series as CSV with a header row, streamed from ClickHouse. */
export async function campaignSeriesCsv(client: ClickHouseClient, q: SeriesQuery): Promise<Readable> {
  const rs = await client.exec({
    query: `SELECT toDateTime(intDiv(t, 1000), 'UTC') AS bucket_start_utc, views, interactions, clicks, unique_clicks, conversions, revenue_minor, comments_n, pos_n, neg_n, neu_n
            FROM (${seriesSql(q)}) FORMAT CSVWithNames`,
    query_params: seriesParams(q),
  });
  return rs.stream as Readable;
}

export interface LeaderboardQuery extends HistoryScope {
  group: GroupName;
  /** Buckets with start in (afterMs, untilMs]; afterMs null for campaign-to-date. */
  afterMs: number | null;
  untilMs: number;
  /** Rows to output, in order (those of the summary), and the dimension-derived figures of each. */
  keys: string[];
  /** partner id → type or tier key (for those groups). */
  groupOf: Record<string, string>;
  followers: Record<string, number>;
  fees: Record<string, number>;
  committed: Record<string, number>;
}

const div = (a: string, b: string) => `if((${b}) = 0, NULL, (${a}) / (${b}))`;
const SUM_COLUMNS = [
  'views',
  'reach',
  'reach_interactions',
  'likes',
  'comments',
  'shares',
  'saves',
  'follows',
  'comments_n',
  'scored_n',
  'sentiment_sum',
  'pos_n',
  'neu_n',
  'neg_n',
  'unscored_n',
  'clicks',
  'unique_clicks',
  'bot_clicks',
  'conversions',
  'revenue_minor',
  'commission_minor',
  'pending_n',
  'pending_minor',
  'rejected_n',
  'refunds_n',
  'refund_minor',
  'unattributed_n',
  'unattributed_minor',
  'unconverted_n',
  'suspicious_n',
  'posts',
  'disclosure_weak',
  'disclosure_missing',
];

/**
 * The leaderboard of one window and group as CSVWithNames, computed by ClickHouse over agg_10s with the
 * metric definitions of docs/ARCHITECTURE.md (the same figures as the summary); fees and followers come from the
 * dimensions as parameters.
 */
export async function leaderboardCsv(client: ClickHouseClient, q: LeaderboardQuery): Promise<Readable> {
  const scored = 'pos_n + neu_n + neg_n';
  const inter = 'likes + comments + shares + saves';
  const cost = `(fee_minor + commission_minor)`;
  const query = `
    SELECT key, ${SUM_COLUMNS.join(', ')},
      ${inter} AS interactions,
      ${div(`(${inter}) * 100`, 'views')} AS er,
      ${div('reach_interactions * 100', 'reach')} AS er_reach,
      ${div(`(${inter}) * 100`, 'followers')} AS er_followers,
      ${div('sentiment_sum', 'scored_n')} AS sentiment_mean,
      ${div('pos_n', scored)} AS pos_share, ${div('neu_n', scored)} AS neu_share, ${div('neg_n', scored)} AS neg_share,
      ${div('(pos_n - neg_n) * 100', scored)} AS net_sentiment,
      ${div('unique_clicks', 'views')} AS ctr, ${div('conversions', 'unique_clicks')} AS cr, ${div('revenue_minor', 'conversions')} AS aov_minor,
      fee_minor, fee_committed_minor, ${cost} AS cost_minor,
      ${div('revenue_minor', cost)} AS roas, ${div(cost, 'conversions')} AS cpa_minor,
      ${div('commission_minor', 'unique_clicks')} AS epc_minor, ${div('revenue_minor', 'unique_clicks')} AS rpc_minor,
      followers
    FROM (
      SELECT g.k AS key, ${SUM_COLUMNS.map((c) => `t.${c} AS ${c}`).join(', ')},
        {fees:Map(String, Float64)}[g.k] AS fee_minor, {committed:Map(String, Float64)}[g.k] AS fee_committed_minor, {followers:Map(String, Float64)}[g.k] AS followers
      FROM (SELECT arrayJoin({keys:Array(String)}) AS k) AS g
      LEFT JOIN (
        SELECT multiIf({group:String} = 'partner', partner_id, {group:String} = 'platform', platform, {group:String} = 'campaign', 'all', {group_of:Map(String, String)}[partner_id]) AS key,
               ${SUM_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
        FROM agg_10s
        WHERE ${SCOPE_WHERE}
          AND ({ctd:Bool} OR bucket > toDateTime(intDiv({after:Int64}, 1000), 'UTC')) AND bucket <= toDateTime(intDiv({until:Int64}, 1000), 'UTC')
        GROUP BY key
      ) AS t ON g.k = t.key
    )
    ORDER BY key
    FORMAT CSVWithNames`;
  const rs = await client.exec({
    query,
    query_params: {
      ...scopeParams(q),
      group: q.group,
      ctd: q.afterMs === null,
      after: q.afterMs ?? 0,
      until: q.untilMs,
      keys: q.keys,
      group_of: q.groupOf,
      followers: q.followers,
      fees: q.fees,
      committed: q.committed,
    },
    clickhouse_settings: { join_use_nulls: 0 },
  });
  return rs.stream as Readable;
}
