// Named queries of the live feed: the comments and posts of newly applied batches, and the latest ones at start-up.
import type { ClickHouseClient } from '@clickhouse/client';
import type { CommentItem, FeedItem, PostItem } from '@pulseroom/schema';

export type { FeedItem } from '@pulseroom/schema';

const FEED_COLUMNS = `type, event_id, batch_id, campaign_id, partner_id, platform, content_id, toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms,
  text, toFloat64(sentiment) AS sentiment, label, lang, sentiment_terms, url, caption, disclosure`;

interface RawFeed {
  type: string;
  event_id: string;
  batch_id: string;
  campaign_id: string;
  partner_id: string;
  platform: string;
  content_id: string;
  ts_ms: number;
  text: string;
  sentiment: number;
  label: string;
  lang: string;
  sentiment_terms?: string[];
  url: string;
  caption: string;
  disclosure: string;
}

function toFeed(r: RawFeed): FeedItem {
  const base = {
    event_id: r.event_id,
    ts: Number(r.ts_ms),
    partner_id: r.partner_id,
    platform: r.platform,
    content_id: r.content_id,
  };
  if (r.type === 'post') {
    return {
      kind: 'post',
      campaign_id: r.campaign_id,
      batch_id: r.batch_id,
      item: {
        ...base,
        url: r.url,
        caption: r.caption,
        disclosure: (r.disclosure || 'clear') as PostItem['disclosure'],
      },
    };
  }
  return {
    kind: 'comment',
    campaign_id: r.campaign_id,
    batch_id: r.batch_id,
    item: {
      ...base,
      text: r.text,
      sentiment: Number(r.sentiment),
      label: (r.label || 'unscored') as CommentItem['label'],
      lang: r.lang,
      terms: r.sentiment_terms ?? [],
    },
  };
}

/**
 * Comments and posts of the given batches. The event-time range (from the buckets the change log named)
 * and the campaigns keep the read on the primary key of `events` instead of a scan.
 */
export async function feedOfBatches(
  client: ClickHouseClient,
  q: { campaigns: string[]; batches: string[]; fromMs: number; toMs: number; perCampaign: number },
): Promise<FeedItem[]> {
  if (q.batches.length === 0) return [];
  // Only the newest `perCampaign` of each kind can enter what the engine keeps: at launch volumes a batch holds
  // hundreds of comments, and reading every one of their texts would be most of the read's work.
  // No automatic PREWHERE: the key and the batch index already leave a granule or two, and the PREWHERE step's cost
  // grows with the stored history, while the read without it stays flat (bench: tick).
  const rs = await client.query({
    query: `SELECT ${FEED_COLUMNS} FROM events
      WHERE campaign_id IN {campaigns:Array(String)}
        AND ts >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND ts < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
        AND type IN ('comment', 'post') AND batch_id IN {batches:Array(String)}
      ORDER BY ts DESC
      LIMIT {n:UInt32} BY campaign_id, type
      SETTINGS optimize_move_to_prewhere = 0`,
    query_params: { campaigns: q.campaigns, batches: q.batches, from: q.fromMs, to: q.toMs, n: q.perCampaign },
    format: 'JSONEachRow',
  });
  return (await rs.json<RawFeed>()).map(toFeed);
}

/**
 * The latest comments and posts of every campaign since `sinceMs` (event time), newest first, `perCampaign` of each
 * kind.
 */
export async function latestFeed(client: ClickHouseClient, sinceMs: number, perCampaign: number): Promise<FeedItem[]> {
  const rs = await client.query({
    query: `SELECT ${FEED_COLUMNS} FROM events
      WHERE ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND type IN ('comment', 'post')
      ORDER BY ts DESC
      LIMIT {n:UInt32} BY campaign_id, type`,
    query_params: { since: sinceMs, n: perCampaign },
    format: 'JSONEachRow',
  });
  return (await rs.json<RawFeed>()).map(toFeed);
}

/** The latest comments and posts of one partner in a campaign (last `days` days of event time). */
export async function partnerFeed(
  client: ClickHouseClient,
  q: { campaign_id: string; partner_id: string; sinceMs: number; limit: number },
): Promise<FeedItem[]> {
  const rs = await client.query({
    query: `SELECT ${FEED_COLUMNS} FROM events
      WHERE campaign_id = {c:String} AND ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND type IN ('comment', 'post') AND partner_id = {p:String}
      ORDER BY ts DESC
      LIMIT {n:UInt32} BY type`,
    query_params: { c: q.campaign_id, p: q.partner_id, since: q.sinceMs, n: q.limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<RawFeed>()).map(toFeed);
}
