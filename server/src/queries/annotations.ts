// Named queries of the annotations table (notes put on the charts by hand): add, delete (a deleted version), the
// latest of a campaign, and one by id.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Annotation } from '@pulseroom/schema';
import { nextVersion } from '@pulseroom/schema/server';

interface Raw {
  id: string;
  campaign_id: string;
  partner_id: string;
  ts_ms: number | string;
  text: string;
  author: string;
}

const COLUMNS = 'id, campaign_id, partner_id, toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms, text, author';
const toAnnotation = (r: Raw): Annotation => ({
  id: r.id,
  campaign_id: r.campaign_id,
  partner_id: r.partner_id,
  ts: Number(r.ts_ms),
  text: r.text,
  author: r.author,
});

export async function insertAnnotation(
  client: ClickHouseClient,
  a: Annotation,
  authorTokenId: string,
  deleted = false,
): Promise<void> {
  await client.insert({
    table: 'annotations',
    format: 'JSONEachRow',
    values: [{ ...a, author_token_id: authorTokenId, deleted: deleted ? 1 : 0, version: nextVersion() }],
  });
}

/**
 * A campaign's notes not deleted, newest first, from `sinceMs` on; `partners` (when given) keeps those partners' notes
 * and the campaign-wide ones.
 */
export async function annotationsOfCampaign(
  client: ClickHouseClient,
  q: { campaign_id: string; partners: string[] | null; sinceMs: number; untilMs?: number; limit: number },
): Promise<Annotation[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM annotations FINAL
      WHERE campaign_id = {c:String} AND deleted = 0
        AND ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND ts < fromUnixTimestamp64Milli({until:Int64}, 'UTC')
        AND ({all:Bool} OR partner_id = '' OR partner_id IN {partners:Array(String)})
      ORDER BY ts DESC, id LIMIT {limit:UInt32}`,
    query_params: {
      c: q.campaign_id,
      since: Math.max(0, Math.floor(q.sinceMs)),
      until: Math.floor(q.untilMs ?? Date.UTC(2100, 0, 1)),
      all: q.partners === null,
      partners: q.partners ?? [],
      limit: q.limit,
    },
    format: 'JSONEachRow',
  });
  return (await rs.json<Raw>()).map(toAnnotation);
}

export async function findAnnotation(client: ClickHouseClient, id: string): Promise<Annotation | null> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM annotations FINAL WHERE id = {id:String} AND deleted = 0 LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Raw>();
  return row ? toAnnotation(row) : null;
}
