// Commissions by status pushed live (`commissions`): recomputed from the store once a batch that moved money is
// confirmed there, when payouts are marked paid, and every minute (lock dates pass with time); each room gets the
// figures of the partners it may see — the same function REST answers with, so the two agree.
import type { Logger } from 'pino';
import { FIELD_INDEX, type CommissionsSummary, type LiveBatch } from '@pulseroom/schema';
import { partnerVisible, type ViewSpec } from '../engine/breakdowns.js';
import type { DimensionCacheLike } from '../engine/types.js';
import { totalOf } from '../money/ledger.js';
import type { MoneyBook } from '../money/moneyBook.js';
import type { Rooms } from './rooms.js';
import type { LiveServer, LiveSocket } from './types.js';

const MONEY_FIELDS = [
  FIELD_INDEX.revenue_minor,
  FIELD_INDEX.commission_minor,
  FIELD_INDEX.pending_n,
  FIELD_INDEX.pending_minor,
  FIELD_INDEX.rejected_n,
  FIELD_INDEX.conversions,
];

export interface LiveCommissionsDeps {
  money: MoneyBook;
  rooms: Rooms;
  dims: DimensionCacheLike;
  clock: () => number;
  logger: Logger;
  /** How soon a confirmed money batch reaches the screens. */
  flushMs: number;
  /** Every campaign watched is recomputed this often (locks expire; other writers and nodes). */
  refreshMs: number;
}

export class LiveCommissions {
  io: LiveServer | null = null;
  private readonly moneyBatches = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private everything = false;
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** What each room was last sent (JSON): nothing goes out when nothing changed. */
  private readonly sent = new Map<string, string>();
  /**
   * When a campaign may be read again: ten times its last read's cost after it (at least flushMs), so a big ledger read
   * on the live node's thread takes at most a tenth of it however fast orders come.
   */
  private readonly notBefore = new Map<string, number>();
  /** The last figures read per campaign: a socket joining gets them unless they are known to be out of date. */
  private readonly latest = new Map<string, CommissionsSummary>();

  constructor(private readonly deps: LiveCommissionsDeps) {}

  start(): void {
    this.lastRefresh = Date.now();
    this.timer = setInterval(() => void this.flush(), this.deps.flushMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A streamed batch: remembers the campaigns whose money it moved (maybe none), until the store confirms it. */
  noteBatch(batch: LiveBatch): void {
    const campaigns = this.moneyBatches.get(batch.batch_id) ?? new Set<string>();
    for (const r of batch.rows) if (MONEY_FIELDS.some((i) => r.values[i] !== 0)) campaigns.add(r.campaign_id);
    this.moneyBatches.set(batch.batch_id, campaigns);
    if (this.moneyBatches.size > 100_000) {
      // confirmations stopped coming (the store is away): recompute everything once they resume
      this.moneyBatches.clear();
      this.everything = true;
    }
  }

  /** Batches now in the store: the campaigns whose money they moved are recomputed at the next flush. */
  confirmed(batchIds: readonly string[]): void {
    for (const id of batchIds) {
      const campaigns = this.moneyBatches.get(id);
      if (campaigns) {
        for (const c of campaigns) this.dirty.add(c);
        this.moneyBatches.delete(id);
      } else this.everything = true; // another writer's batch (load CLI, a server without the stream): not known
    }
  }

  markDirty(campaignId: string): void {
    this.dirty.add(campaignId);
  }

  /** The figures for a room's view, from a campaign summary of all partners. */
  static scoped(all: CommissionsSummary, visible: (partnerId: string) => boolean): CommissionsSummary {
    const partners = all.partners.filter((p) => visible(p.partner_id));
    if (partners.length === all.partners.length) return all;
    return { ...all, total: totalOf(partners), partners };
  }

  private visible(spec: ViewSpec) {
    return (p: string) => partnerVisible(spec, this.deps.dims, p);
  }

  /** Sends joining sockets their room's figures (after their snapshot). */
  async sendTo(sockets: readonly LiveSocket[], campaignId: string, spec: ViewSpec): Promise<void> {
    try {
      let all = this.dirty.has(campaignId) ? undefined : this.latest.get(campaignId);
      if (!all) {
        all = await this.deps.money.commissions(campaignId, null, this.deps.clock());
        this.latest.set(campaignId, all);
      }
      const scoped = LiveCommissions.scoped(all, this.visible(spec));
      for (const s of sockets) if (s.connected) s.emit('commissions', scoped);
    } catch (e) {
      this.deps.logger.warn({ err: e, campaignId }, 'commissions for a new subscriber failed');
    }
  }

  flush(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.flushOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async flushOnce(): Promise<void> {
    const io = this.io;
    if (!io) return;
    const watched = new Set<string>();
    for (const room of this.deps.rooms.values()) watched.add(room.req.campaign_id);
    const now = Date.now();
    // another writer's batches: every watched campaign, at most every 10 s (a big ledger is a few hundred ms to read)
    const refresh =
      now - this.lastRefresh >= (this.everything ? Math.min(10_000, this.deps.refreshMs) : this.deps.refreshMs);
    if (refresh) {
      this.lastRefresh = now;
      this.everything = false;
    }
    const todo = [...watched].filter((c) => refresh || this.dirty.has(c));
    for (const campaignId of todo) {
      if ((this.notBefore.get(campaignId) ?? 0) > now) continue; // stays dirty: read once its pause is over
      this.dirty.delete(campaignId);
      let all: CommissionsSummary;
      const t0 = performance.now();
      try {
        all = await this.deps.money.commissions(campaignId, null, this.deps.clock());
        this.latest.set(campaignId, all);
        const cost = performance.now() - t0;
        this.notBefore.set(campaignId, Date.now() + Math.max(0, 10 * cost - this.deps.flushMs));
      } catch (e) {
        this.deps.logger.warn({ err: e, campaignId }, 'commissions recompute failed; retrying');
        this.dirty.add(campaignId);
        continue;
      }
      for (const { room, spec } of this.deps.rooms.ofCampaign(campaignId)) {
        const scoped = LiveCommissions.scoped(all, this.visible(spec));
        const { at: _at, ...figures } = scoped;
        const key = JSON.stringify(figures);
        if (this.sent.get(room.name) === key) continue;
        this.sent.set(room.name, key);
        io.local.to(room.name).emit('commissions', scoped);
      }
    }
    for (const name of this.sent.keys()) if (!this.deps.rooms.map.has(name)) this.sent.delete(name);
    for (const c of this.notBefore.keys()) if (!watched.has(c)) this.notBefore.delete(c);
    for (const c of this.latest.keys()) if (!watched.has(c)) this.latest.delete(c);
    for (const c of this.dirty) if (!watched.has(c)) this.dirty.delete(c);
  }
}
