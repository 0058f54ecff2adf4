// In-engine generation of stored events (INSERT … SELECT FROM numbers()): the ingest ceiling and the tick-cost history.
// Values are derived from `number` so runs repeat; the types are mixed roughly as a launch has them.
import type { ClickHouseClient } from '@clickhouse/client';

export interface HistoryShape {
  campaigns: number;
  partnersPerCampaign: number;
  /** Event times spread evenly over the last this many ms. */
  spanMs: number;
  /** Number offset (several inserts give distinct ids). */
  offset?: number;
  batchRows?: number;
}

/** Inserts `rows` events through every materialized view of `events`; returns the seconds it took. */
export async function insertHistory(
  client: ClickHouseClient,
  rows: number,
  shape: HistoryShape,
  settings: Record<string, number> = {},
): Promise<number> {
  const now = Date.now();
  const t0 = performance.now();
  await client.command({
    query: `
      INSERT INTO events (event_id, source_id, batch_id, type, ts, received_at, campaign_id, partner_id, platform, content_id,
        views, reach, has_reach, likes, comments, shares, saves, follows, text, sentiment, label, lang,
        link_code, click_id, visitor_hash, bot, is_unique, order_id, status, amount_minor, currency, orig_amount_minor, orig_currency,
        commission_minor, attributed, converted, items)
      SELECT
        concat('h', toString(n)) AS event_id,
        'bench' AS source_id,
        concat('hb', toString(intDiv(n, {batch:UInt64}))) AS batch_id,
        ['engagement','engagement','engagement','engagement','click','click','click','click','comment','conversion'][n % 10 + 1] AS type,
        fromUnixTimestamp64Milli(toInt64({now:Int64} - (cityHash64(n) % {span:UInt64}))) AS ts,
        fromUnixTimestamp64Milli(toInt64({now:Int64})) AS received_at,
        concat('hist-c', toString(n % {campaigns:UInt64})) AS campaign_id,
        concat('hist-p', toString(intDiv(n, 7) % {partners:UInt64})) AS partner_id,
        ['instagram','tiktok','youtube'][intDiv(n, 7) % {partners:UInt64} % 3 + 1] AS platform,
        if(type IN ('engagement','comment'), concat('post', toString(n % 97)), '') AS content_id,
        if(type = 'engagement', toInt64(cityHash64(n, 1) % 5000), 0) AS views,
        if(type = 'engagement', toInt64(cityHash64(n, 2) % 4000), 0) AS reach,
        toUInt8(type = 'engagement') AS has_reach,
        if(type = 'engagement', toInt64(cityHash64(n, 3) % 300), 0) AS likes,
        if(type = 'engagement', toInt64(cityHash64(n, 4) % 40), 0) AS comments,
        if(type = 'engagement', toInt64(cityHash64(n, 5) % 30), 0) AS shares,
        if(type = 'engagement', toInt64(cityHash64(n, 6) % 20), 0) AS saves,
        0 AS follows,
        if(type = 'comment', 'love these, the noise cancelling is great', '') AS text,
        if(type = 'comment', toFloat32((cityHash64(n, 7) % 2000) / 1000 - 1), 0) AS sentiment,
        if(type = 'comment', multiIf(sentiment > 0.25, 'pos', sentiment < -0.25, 'neg', 'neu'), '') AS label,
        if(type = 'comment', 'en', '') AS lang,
        if(type = 'click', concat('hist-l', toString(intDiv(n, 7) % {partners:UInt64})), '') AS link_code,
        if(type = 'click', concat('k', toString(n)), '') AS click_id,
        if(type = 'click', hex(cityHash64(n % 100000)), '') AS visitor_hash,
        toUInt8(type = 'click' AND n % 97 = 0) AS bot,
        toUInt8(type = 'click' AND n % 3 != 0) AS is_unique,
        if(type = 'conversion', concat('o', toString(n)), '') AS order_id,
        if(type = 'conversion', 'approved', '') AS status,
        if(type = 'conversion', toInt64(cityHash64(n, 8) % 20000 + 500), 0) AS amount_minor,
        if(type = 'conversion', 'EUR', '') AS currency,
        amount_minor AS orig_amount_minor,
        currency AS orig_currency,
        intDiv(amount_minor, 10) AS commission_minor,
        toUInt8(type = 'conversion') AS attributed,
        toUInt8(type = 'conversion') AS converted,
        toUInt32(type = 'conversion') AS items
      FROM (SELECT number + {offset:UInt64} AS n FROM numbers({rows:UInt64}))`,
    query_params: {
      rows,
      offset: shape.offset ?? 0,
      now,
      span: Math.max(1, Math.round(shape.spanMs)),
      campaigns: shape.campaigns,
      partners: shape.partnersPerCampaign,
      batch: shape.batchRows ?? 10_000,
    },
    // An explicit token: chDB's connection applies settings with SET on its one session, so the last insert's
    // insert_deduplication_token would otherwise stick and make ClickHouse drop this insert as a duplicate.
    clickhouse_settings: { insert_deduplication_token: `history-${shape.offset ?? 0}-${rows}-${now}`, ...settings },
  });
  return (performance.now() - t0) / 1000;
}

export async function engineVersion(client: ClickHouseClient): Promise<string> {
  const [row] = await (
    await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
  ).json<{ v: string }>();
  return row.v;
}
