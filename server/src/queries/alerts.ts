// Named queries of the alerts table: store, list in scope, acknowledge, and the recent ones that set cooldowns.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert } from '@pulseroom/schema';
import { nextVersion } from '@pulseroom/schema/server';

interface RawAlert {
  id: string;
  campaign_id: string;
  partner_id: string;
  kind: Alert['kind'];
  severity: Alert['severity'];
  message: string;
  ts_ms: number;
  acknowledged: number;
}

const COLUMNS =
  'id, campaign_id, partner_id, kind, severity, message, toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms, acknowledged';
const toAlert = (r: RawAlert): Alert => ({
  id: r.id,
  campaign_id: r.campaign_id,
  partner_id: r.partner_id,
  kind: r.kind,
  severity: r.severity,
  message: r.message,
  ts: Number(r.ts_ms),
  acknowledged: Number(r.acknowledged) === 1,
});

export async function insertAlerts(client: ClickHouseClient, alerts: Alert[], acknowledgedBy = ''): Promise<void> {
  if (alerts.length === 0) return;
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: alerts.map((a) => ({
      id: a.id,
      campaign_id: a.campaign_id,
      partner_id: a.partner_id,
      kind: a.kind,
      severity: a.severity,
      message: a.message,
      ts: a.ts,
      acknowledged: a.acknowledged ? 1 : 0,
      acknowledged_by: acknowledgedBy,
      version: nextVersion(),
    })),
  });
}

/** Newest first; `partners` (when given) keeps only those partners' alerts, campaign-wide ones excluded. */
export async function alertsOfCampaign(
  client: ClickHouseClient,
  campaignId: string,
  partners: string[] | null,
  limit = 200,
): Promise<Alert[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM alerts FINAL
      WHERE campaign_id = {c:String} AND ({all:Bool} OR partner_id IN {partners:Array(String)})
      ORDER BY ts DESC, id LIMIT {limit:UInt32}`,
    query_params: { c: campaignId, all: partners === null, partners: partners ?? [], limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<RawAlert>()).map(toAlert);
}

export async function findAlert(client: ClickHouseClient, id: string): Promise<Alert | null> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM alerts FINAL WHERE id = {id:String} LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<RawAlert>();
  return row ? toAlert(row) : null;
}

/**
 * Alerts raised since `sinceMs` (to restore cooldowns after a restart) and every alert raised once for good (goals
 * reached, a connector's refused credential).
 */
export async function alertsForCooldown(client: ClickHouseClient, sinceMs: number): Promise<Alert[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM alerts FINAL WHERE ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') OR kind IN ('goal_reached', 'connector_reauth')`,
    query_params: { since: Math.max(0, Math.floor(sinceMs)) },
    format: 'JSONEachRow',
  });
  return (await rs.json<RawAlert>()).map(toAlert);
}
