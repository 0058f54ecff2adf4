// Named queries of alert channels: upsert, delete (a deleted version), list per campaign, and one by id. A channel's
// URL (Slack's is its secret) and signing secret are stored sealed under the data key, as a source's webhook secret.
import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion, openSecret, sealSecret } from '@pulseroom/schema/server';
import type { AlertChannel } from '../notify/channels.js';

const COLUMNS = 'id, campaign_id, name, type, url, secret, kinds, min_severity, enabled';
type Raw = Omit<AlertChannel, 'enabled'> & { enabled: number };
const seal = (key: string, v: string) => (v ? sealSecret(key, v) : '');
const open = (key: string, v: string) => (v ? (openSecret(key, v) ?? '') : '');
const toChannel = (key: string, r: Raw): AlertChannel => ({
  ...r,
  url: open(key, r.url),
  secret: open(key, r.secret),
  enabled: Number(r.enabled) === 1,
});

export async function upsertAlertChannel(
  client: ClickHouseClient,
  key: string,
  c: AlertChannel,
  deleted = false,
): Promise<void> {
  await client.insert({
    table: 'alert_channels',
    format: 'JSONEachRow',
    values: [
      {
        ...c,
        url: seal(key, c.url),
        secret: seal(key, c.secret),
        enabled: c.enabled ? 1 : 0,
        deleted: deleted ? 1 : 0,
        version: nextVersion(),
      },
    ],
  });
}

/** Channels not deleted; of one campaign when `campaignId` is given. */
export async function alertChannels(
  client: ClickHouseClient,
  key: string,
  campaignId?: string,
): Promise<AlertChannel[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM alert_channels FINAL
      WHERE deleted = 0 AND ({all:Bool} OR campaign_id = {c:String}) ORDER BY id`,
    query_params: { all: campaignId === undefined, c: campaignId ?? '' },
    format: 'JSONEachRow',
  });
  return (await rs.json<Raw>()).map((r) => toChannel(key, r));
}

export async function findAlertChannel(
  client: ClickHouseClient,
  key: string,
  id: string,
): Promise<AlertChannel | null> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM alert_channels FINAL WHERE id = {id:String} AND deleted = 0 LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Raw>();
  return row ? toChannel(key, row) : null;
}
