// Named query for revocation checks of connected sockets: which of these token ids are still valid.
import type { ClickHouseClient } from '@clickhouse/client';

/** Of these token ids, those neither revoked nor expired at `nowMs`. */
export async function validTokenIds(client: ClickHouseClient, ids: string[], nowMs = Date.now()): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rs = await client.query({
    query:
      'SELECT id FROM dashboard_tokens FINAL WHERE id IN {ids:Array(String)} AND revoked = 0 AND (expires_at = 0 OR expires_at > {now:Int64})',
    query_params: { ids, now: nowMs },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ id: string }>()).map((r) => r.id));
}
