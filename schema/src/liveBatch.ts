// What ingest streams to the live server once a group of events is fsync'd in its spool: their 10 s aggregates (the
// same rows the agg_delta view derives from them in ClickHouse) and their comments and posts for the live feed.
import type { Disclosure, SentimentLabel, StoredEvent } from './events.js';
import type { CommentItem, PostItem } from './live.js';
import { TOTAL_FIELDS, type TotalField } from './metrics.js';

export const BUCKET_MS = 10_000;
export const bucketOf = (ms: number) => Math.floor(ms / BUCKET_MS) * BUCKET_MS;

/**
 * One aggregate row: a (campaign, partner, platform, 10 s bucket) key and its additive totals in TOTAL_FIELDS order.
 */
export interface AggRow {
  campaign_id: string;
  partner_id: string;
  platform: string;
  bucket_ms: number;
  values: number[];
}

export type FeedItem =
  | { kind: 'comment'; campaign_id: string; batch_id: string; item: CommentItem }
  | { kind: 'post'; campaign_id: string; batch_id: string; item: PostItem };

/**
 * Accepted events of one spool segment (`batch_id` is the segment's token, the batch id ClickHouse stores them
 * under). A segment's events may come in several batches; together they add up to the segment's agg_delta rows.
 */
export interface LiveBatch {
  batch_id: string;
  /** Ingest's clock when the events were fsync'd (epoch ms): where the live latency is measured from. */
  accepted_at: number;
  rows: AggRow[];
  /** Oldest first; at most FEED_KEEP comments and FEED_KEEP posts per campaign (the newest). */
  feed: FeedItem[];
}

/** The Redis Stream ingest appends live batches to (one JSON field `b` an entry) and server nodes read. */
export const LIVE_STREAM_KEY = 'pulseroom:live';

/** Comments and posts the engine keeps per campaign (the snapshot's feed), and so the most one batch carries. */
export const FEED_KEEP = 50;

/** Each total's position in an AggRow's values. */
export const FIELD_INDEX = Object.fromEntries(TOTAL_FIELDS.map((f, i) => [f, i])) as Record<TotalField, number>;
const F = FIELD_INDEX;
const SCORED = new Set<string>(['pos', 'neu', 'neg']);

/**
 * Adds one event's contribution to a row's values. This is agg_delta_mv (schema/migrations/002_aggregates.sql) written
 * in TypeScript; `liveBatch.test.ts` holds the two to the same rows for random events.
 */
function addEvent(v: number[], e: StoredEvent): void {
  v[F.views] += e.views;
  v[F.likes] += e.likes;
  v[F.comments] += e.comments;
  v[F.shares] += e.shares;
  v[F.saves] += e.saves;
  v[F.follows] += e.follows;
  if (e.has_reach) {
    v[F.reach] += e.reach;
    v[F.reach_interactions] += e.likes + e.comments + e.shares + e.saves;
  }
  switch (e.type) {
    case 'comment':
      v[F.comments_n]++;
      if (SCORED.has(e.label)) {
        v[F.scored_n]++;
        v[F.sentiment_sum] += Math.fround(e.sentiment); // stored as Float32
        v[e.label === 'pos' ? F.pos_n : e.label === 'neu' ? F.neu_n : F.neg_n]++;
      } else if (e.label === 'unscored') v[F.unscored_n]++;
      break;
    case 'click':
      if (e.bot) v[F.bot_clicks]++;
      else {
        v[F.clicks]++;
        if (e.is_unique === 1) v[F.unique_clicks]++;
      }
      break;
    case 'conversion':
    case 'refund': {
      const approved = e.status === 'approved' && e.converted === 1;
      if (approved) {
        v[F.revenue_minor] += e.amount_minor;
        v[F.commission_minor] += e.commission_minor;
      }
      if (e.type === 'refund') {
        if (approved) {
          v[F.refunds_n]++;
          v[F.refund_minor] -= e.amount_minor;
        } else if (e.status === 'pending') v[F.pending_minor] += e.amount_minor; // refunded before approval
        break;
      }
      if (approved) v[F.conversions]++;
      if (e.status === 'pending') {
        v[F.pending_n]++;
        v[F.pending_minor] += e.amount_minor;
      } else if (e.status === 'rejected') v[F.rejected_n]++;
      if (e.attributed === 0) {
        v[F.unattributed_n]++;
        if (e.status === 'approved') v[F.unattributed_minor] += e.amount_minor;
      }
      if (e.converted === 0) v[F.unconverted_n]++;
      if (e.suspicious === 1) v[F.suspicious_n]++;
      break;
    }
    case 'status':
      // A change moves the order's net amount (what is left after refunds) out of its old status and into the new one;
      // a change not applied yet (order unknown: from '') moves nothing, one older than the current status nets to 0.
      if (e.from_status === '') break;
      moveStatus(v, e, e.from_status, -1);
      moveStatus(v, e, e.status, 1);
      break;
    case 'post':
      v[F.posts]++;
      if (e.disclosure === 'weak') v[F.disclosure_weak]++;
      else if (e.disclosure === 'missing') v[F.disclosure_missing]++;
      break;
    default:
      break;
  }
}

