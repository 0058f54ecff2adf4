// Named query of ingest sources' activity: when each last sent an accepted event.
import type { ClickHouseClient } from '@clickhouse/client';

/** When each source last sent an accepted event, by source id (events of the last 30 days; older ones: null). */
export async function sourcesLastSeen(client: ClickHouseClient, nowMs: number): Promise<Map<string, number>> {
  const rs = await client.query({
    query: `SELECT source_id, toInt64(toUnixTimestamp64Milli(max(received_at))) AS last_ms FROM events
      WHERE ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') GROUP BY source_id`,
    query_params: { since: nowMs - 30 * 86_400_000 },
    format: 'JSONEachRow',
  });
  return new Map(
    (await rs.json<{ source_id: string; last_ms: number | string }>()).map((r) => [r.source_id, Number(r.last_ms)]),
  );
}

export interface CampaignSourceRow {
  id: string;
  name: string;
  expected_every_s: number;
  created_ms: number;
  /** The campaigns it may send for; empty: all. */
  campaign_ids: string[];
}

/** Sources not revoked, with the campaigns each may send for (those limited to no campaign may send for all). */
export async function activeSources(client: ClickHouseClient): Promise<CampaignSourceRow[]> {
  const rs = await client.query({
    query: `SELECT id, name, expected_every_s, toInt64(toUnixTimestamp64Milli(created_at)) AS created_ms, campaign_ids
      FROM sources FINAL WHERE revoked = 0 ORDER BY name, id`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<CampaignSourceRow>();
  return rows.map((r) => ({ ...r, expected_every_s: Number(r.expected_every_s), created_ms: Number(r.created_ms) }));
}
