// `npm run load -- file.json`: validates a dimension file whole, then upserts its campaigns, partners and deals.
import { readFileSync } from 'node:fs';
import { parseConfig, storeConfig } from '../config.js';
import { dimensionFile } from '../dimensions.js';
import { applyMigrations } from '../migrate.js';
import { openStore } from '../store.js';
import { describeZodError } from '../zodErrors.js';
import { upsertCampaigns, upsertDeals, upsertPartners } from '../queries/dimensions.js';
import { runCli, CliError } from './runCli.js';

export async function loadFile(path: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const parsed = dimensionFile.safeParse(raw);
  if (!parsed.success)
    throw new CliError(`${path} was not loaded (nothing written):\n${describeZodError(parsed.error)}`);
  // Store the documents as the user wrote them (validated), so they re-parse through the same schemas.
  const doc = raw as {
    campaigns?: Record<string, unknown>[];
    partners?: Record<string, unknown>[];
    deals?: Record<string, unknown>[];
  };
  const store = await openStore(parseConfig(storeConfig));
  try {
    await applyMigrations(store.client);
    await upsertCampaigns(store.client, (doc.campaigns ?? []) as never);
    await upsertPartners(store.client, (doc.partners ?? []) as never);
    await upsertDeals(store.client, (doc.deals ?? []) as never);
  } finally {
    await store.close();
  }
  return {
    campaigns: parsed.data.campaigns.length,
    partners: parsed.data.partners.length,
    deals: parsed.data.deals.length,
  };
}

runCli(import.meta.url, async (args) => {
  const file = args[0];
  if (!file) throw new CliError('usage: npm run load -- <file.json>');
  const n = await loadFile(file);
  console.log(`loaded ${n.campaigns} campaigns, ${n.partners} partners, ${n.deals} deals from ${file}`);
});
