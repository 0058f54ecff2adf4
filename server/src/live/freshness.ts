// Source freshness on the live stream: each campaign's sources go out with its snapshots, and again to the campaign's
// rooms whenever one turns late or recovers (or the list of sources changes) — no dashboard polls for it.
import type { Logger } from 'pino';
import type { SourceFreshness } from '@pulseroom/schema';
import type { SourceFreshnessReader } from '../sourceFreshness.js';
import type { Rooms } from './rooms.js';
import type { LiveServer } from './types.js';

interface Held {
  sources: SourceFreshness[];
  /** What a push is about: which sources there are, their names and cadences, and which are late. */
  key: string;
  at: number;
  version: number;
}

export interface LiveFreshnessDeps {
  reader: SourceFreshnessReader;
  rooms: Rooms;
  logger: Logger;
  /** How often the campaigns with rooms are checked (the sources and their last events read once for all). */
  everyMs: number;
}

const keyOf = (sources: SourceFreshness[]) =>
  JSON.stringify(sources.map((s) => [s.source_id, s.name, s.expected_every_ms, s.late]));

export class LiveFreshness {
  io: LiveServer | null = null;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  /** Pushes sent (tests). */
  pushes = 0;

  constructor(private readonly deps: LiveFreshnessDeps) {}

  /** A campaign's sources if checked lately, else null (call `load`). */
  peek(campaignId: string): SourceFreshness[] | null {
    const h = this.held.get(campaignId);
    return h && Date.now() - h.at <= 2 * this.deps.everyMs ? h.sources : null;
  }

  version(campaignId: string): number {
    return this.held.get(campaignId)?.version ?? 0;
  }

  /** Reads a campaign's sources (a subscribe waits on it); a failed read leaves the snapshot without them. */
  async load(campaignId: string): Promise<void> {
    try {
      this.hold(campaignId, await this.deps.reader.forCampaign(campaignId));
    } catch (e) {
      this.deps.logger.warn({ err: e, campaignId }, 'reading the sources of a campaign failed');
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.deps.everyMs);
    this.timer.unref();
  }

  /** Checks every campaign with rooms; pushes the sources of those whose lateness changed. */
  check(): Promise<void> {
    this.checking ??= (async () => {
      const campaigns = new Set([...this.deps.rooms.values()].map((r) => r.req.campaign_id));
      for (const id of this.held.keys()) if (!campaigns.has(id)) this.held.delete(id);
      if (campaigns.size === 0) return;
      let read: Map<string, SourceFreshness[]>;
      try {
        read = await this.deps.reader.forCampaigns([...campaigns]);
      } catch (e) {
        this.deps.logger.warn({ err: e }, 'checking the sources of the campaigns on screen failed');
        return;
      }
      for (const [id, sources] of read) {
        if (!this.hold(id, sources) || !this.io) continue;
        const names = this.deps.rooms.ofCampaign(id).map(({ room }) => room.name);
        if (names.length === 0) continue;
        this.io.local.to(names).emit('sources', { campaign_id: id, sources });
        this.pushes++;
      }
    })().finally(() => (this.checking = null));
    return this.checking;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }

  /** Keeps the newest read; true when what a push is about changed. */
  private hold(campaignId: string, sources: SourceFreshness[]): boolean {
    const key = keyOf(sources);
    const h = this.held.get(campaignId);
    const changed = !h || h.key !== key;
    this.held.set(campaignId, {
      sources,
      key,
      at: Date.now(),
      version: changed ? (h?.version ?? 0) + 1 : h.version,
    });
    return changed;
  }
}
