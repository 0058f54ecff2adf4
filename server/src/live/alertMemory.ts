// The latest alerts of each campaign, held in memory so a subscribe needs no query: loaded once per campaign, then kept
// current from the alerts this node raises and acknowledges.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert } from '@pulseroom/schema';
import { alertsOfCampaign } from '../queries/alerts.js';

/** Alerts kept per campaign (a snapshot carries at most 50 of those a view may see). */
export const ALERTS_KEPT = 200;

interface Entry {
  /** Newest first, at most ALERTS_KEPT. */
  alerts: Alert[];
  loadedAt: number;
  /** Bumped on every change, so a cached snapshot knows when its alerts went stale. */
  version: number;
}

export interface AlertMemoryDeps {
  client: ClickHouseClient;
  /** Reload a campaign's alerts after this long (ms); Infinity when this node sees every alert raised (no Redis). */
  maxAgeMs: number;
  now?: () => number;
}

const newestFirst = (a: Alert, b: Alert) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class AlertMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  /** Alerts raised or acknowledged while their campaign was loading: applied once the load lands. */
  private readonly early = new Map<string, Alert[]>();
  /** Queries made (tests check that subscribes do not make any once a campaign is loaded). */
  loads = 0;
  private readonly now: () => number;

  constructor(private readonly deps: AlertMemoryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A campaign's alerts if held and fresh, else null (call `load`). */
  peek(campaignId: string): { alerts: Alert[]; version: number } | null {
    const e = this.entries.get(campaignId);
    if (!e || this.now() - e.loadedAt > this.deps.maxAgeMs) return null;
    return e;
  }

  /** One query per campaign however many subscribes wait on it. */
  load(campaignId: string): Promise<{ alerts: Alert[]; version: number }> {
    const held = this.peek(campaignId);
    if (held) return Promise.resolve(held);
    let p = this.loading.get(campaignId);
    if (!p) {
      this.loads++;
      p = alertsOfCampaign(this.deps.client, campaignId, null, ALERTS_KEPT)
        .then((alerts) => {
          const previous = this.entries.get(campaignId);
          const e: Entry = { alerts, loadedAt: this.now(), version: (previous?.version ?? 0) + 1 };
          this.entries.set(campaignId, e);
          const early = this.early.get(campaignId);
          this.early.delete(campaignId);
          if (early) this.merge(e, early);
          return e;
        })
        .finally(() => this.loading.delete(campaignId));
      this.loading.set(campaignId, p);
    }
    return p;
  }

  /** Alerts raised or updated (acknowledged) on this node. */
  add(alerts: Alert[]): void {
    const byCampaign = new Map<string, Alert[]>();
    for (const a of alerts) byCampaign.set(a.campaign_id, [...(byCampaign.get(a.campaign_id) ?? []), a]);
    for (const [id, list] of byCampaign) {
      if (this.loading.has(id)) this.early.set(id, [...(this.early.get(id) ?? []), ...list]);
      const e = this.entries.get(id);
      if (e) this.merge(e, list);
    }
  }

  private merge(e: Entry, list: Alert[]): void {
    const byId = new Map(e.alerts.map((a) => [a.id, a]));
    for (const a of list) byId.set(a.id, a);
    e.alerts = [...byId.values()].sort(newestFirst).slice(0, ALERTS_KEPT);
    e.version++;
  }

  version(campaignId: string): number {
    return this.entries.get(campaignId)?.version ?? 0;
  }
}
