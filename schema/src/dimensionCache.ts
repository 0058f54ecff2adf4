// In-memory indexes of the dimensions (campaigns, partners, deals, links, promo codes), refreshed from ClickHouse.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Campaign, Deal, Partner, TrackingLink } from './dimensions.js';
import { dimensionsVersion, loadDimensions, type Dimensions } from './queries/dimensions.js';
import { tierOf, type Tier } from './tiers.js';

export interface LinkTarget {
  link: TrackingLink;
  deal: Deal;
}

export class DimensionCache {
  private campaigns = new Map<string, Campaign>();
  private partners = new Map<string, Partner>();
  private deals = new Map<string, Deal>();
  private dealByPair = new Map<string, Deal>();
  private links = new Map<string, LinkTarget>();
  private promos = new Map<string, Deal>();
  private byManager = new Map<string, Set<string>>();
  private version = -1;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();

  constructor(private readonly client: ClickHouseClient) {}

  static async open(client: ClickHouseClient, refreshMs = 2000): Promise<DimensionCache> {
    const cache = new DimensionCache(client);
    await cache.reload();
    if (refreshMs > 0) cache.startRefresh(refreshMs);
    return cache;
  }

  startRefresh(everyMs: number): void {
    this.stopRefresh();
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined); // the store may be briefly down; the next refresh retries
    }, everyMs);
    this.timer.unref();
  }

  stopRefresh(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reloads only when a newer version exists. */
  async refresh(): Promise<boolean> {
    const v = await dimensionsVersion(this.client);
    if (v === this.version) return false;
    await this.reload();
    return true;
  }

  async reload(): Promise<void> {
    this.index(await loadDimensions(this.client));
    for (const l of this.listeners) l();
  }

  index(d: Dimensions): void {
    this.campaigns = new Map(d.campaigns.map((c) => [c.id, c]));
    this.partners = new Map(d.partners.map((p) => [p.id, p]));
    this.deals = new Map(d.deals.map((x) => [x.id, x]));
    this.dealByPair = new Map(d.deals.map((x) => [`${x.campaign_id}\u0000${x.partner_id}`, x]));
    this.links = new Map();
    this.promos = new Map();
    for (const deal of d.deals) {
      for (const link of deal.links) this.links.set(link.code, { link, deal });
      for (const code of deal.promo_codes) this.promos.set(`${deal.campaign_id}\u0000${code.toUpperCase()}`, deal);
    }
    this.byManager = new Map();
    for (const p of d.partners) {
      if (!p.manager_id) continue;
      const set = this.byManager.get(p.manager_id) ?? new Set<string>();
      set.add(p.id);
      this.byManager.set(p.manager_id, set);
    }
    this.version = d.version;
  }

  campaign(id: string): Campaign | undefined {
    return this.campaigns.get(id);
  }
  allCampaigns(): Campaign[] {
    return [...this.campaigns.values()];
  }
  partner(id: string): Partner | undefined {
    return this.partners.get(id);
  }
  allPartners(): Partner[] {
    return [...this.partners.values()];
  }
  tier(partnerId: string): Tier | undefined {
    const p = this.partners.get(partnerId);
    return p ? tierOf(p.followers) : undefined;
  }
  deal(id: string): Deal | undefined {
    return this.deals.get(id);
  }
  dealFor(campaignId: string, partnerId: string): Deal | undefined {
    return this.dealByPair.get(`${campaignId}\u0000${partnerId}`);
  }
  allDeals(): Deal[] {
    return [...this.deals.values()];
  }
  dealsOf(campaignId: string): Deal[] {
    return [...this.deals.values()].filter((d) => d.campaign_id === campaignId);
  }
  link(code: string): LinkTarget | undefined {
    return this.links.get(code);
  }
  promo(campaignId: string, code: string): Deal | undefined {
    return this.promos.get(`${campaignId}\u0000${code.toUpperCase()}`);
  }
  partnersOfManager(managerId: string): Set<string> {
    return this.byManager.get(managerId) ?? new Set();
  }
}
