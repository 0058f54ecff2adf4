// The latest alerts of each campaign, held in memory so a subscribe needs no query (a CampaignMemory of alerts).
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert } from '@pulseroom/schema';
import { alertsOfCampaign } from '../queries/alerts.js';
import { CampaignMemory } from './campaignMemory.js';

/** Alerts kept per campaign (a snapshot carries at most 50 of those a view may see). */
export const ALERTS_KEPT = 200;

export interface AlertMemoryDeps {
  client: ClickHouseClient;
  /** Reload a campaign's alerts after this long (ms); Infinity when this node sees every alert raised (no Redis). */
  maxAgeMs: number;
  now?: () => number;
}

export class AlertMemory extends CampaignMemory<Alert> {
  constructor(deps: AlertMemoryDeps) {
    super({
      load: (campaignId) => alertsOfCampaign(deps.client, campaignId, null, ALERTS_KEPT),
      keep: ALERTS_KEPT,
      maxAgeMs: deps.maxAgeMs,
      now: deps.now,
    });
  }
}
