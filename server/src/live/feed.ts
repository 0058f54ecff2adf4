// The live feed: the latest comments and posts of each campaign, as snapshots carry them and deltas push them. Items
// come with the stream's batches; batches applied from the store (no stream brought them) are read from `events`.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { FEED_KEEP, WINDOW_MS, type CommentItem, type FeedItem, type PostItem } from '@pulseroom/schema';
import { keyVisible } from '../engine/breakdowns.js';
import type { StoreBatch } from '../engine/reconcile.js';
import type { DimensionCacheLike } from '../engine/types.js';
import { feedOfBatches, latestFeed } from '../queries/feed.js';
import type { Rooms } from './rooms.js';
import type { LiveServer } from './types.js';

interface CampaignFeed {
  /** Newest first. */
  comments: CommentItem[];
  posts: PostItem[];
}

interface Pending extends StoreBatch {
  seen: Set<string>;
  tries: number;
}

const EMPTY: CampaignFeed = { comments: [], posts: [] };

export class LiveFeed {
  private readonly campaigns = new Map<string, CampaignFeed>();
  /** Items not pushed yet, oldest first. */
  private fresh: FeedItem[] = [];
  private pending: Pending[] = [];

  constructor(private readonly deps: { client: ClickHouseClient; logger: Logger; keep?: number }) {}

  private get keep(): number {
    return this.deps.keep ?? FEED_KEEP;
  }

  /** The latest items of the last 24 h (event time before `nowMs`). */
  async init(nowMs: number): Promise<void> {
    const items = await latestFeed(this.deps.client, nowMs - WINDOW_MS['24h'], this.keep);
    for (const f of items.reverse()) this.remember(f);
  }

  of(campaignId: string): CampaignFeed {
    return this.campaigns.get(campaignId) ?? EMPTY;
  }

  /** Items of a streamed batch (oldest first). */
  add(items: readonly FeedItem[]): void {
    for (const f of items) {
      this.remember(f);
      this.fresh.push(f);
    }
  }

  /**
   * Items of batches applied from the store. A batch's events may become visible a moment after its change-log rows:
   * it is read again on the next few calls. Not when the read came back full for its campaign: the items it did not
   * return are older than the ones kept, so never shown.
   */
  async fromStore(batches: readonly StoreBatch[]): Promise<void> {
    const pending = [...this.pending, ...batches.map((b) => ({ ...b, seen: new Set<string>(), tries: 0 }))];
    this.pending = [];
    if (pending.length === 0) return;
    let read: FeedItem[] = [];
    try {
      read = await feedOfBatches(this.deps.client, {
        campaigns: [...new Set(pending.map((p) => p.campaign_id))],
        batches: [...new Set(pending.map((p) => p.batch_id))],
        fromMs: Math.min(...pending.map((p) => p.fromMs)),
        toMs: Math.max(...pending.map((p) => p.toMs)),
        perCampaign: this.keep,
      });
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'feed read failed; retrying');
    }
    read.reverse(); // oldest first, as they are pushed
    const byBatch = new Map(pending.map((p) => [`${p.campaign_id}\u0000${p.batch_id}`, p]));
    const full = new Set<string>();
    const perKind = new Map<string, number>();
    for (const f of read) {
      const k = `${f.campaign_id}\u0000${f.kind}`;
      perKind.set(k, (perKind.get(k) ?? 0) + 1);
      if (perKind.get(k)! >= this.keep) full.add(f.campaign_id);
      const p = byBatch.get(`${f.campaign_id}\u0000${f.batch_id}`);
      if (!p || p.seen.has(f.item.event_id)) continue;
      p.seen.add(f.item.event_id);
      this.add([f]);
    }
    this.pending = pending.filter((p) => p.seen.size < p.items && !full.has(p.campaign_id) && ++p.tries < 5);
  }

  /** Items added since the last call, oldest first. */
  take(): FeedItem[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  private remember(f: FeedItem): void {
    let c = this.campaigns.get(f.campaign_id);
    if (!c) this.campaigns.set(f.campaign_id, (c = { comments: [], posts: [] }));
    const list: { ts: number }[] = f.kind === 'comment' ? c.comments : c.posts;
    // Newest first; late items go where their time puts them.
    let i = 0;
    while (i < list.length && list[i].ts > f.item.ts) i++;
    list.splice(i, 0, f.item);
    if (list.length > this.keep) list.length = this.keep;
  }
}

/** Feed items pushed per campaign and frame (the snapshot carries the latest FEED_KEEP). */
const FEED_PER_FRAME = 20;

/** Pushes a frame's comments and posts to the rooms of their campaign whose view shows their partner and platform. */
export function pushFeed(io: LiveServer, rooms: Rooms, dims: DimensionCacheLike, items: readonly FeedItem[]): void {
  const byCampaign = new Map<string, FeedItem[]>();
  for (const f of items) {
    const list = byCampaign.get(f.campaign_id);
    if (list) list.push(f);
    else byCampaign.set(f.campaign_id, [f]);
  }
  for (const [campaignId, list] of byCampaign) {
    const views = rooms.ofCampaign(campaignId);
    if (views.length === 0) continue;
    const comments = list.filter((f) => f.kind === 'comment').slice(-FEED_PER_FRAME);
    const posts = list.filter((f) => f.kind === 'post').slice(-FEED_PER_FRAME);
    for (const f of [...comments, ...posts]) {
      const names = views
        .filter(({ spec }) => keyVisible(spec, dims, f.item.partner_id, f.item.platform))
        .map(({ room }) => room.name);
      if (names.length === 0) continue;
      if (f.kind === 'comment') io.local.to(names).emit('comment', { ...f.item, campaign_id: campaignId });
      else io.local.to(names).emit('post', { ...f.item, campaign_id: campaignId });
    }
  }
}
