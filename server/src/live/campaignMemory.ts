// The latest items of each campaign (alerts, notes) held in memory so a subscribe needs no query: loaded once per
// campaign, then kept current from the items this node adds, changes and removes.

/** What the memory holds: items by id, in time. */
export interface CampaignItem {
  id: string;
  campaign_id: string;
  ts: number;
}

interface Entry<T> {
  /** Newest first, at most `keep`. */
  items: T[];
  loadedAt: number;
  /** Bumped on every change, so a cached snapshot knows when its items went stale. */
  version: number;
}

/** A change made while the campaign was loading: applied once the load lands. */
type Early<T> = { add: T[] } | { remove: string[] };

export interface CampaignMemoryDeps<T> {
  /** The campaign's latest items, newest first (at most `keep`). */
  load: (campaignId: string) => Promise<T[]>;
  keep: number;
  /** Reload a campaign after this long (ms); Infinity when this node sees every change (no Redis). */
  maxAgeMs: number;
  now?: () => number;
}

const newestFirst = (a: CampaignItem, b: CampaignItem) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class CampaignMemory<T extends CampaignItem> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<Entry<T>>>();
  private readonly early = new Map<string, Early<T>[]>();
  /** Queries made (tests check that subscribes do not make any once a campaign is loaded). */
  loads = 0;
  private readonly now: () => number;

  constructor(private readonly deps: CampaignMemoryDeps<T>) {
    this.now = deps.now ?? Date.now;
  }

  /** A campaign's items if held and fresh, else null (call `load`). */
  peek(campaignId: string): { items: T[]; version: number } | null {
    const e = this.entries.get(campaignId);
    if (!e || this.now() - e.loadedAt > this.deps.maxAgeMs) return null;
    return e;
  }

  /** One query per campaign however many subscribes wait on it. */
  load(campaignId: string): Promise<{ items: T[]; version: number }> {
    const held = this.peek(campaignId);
    if (held) return Promise.resolve(held);
    let p = this.loading.get(campaignId);
    if (!p) {
      this.loads++;
      p = this.deps
        .load(campaignId)
        .then((items) => {
          const previous = this.entries.get(campaignId);
          const e: Entry<T> = { items, loadedAt: this.now(), version: (previous?.version ?? 0) + 1 };
          this.entries.set(campaignId, e);
          const early = this.early.get(campaignId) ?? [];
          this.early.delete(campaignId);
          for (const change of early) this.apply(e, change);
          return e;
        })
        .finally(() => this.loading.delete(campaignId));
      this.loading.set(campaignId, p);
    }
    return p;
  }

  /** Items added or updated on this node. */
  add(items: T[]): void {
    const byCampaign = new Map<string, T[]>();
    for (const a of items) byCampaign.set(a.campaign_id, [...(byCampaign.get(a.campaign_id) ?? []), a]);
    for (const [id, list] of byCampaign) this.change(id, { add: list });
  }

  /** Items removed on this node. */
  remove(campaignId: string, ids: string[]): void {
    this.change(campaignId, { remove: ids });
  }

  version(campaignId: string): number {
    return this.entries.get(campaignId)?.version ?? 0;
  }

  private change(campaignId: string, change: Early<T>): void {
    if (this.loading.has(campaignId)) this.early.set(campaignId, [...(this.early.get(campaignId) ?? []), change]);
    const e = this.entries.get(campaignId);
    if (e) this.apply(e, change);
  }

  private apply(e: Entry<T>, change: Early<T>): void {
    const byId = new Map(e.items.map((a) => [a.id, a]));
    if ('add' in change) for (const a of change.add) byId.set(a.id, a);
    else for (const id of change.remove) byId.delete(id);
    e.items = [...byId.values()].sort(newestFirst).slice(0, this.deps.keep);
    e.version++;
  }
}
