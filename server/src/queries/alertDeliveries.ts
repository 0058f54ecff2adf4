// Named queries of the alert delivery log: one row per alert and channel (newest version wins), what was claimed.
import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion } from '@pulseroom/schema/server';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'grouped'] as const;

export interface DeliveryRow {
  channel_id: string;
  alert_id: string;
  campaign_id: string;
  /** The message that carried it (`webhook-id`): several alerts share one in a storm's summary. */
  message_id: string;
  kind: string;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  http_status: number;
  error: string;
  at: number;
}

export async function writeDeliveries(client: ClickHouseClient, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({ ...r, version: nextVersion() }));
  await client.insert({ table: 'alert_deliveries', format: 'JSONEachRow', values });
}

/** Alert ids already claimed for a channel (any status): they are never sent to it again, even after a restart. */
export async function claimedAlerts(
  client: ClickHouseClient,
  channelId: string,
  alertIds: string[],
): Promise<Set<string>> {
  if (alertIds.length === 0) return new Set();
  const rs = await client.query({
    query: `SELECT DISTINCT alert_id FROM alert_deliveries
      WHERE channel_id = {c:String} AND alert_id IN {ids:Array(String)}`,
    query_params: { c: channelId, ids: alertIds },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ alert_id: string }>()).map((r) => r.alert_id));
}

/** Deliveries a stopped server left unfinished (claimed, not yet sent or given up), oldest first. */
export async function unfinishedDeliveries(client: ClickHouseClient, limit = 1000): Promise<DeliveryRow[]> {
  const rs = await client.query({
    query: `SELECT channel_id, alert_id, campaign_id, message_id, kind, status, attempts, http_status, error,
        toInt64(toUnixTimestamp64Milli(at)) AS at
      FROM alert_deliveries FINAL WHERE status = 'pending' AND message_id != '' ORDER BY at LIMIT {limit:UInt32}`,
    query_params: { limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<DeliveryRow>()).map((r) => ({ ...r, at: Number(r.at) }));
}

/** A channel's log, newest first. */
export async function deliveryLog(client: ClickHouseClient, channelId: string, limit: number): Promise<DeliveryRow[]> {
  const rs = await client.query({
    query: `SELECT channel_id, alert_id, campaign_id, message_id, kind, status, attempts, http_status, error,
        toInt64(toUnixTimestamp64Milli(at)) AS at
      FROM alert_deliveries FINAL WHERE channel_id = {c:String} ORDER BY at DESC, alert_id LIMIT {limit:UInt32}`,
    query_params: { c: channelId, limit },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<DeliveryRow>();
  return rows.map((r) => ({
    ...r,
    attempts: Number(r.attempts),
    http_status: Number(r.http_status),
    at: Number(r.at),
  }));
}
