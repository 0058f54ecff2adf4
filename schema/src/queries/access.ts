// Named queries for who may send (ingest sources) and who may see (dashboard tokens); secrets only as hashes.
import type { ClickHouseClient } from '@clickhouse/client';
import type { DashboardScope, Role } from '../dimensions.js';
import { hashSecret, newId, newSecret } from '../secrets.js';
import { nextVersion } from '../versions.js';

export interface SourceRow {
  id: string;
  name: string;
  key_hash: string;
  campaign_ids: string[];
  revoked: number;
}

/** Creates an ingest source; the key is returned once and only its hash is stored. */
export async function createSource(
  client: ClickHouseClient,
  input: { name?: string; campaign_ids?: string[]; id?: string; expected_every_s?: number },
): Promise<{ id: string; key: string }> {
  const key = newSecret('prk');
  const id = input.id ?? newId('src');
  await client.insert({
    table: 'sources',
    format: 'JSONEachRow',
    values: [
      {
        id,
        name: input.name ?? '',
        key_hash: hashSecret(key),
        campaign_ids: input.campaign_ids ?? [],
        expected_every_s: input.expected_every_s ?? 0,
        version: nextVersion(),
        revoked: 0,
      },
    ],
  });
  return { id, key };
}

export async function listSources(client: ClickHouseClient): Promise<SourceRow[]> {
  const rs = await client.query({
    query: 'SELECT id, name, key_hash, campaign_ids, revoked FROM sources FINAL ORDER BY id',
    format: 'JSONEachRow',
  });
  return rs.json();
}

export async function findSourceByKeyHash(client: ClickHouseClient, keyHash: string): Promise<SourceRow | null> {
  const rs = await client.query({
    query:
      'SELECT id, name, key_hash, campaign_ids, revoked FROM sources FINAL WHERE key_hash = {h:String} AND revoked = 0 LIMIT 1',
    query_params: { h: keyHash },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<SourceRow>();
  return row ?? null;
}

/**
 * Writes a new version of a source with `change` applied and every other column as it was (a source has columns
 * several features own: its key, its provider and secret, its expected cadence); false when there is no such source.
 */
async function updateSource(client: ClickHouseClient, id: string, change: Record<string, unknown>): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT * EXCEPT (version) FROM sources FINAL WHERE id = {id:String} LIMIT 1',
    query_params: { id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<string, unknown>>();
  if (!row) return false;
  await client.insert({
    table: 'sources',
    format: 'JSONEachRow',
    values: [{ ...row, ...change, version: nextVersion() }],
  });
  return true;
}

/** Sets the campaigns a source may send for (a connector's: the campaigns of its registered posts). */
export function setSourceCampaigns(client: ClickHouseClient, id: string, campaignIds: string[]): Promise<boolean> {
  return updateSource(client, id, { campaign_ids: campaignIds });
}

export function revokeSource(client: ClickHouseClient, id: string): Promise<boolean> {
  return updateSource(client, id, { revoked: 1 });
}

/** The providers whose webhooks ingest reads: each signs its requests with a secret it gave the shop owner. */
export const WEBHOOK_PROVIDERS = ['shopify', 'stripe'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** A source that receives a provider's webhooks, with its signing secret still sealed. */
export interface SourceWebhookRow extends SourceRow {
  provider: string;
  webhook_secret: string;
}

/** A source by id with its provider and sealed signing secret (never listed with the others: a secret stays here). */
export async function findSourceWebhook(client: ClickHouseClient, id: string): Promise<SourceWebhookRow | null> {
  const rs = await client.query({
    query: `SELECT id, name, key_hash, campaign_ids, revoked, provider, webhook_secret
            FROM sources FINAL WHERE id = {id:String} LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<SourceWebhookRow>();
  return row ?? null;
}

/** Sets a source's provider and sealed signing secret; false when there is no such source. */
export async function setSourceWebhook(
  client: ClickHouseClient,
  id: string,
  provider: WebhookProvider,
  sealedSecret: string,
): Promise<boolean> {
  return updateSource(client, id, { provider, webhook_secret: sealedSecret });
}

export interface TokenRow {
  id: string;
  token_hash: string;
  role: Role;
  campaign_ids: string[];
  manager_id: string;
  label: string;
  revoked: number;
  /** Epoch ms; 0: never expires. */
  expires_at: number;
  created_at: string;
  /** When a server last saw it used (ISO), or null. */
  last_used_at: string | null;
}

/** Creates a dashboard token; the token is returned once and only its hash is stored. */
export async function createToken(
  client: ClickHouseClient,
  input: {
    role: Role;
    campaign_ids?: string[];
    manager_id?: string;
    label?: string;
    token?: string;
    expires_at?: number;
  },
): Promise<{ id: string; token: string }> {
  const token = input.token ?? newSecret('prt');
  const id = newId('tok');
  await client.insert({
    table: 'dashboard_tokens',
    format: 'JSONEachRow',
    values: [
      {
        id,
        token_hash: hashSecret(token),
        role: input.role,
        campaign_ids: input.campaign_ids ?? [],
        manager_id: input.manager_id ?? '',
        label: input.label ?? '',
        expires_at: input.expires_at ?? 0,
        version: nextVersion(),
        revoked: 0,
      },
    ],
  });
  return { id, token };
}

export async function listTokens(client: ClickHouseClient): Promise<TokenRow[]> {
  const rs = await client.query({
    query: `SELECT t.id AS id, token_hash, role, campaign_ids, manager_id, label, revoked, expires_at, toString(created_at) AS created_at,
              if(u.id = '', NULL, toString(u.last_used_at)) AS last_used_at
            FROM (SELECT * FROM dashboard_tokens FINAL) AS t
            LEFT JOIN (SELECT id, max(last_used_at) AS last_used_at FROM token_usage GROUP BY id) AS u ON u.id = t.id
            ORDER BY t.id`,
    format: 'JSONEachRow',
  });
  return (await rs.json<TokenRow>()).map((t) => ({ ...t, expires_at: Number(t.expires_at) }));
}

export async function findTokenByHash(client: ClickHouseClient, tokenHash: string): Promise<DashboardScope | null> {
  const rs = await client.query({
    query:
      'SELECT id, role, campaign_ids, manager_id, label, expires_at FROM dashboard_tokens FINAL WHERE token_hash = {h:String} AND revoked = 0 LIMIT 1',
    query_params: { h: tokenHash },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{
    id: string;
    role: Role;
    campaign_ids: string[];
    manager_id: string;
    label: string;
    expires_at: number | string;
  }>();
  return row
    ? {
        token_id: row.id,
        role: row.role,
        campaign_ids: row.campaign_ids,
        manager_id: row.manager_id,
        label: row.label,
        expires_at: Number(row.expires_at),
      }
    : null;
}

export async function revokeToken(client: ClickHouseClient, id: string): Promise<boolean> {
  const rows = (await listTokens(client)).filter((t) => t.id === id);
  if (rows.length === 0) return false;
  const { created_at: _c, last_used_at: _u, ...row } = rows[0];
  await client.insert({
    table: 'dashboard_tokens',
    format: 'JSONEachRow',
    values: [{ ...row, revoked: 1, version: nextVersion() }],
  });
  return true;
}

/** Records when tokens were last used (epoch ms by token id); the newest time per token is kept. */
export async function recordTokenUse(client: ClickHouseClient, used: ReadonlyMap<string, number>): Promise<void> {
  if (used.size === 0) return;
  await client.insert({
    table: 'token_usage',
    format: 'JSONEachRow',
    values: [...used].map(([id, ms]) => ({ id, last_used_at: ms })),
  });
}