/** What an order in `status` counts, added (sign 1) or taken away (-1): agg_delta_mv's `status` terms. */
function moveStatus(v: number[], e: StoredEvent, status: string, sign: 1 | -1): void {
  if (status === 'approved') {
    if (e.converted === 1) {
      v[F.conversions] += sign;
      v[F.revenue_minor] += sign * e.amount_minor;
      v[F.commission_minor] += sign * e.commission_minor;
    }
    if (e.attributed === 0) v[F.unattributed_minor] += sign * e.amount_minor;
  } else if (status === 'pending') {
    v[F.pending_n] += sign;
    v[F.pending_minor] += sign * e.amount_minor;
  } else if (status === 'rejected') v[F.rejected_n] += sign;
}

export const aggKey = (r: Pick<AggRow, 'campaign_id' | 'partner_id' | 'platform' | 'bucket_ms'>) =>
  `${r.campaign_id}\u0000${r.partner_id}\u0000${r.platform}\u0000${r.bucket_ms}`;

/** The events' 10 s aggregates, one row per (campaign, partner, platform, bucket): what agg_delta_mv makes of them. */
export function aggregateEvents(events: readonly StoredEvent[]): AggRow[] {
  const rows = new Map<string, AggRow>();
  for (const e of events) {
    const bucket_ms = bucketOf(e.ts);
    const k = aggKey({ campaign_id: e.campaign_id, partner_id: e.partner_id, platform: e.platform, bucket_ms });
    let r = rows.get(k);
    if (!r) {
      r = {
        campaign_id: e.campaign_id,
        partner_id: e.partner_id,
        platform: e.platform,
        bucket_ms,
        values: new Array<number>(TOTAL_FIELDS.length).fill(0),
      };
      rows.set(k, r);
    }
    addEvent(r.values, e);
  }
  return [...rows.values()];
}

/** A stored comment or post as the live feed shows it (the same item the feed's SQL read makes of the stored row). */
export function feedItemOf(e: StoredEvent, batchId: string): FeedItem | null {
  const base = {
    event_id: e.event_id,
    ts: e.ts,
    partner_id: e.partner_id,
    platform: e.platform,
    content_id: e.content_id,
  };
  if (e.type === 'post') {
    const disclosure = (e.disclosure || 'clear') as Disclosure;
    return {
      kind: 'post',
      campaign_id: e.campaign_id,
      batch_id: batchId,
      item: { ...base, url: e.url, caption: e.caption, disclosure },
    };
  }
  if (e.type !== 'comment') return null;
  const label = (e.label || 'unscored') as SentimentLabel;
  const item = {
    ...base,
    text: e.text,
    sentiment: Math.fround(e.sentiment),
    label,
    lang: e.lang,
    terms: e.sentiment_terms,
  };
  return { kind: 'comment', campaign_id: e.campaign_id, batch_id: batchId, item };
}

/** The live batch of events fsync'd together into segment `batchId`. */
export function liveBatchOf(batchId: string, events: readonly StoredEvent[], acceptedAt: number): LiveBatch {
  // The newest FEED_KEEP comments and posts of each campaign: older ones would drop out of what the engine keeps.
  const items = events.map((e) => feedItemOf(e, batchId)).filter((f) => f !== null);
  items.sort((a, b) => b.item.ts - a.item.ts);
  const feed: FeedItem[] = [];
  const taken = new Map<string, number>();
  for (const f of items) {
    const k = `${f.campaign_id}\u0000${f.kind}`;
    const n = taken.get(k) ?? 0;
    if (n >= FEED_KEEP) continue;
    taken.set(k, n + 1);
    feed.push(f);
  }
  feed.reverse();
  return { batch_id: batchId, accepted_at: acceptedAt, rows: aggregateEvents(events), feed };
}
