// Test support: the figures of docs/ARCHITECTURE.md ("Metrics") computed directly in SQL over the raw `events` table,
// for comparing with what the server pushed.
import type { ClickHouseClient } from '@clickhouse/client';
import { emptyTotals, TOTAL_FIELDS, type GroupName, type Totals } from '@pulseroom/schema';

const TRUTH_SQL = `
SELECT if(toStartOfInterval(ts, INTERVAL 10 SECOND) > fromUnixTimestamp64Milli({mid:Int64}, 'UTC'), 'cur', 'prev') AS period,
  multiIf({group:String} = 'campaign', 'all', {group:String} = 'partner', partner_id, {group:String} = 'platform', platform, {group_of:Map(String, String)}[partner_id]) AS key,
  sum(views) AS t_views,
  sumIf(reach, has_reach = 1) AS t_reach,
  sumIf(likes + comments + shares + saves, has_reach = 1) AS t_reach_interactions,
  sum(likes) AS t_likes, sum(comments) AS t_comments, sum(shares) AS t_shares, sum(saves) AS t_saves, sum(follows) AS t_follows,
  countIf(type = 'comment') AS t_comments_n,
  countIf(type = 'comment' AND label IN ('pos', 'neu', 'neg')) AS t_scored_n,
  sumIf(toFloat64(sentiment), type = 'comment' AND label IN ('pos', 'neu', 'neg')) AS t_sentiment_sum,
  countIf(type = 'comment' AND label = 'pos') AS t_pos_n,
  countIf(type = 'comment' AND label = 'neu') AS t_neu_n,
  countIf(type = 'comment' AND label = 'neg') AS t_neg_n,
  countIf(type = 'comment' AND label = 'unscored') AS t_unscored_n,
  countIf(type = 'click' AND bot = 0) AS t_clicks,
  countIf(type = 'click' AND bot = 0 AND is_unique = 1) AS t_unique_clicks,
  countIf(type = 'click' AND bot = 1) AS t_bot_clicks,
  countIf(type = 'conversion' AND status = 'approved' AND converted = 1) + countIf(type = 'status' AND from_status != '' AND converted = 1 AND status = 'approved') - countIf(type = 'status' AND from_status != '' AND converted = 1 AND from_status = 'approved') AS t_conversions,
  sumIf(amount_minor, type IN ('conversion', 'refund') AND status = 'approved' AND converted = 1) + sumIf(amount_minor * ((status = 'approved') - (from_status = 'approved')), type = 'status' AND from_status != '' AND converted = 1) AS t_revenue_minor,
  sumIf(commission_minor, type IN ('conversion', 'refund') AND status = 'approved' AND converted = 1) + sumIf(commission_minor * ((status = 'approved') - (from_status = 'approved')), type = 'status' AND from_status != '' AND converted = 1) AS t_commission_minor,
  countIf(type = 'conversion' AND status = 'pending') + sumIf((status = 'pending') - (from_status = 'pending'), type = 'status' AND from_status != '') AS t_pending_n,
  sumIf(amount_minor, type IN ('conversion', 'refund') AND status = 'pending') + sumIf(amount_minor * ((status = 'pending') - (from_status = 'pending')), type = 'status' AND from_status != '') AS t_pending_minor,
  countIf(type = 'conversion' AND status = 'rejected') + sumIf((status = 'rejected') - (from_status = 'rejected'), type = 'status' AND from_status != '') AS t_rejected_n,
  countIf(type = 'refund' AND status = 'approved' AND converted = 1) AS t_refunds_n,
  sumIf(-amount_minor, type = 'refund' AND status = 'approved' AND converted = 1) AS t_refund_minor,
  countIf(type = 'conversion' AND attributed = 0) AS t_unattributed_n,
  sumIf(amount_minor, type = 'conversion' AND attributed = 0 AND status = 'approved') + sumIf(amount_minor * ((status = 'approved') - (from_status = 'approved')), type = 'status' AND from_status != '' AND attributed = 0) AS t_unattributed_minor,
  countIf(type = 'conversion' AND converted = 0) AS t_unconverted_n,
  countIf(type = 'conversion' AND suspicious = 1) AS t_suspicious_n,
  countIf(type = 'post') AS t_posts,
  countIf(type = 'post' AND disclosure = 'weak') AS t_disclosure_weak,
  countIf(type = 'post' AND disclosure = 'missing') AS t_disclosure_missing
FROM events
WHERE campaign_id = {c:String}
  AND ({all:Bool} OR partner_id IN {partners:Array(String)})
  AND toStartOfInterval(ts, INTERVAL 10 SECOND) > fromUnixTimestamp64Milli({lo:Int64}, 'UTC')
  AND toStartOfInterval(ts, INTERVAL 10 SECOND) <= fromUnixTimestamp64Milli({hi:Int64}, 'UTC')
GROUP BY period, key`;

/**
 * Totals per group key over buckets with start in (lo, hi] (epoch ms), straight from raw events; with `mid`,
 * buckets in (lo, mid] go to `prev` and (mid, hi] to `cur` (one query for a window and its previous window).
 */
export async function truthTotals(
  client: ClickHouseClient,
  q: {
    campaign_id: string;
    group: GroupName;
    groupOf: Record<string, string>;
    lo: number;
    hi: number;
    mid?: number;
    partners?: string[];
  },
): Promise<Map<string, Totals>> {
  return (await truthPeriods(client, q)).cur;
}

export async function truthPeriods(
  client: ClickHouseClient,
  q: {
    campaign_id: string;
    group: GroupName;
    groupOf: Record<string, string>;
    lo: number;
    hi: number;
    mid?: number;
    partners?: string[];
  },
): Promise<{ cur: Map<string, Totals>; prev: Map<string, Totals> }> {
  const rs = await client.query({
    query: TRUTH_SQL,
    query_params: {
      c: q.campaign_id,
      group: q.group,
      group_of: q.groupOf,
      lo: q.lo,
      hi: q.hi,
      mid: q.mid ?? q.lo,
      all: q.partners === undefined,
      partners: q.partners ?? [],
    },
    format: 'JSONEachRow',
  });
  const out = { cur: new Map<string, Totals>(), prev: new Map<string, Totals>() };
  for (const r of await rs.json<Record<string, number | string>>()) {
    const t = emptyTotals();
    for (const f of TOTAL_FIELDS) t[f] = Number(r[`t_${f}`]);
    out[r.period === 'cur' ? 'cur' : 'prev'].set(String(r.key), t);
  }
  return out;
}
