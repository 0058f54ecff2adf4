// Named queries for the dimension tables: upserts of validated documents and loading the newest of each.
import type { ClickHouseClient } from '@clickhouse/client';
import { campaign, deal, partner, type Campaign, type Deal, type Partner } from '../dimensions.js';
import { nextVersion } from '../versions.js';

type Doc = Record<string, unknown> & { id: string };

/** Upserts campaigns given as validated input documents (the JSON a user sent). */
export async function upsertCampaigns(client: ClickHouseClient, docs: Doc[]): Promise<void> {
  if (docs.length === 0) return;
  await client.insert({
    table: 'campaigns',
    format: 'JSONEachRow',
    values: docs.map((d) => ({ id: d.id, doc: JSON.stringify(d), version: nextVersion() })),
  });
}

export async function upsertPartners(client: ClickHouseClient, docs: Doc[]): Promise<void> {
  if (docs.length === 0) return;
  await client.insert({
    table: 'partners',
    format: 'JSONEachRow',
    values: docs.map((d) => ({
      id: d.id,
      manager_id: String(d.manager_id ?? ''),
      doc: JSON.stringify(d),
      version: nextVersion(),
    })),
  });
}

export async function upsertDeals(client: ClickHouseClient, docs: Doc[]): Promise<void> {
  if (docs.length === 0) return;
  await client.insert({
    table: 'deals',
    format: 'JSONEachRow',
    values: docs.map((d) => ({
      id: d.id,
      campaign_id: String(d.campaign_id),
      partner_id: String(d.partner_id),
      doc: JSON.stringify(d),
      version: nextVersion(),
    })),
  });
}

export interface Dimensions {
  campaigns: Campaign[];
  partners: Partner[];
  deals: Deal[];
  /** Highest version seen: a cheap check of whether anything changed. */
  version: number;
}

async function newestDocs(
  client: ClickHouseClient,
  table: 'campaigns' | 'partners' | 'deals',
): Promise<{ doc: string; version: number }[]> {
  // FINAL: the newest version of each id, whether or not the background merge has run yet.
  const rs = await client.query({
    query: `SELECT doc, version FROM ${table} FINAL WHERE deleted = 0 ORDER BY id`,
    format: 'JSONEachRow',
  });
  return rs.json();
}

export async function dimensionsVersion(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({
    query: `SELECT greatest(
      (SELECT max(version) FROM campaigns), (SELECT max(version) FROM partners), (SELECT max(version) FROM deals)) AS v`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ v: number }>();
  return Number(row?.v ?? 0);
}

export async function loadDimensions(client: ClickHouseClient): Promise<Dimensions> {
  const [c, p, d] = await Promise.all([
    newestDocs(client, 'campaigns'),
    newestDocs(client, 'partners'),
    newestDocs(client, 'deals'),
  ]);
  const version = Math.max(
    0,
    ...c.map((r) => Number(r.version)),
    ...p.map((r) => Number(r.version)),
    ...d.map((r) => Number(r.version)),
  );
  return {
    campaigns: c.map((r) => campaign.parse(JSON.parse(r.doc))),
    partners: p.map((r) => partner.parse(JSON.parse(r.doc))),
    deals: d.map((r) => deal.parse(JSON.parse(r.doc))),
    version,
  };
}

/**
 * Marks a dimension deleted (a newer version with `deleted = 1`): it disappears from every cache at the next reload.
 */
export async function deleteDimension(
  client: ClickHouseClient,
  table: 'campaigns' | 'partners' | 'deals',
  doc: Doc,
): Promise<void> {
  const row: Record<string, unknown> = { id: doc.id, doc: JSON.stringify(doc), version: nextVersion(), deleted: 1 };
  if (table === 'partners') row.manager_id = String(doc.manager_id ?? '');
  if (table === 'deals')
    Object.assign(row, { campaign_id: String(doc.campaign_id), partner_id: String(doc.partner_id) });
  await client.insert({ table, format: 'JSONEachRow', values: [row] });
}
