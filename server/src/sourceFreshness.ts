// Per-source freshness: each source that may send for a campaign, when it last did, and whether it is late for its
// expected cadence — so the war room says which source is quiet, not only that the figures are.
import type { ClickHouseClient } from '@clickhouse/client';
import type { SourceFreshness } from '@pulseroom/schema';
import { activeSources, sourcesLastSeen, type CampaignSourceRow } from './queries/sources.js';

/** How long one read of every source's last event serves by default: the store answers once for every campaign. */
const LAST_SEEN_TTL_MS = 10_000;

/** A source is late when nothing came for longer than its cadence; one that never sent counts from its creation. */
export function freshnessOf(
  sources: CampaignSourceRow[],
  lastSeen: Map<string, number>,
  nowMs: number,
  defaultEveryS: number,
): SourceFreshness[] {
  return sources.map((s) => {
    const every = (s.expected_every_s || defaultEveryS) * 1000;
    const last = lastSeen.get(s.id) ?? null;
    const late = nowMs - (last ?? s.created_ms) > every;
    return { source_id: s.id, name: s.name, last_event_at: last, expected_every_ms: every, late };
  });
}

export class SourceFreshnessReader {
  private cached: { at: number; seen: Promise<Map<string, number>> } | null = null;

  constructor(
    private readonly deps: { client: ClickHouseClient; defaultEveryS: number; ttlMs?: number; now?: () => number },
  ) {}

  /** Wall clock: events' received_at is wall time, whatever the app's event-time clock says. */
  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async forCampaign(campaignId: string): Promise<SourceFreshness[]> {
    return (await this.forCampaigns([campaignId])).get(campaignId) ?? [];
  }

  /** Several campaigns from one read of the sources and one of their last events. */
  async forCampaigns(campaignIds: readonly string[]): Promise<Map<string, SourceFreshness[]>> {
    const now = this.now;
    if (!this.cached || now - this.cached.at >= (this.deps.ttlMs ?? LAST_SEEN_TTL_MS)) {
      const seen = sourcesLastSeen(this.deps.client, now);
      this.cached = { at: now, seen };
      seen.catch(() => (this.cached = null));
    }
    const [sources, seen] = await Promise.all([activeSources(this.deps.client), this.cached.seen]);
    const out = new Map<string, SourceFreshness[]>();
    for (const id of campaignIds) {
      const mine = sources.filter((s) => s.campaign_ids.length === 0 || s.campaign_ids.includes(id));
      out.set(id, freshnessOf(mine, seen, now, this.deps.defaultEveryS));
    }
    return out;
  }
}
