// What ingest remembers between events: recent event ids, clicks, orders and deal revenue, rebuilt at start-up.
import type { StoredEvent } from '@pulseroom/schema';
import type { ClickFact, OrderRow } from './queries.js';

/** An ingest row: a stored event plus the postback sub ids (column `sub`, migration 011). */
export type IngestRow = StoredEvent & { sub?: string[] };

export const UNIQUE_CLICK_WINDOW_MS = 30 * 60_000;

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/**
 * Event ids seen per source, oldest first (Map keeps insertion order), forgotten after the window or
 * past the size limit.
 *
 * Why this check AND ClickHouse's insert deduplication token (queries.ts insertEventBatch), not one:
 * - The token only recognises the *same block* inserted again: a spool segment re-sent after a lost
 *   answer or a crash between insert and delete. It knows nothing about event ids, so an event that a
 *   client re-sends in a *new* request (timeout + retry, webhook redelivery, a replayed CSV) lands in a
 *   different segment with a different token and would be stored twice. That is this check's job.
 * - This check cannot cover the re-sent segment: those events were accepted once, correctly, and must
 *   be inserted; only the store can tell whether the first insert took effect. That is the token's job.
 * It survives restarts: rebuilt from the spool (replay) and from ClickHouse (ingest_event_ids) at start.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  has(sourceId: string, eventId: string): boolean {
    return this.seen.has(pairKey(sourceId, eventId));
  }

  add(sourceId: string, eventId: string, at: number): void {
    const k = pairKey(sourceId, eventId);
    if (this.seen.has(k)) return;
    this.seen.set(k, at);
    if (this.seen.size > this.maxIds) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  delete(sourceId: string, eventId: string): void {
    this.seen.delete(pairKey(sourceId, eventId));
  }

  prune(now: number): void {
    const cutoff = now - this.windowMs;
    for (const [k, at] of this.seen) {
      if (at >= cutoff) break; // insertion order ≈ time order: stop at the first recent one
      this.seen.delete(k);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}

/** An order as conversions and refunds need it: the original conversion and what was refunded before this process. */
export type OrderFact = Pick<
  OrderRow,
  'partner_id' | 'status' | 'ts' | 'amount_minor' | 'currency' | 'orig_amount_minor' | 'orig_currency' | 'commission_minor' | 'attributed' | 'converted'
> & {
  /** Refunded (campaign currency, positive) and commission reversed, stored before this process started. */
  baseRefundedMinor: number;
  baseReversedMinor: number;
};

export interface StateOptions {
  dedupeWindowMs: number;
  dedupeMaxIds: number;
  maxClicks?: number;
  maxOrders?: number;
  /** When this process started, and the spool batches it replayed: rows it counts from memory, not from ClickHouse. */
  startedAt: number;
  replayedBatches: ReadonlySet<string>;
}

export class IngestState {
  readonly recent: RecentIds;
  readonly clicks = new Map<string, ClickFact>();
  private readonly lastClick = new Map<string, number>();
  private latestClickTs = 0;
  readonly orders = new Map<string, OrderFact>();
  /** Refunds this process produced or replayed, per order. */
  private readonly refundsMem = new Map<string, { amount: number; commission: number }>();
  /** Net approved revenue per (campaign, partner): stored before start (null until loaded) + produced since. */
  private readonly ledgerBase = new Map<string, number>();
  private readonly ledgerMem = new Map<string, number>();
  private readonly maxClicks: number;
  private readonly maxOrders: number;

  constructor(readonly opts: StateOptions) {
    this.recent = new RecentIds(opts.dedupeWindowMs, opts.dedupeMaxIds);
    this.maxClicks = opts.maxClicks ?? 1_000_000;
    this.maxOrders = opts.maxOrders ?? 1_000_000;
  }

  /** Records an enriched (or replayed) row in every index. */
  apply(row: IngestRow): void {
    this.recent.add(row.source_id, row.event_id, row.received_at);
    if (row.type === 'click') {
      if (row.click_id && !this.clicks.has(row.click_id)) this.rememberClick({ click_id: row.click_id, campaign_id: row.campaign_id, partner_id: row.partner_id, link_code: row.link_code, ts: row.ts, bot: row.bot });
      if (!row.bot && row.visitor_hash) {
        const k = pairKey(row.visitor_hash, row.link_code);
        this.lastClick.set(k, Math.max(this.lastClick.get(k) ?? 0, row.ts));
        this.latestClickTs = Math.max(this.latestClickTs, row.ts);
      }
    } else if (row.type === 'conversion') {
      const k = pairKey(row.campaign_id, row.order_id);
      if (!this.orders.has(k)) this.rememberOrder(k, orderFromRow(row));
    } else if (row.type === 'refund') {
      const k = pairKey(row.campaign_id, row.order_id);
      const r = this.refundsMem.get(k) ?? { amount: 0, commission: 0 };
      r.amount += -row.amount_minor;
      r.commission += -row.commission_minor;
      this.refundsMem.set(k, r);
    }
    if ((row.type === 'conversion' || row.type === 'refund') && row.status === 'approved' && row.converted && row.attributed) {
      const k = pairKey(row.campaign_id, row.partner_id);
      this.ledgerMem.set(k, (this.ledgerMem.get(k) ?? 0) + row.amount_minor);
    }
  }

  /** Undoes `apply` for rows that did not reach the spool (so a retry is not taken for a duplicate). */
  forget(row: IngestRow): void {
    this.recent.delete(row.source_id, row.event_id);
    if (row.type === 'conversion') this.orders.delete(pairKey(row.campaign_id, row.order_id));
    if (row.type === 'refund') {
      const r = this.refundsMem.get(pairKey(row.campaign_id, row.order_id));
      if (r) {
        r.amount -= -row.amount_minor;
        r.commission -= -row.commission_minor;
      }
    }
    if ((row.type === 'conversion' || row.type === 'refund') && row.status === 'approved' && row.converted && row.attributed) {
      const k = pairKey(row.campaign_id, row.partner_id);
      this.ledgerMem.set(k, (this.ledgerMem.get(k) ?? 0) - row.amount_minor);
    }
  }

  rememberClick(c: ClickFact): void {
    this.clicks.set(c.click_id, c);
    if (this.clicks.size > this.maxClicks) {
      const oldest = this.clicks.keys().next().value;
      if (oldest !== undefined) this.clicks.delete(oldest);
    }
  }

  /** IAB rule: unique when this visitor made no click on this link within 30 minutes (event time) before or around it. */
  isUniqueClick(visitorHash: string, linkCode: string, ts: number): boolean {
    const last = this.lastClick.get(pairKey(visitorHash, linkCode));
    return last === undefined || Math.abs(ts - last) >= UNIQUE_CLICK_WINDOW_MS;
  }

  seedLastClick(visitorHash: string, linkCode: string, ts: number): void {
    const k = pairKey(visitorHash, linkCode);
    this.lastClick.set(k, Math.max(this.lastClick.get(k) ?? 0, ts));
    this.latestClickTs = Math.max(this.latestClickTs, ts);
  }

  order(campaignId: string, orderId: string): OrderFact | undefined {
    return this.orders.get(pairKey(campaignId, orderId));
  }

  /** Loads an order stored before this process (from its ClickHouse rows), unless memory already has it. */
  seedOrder(rows: OrderRow[]): void {
    const conv = rows.find((r) => r.type === 'conversion');
    if (!conv) return;
    const k = pairKey(conv.campaign_id, conv.order_id);
    if (this.orders.has(k)) return;
    const fact = orderFromRow(conv);
    for (const r of rows) {
      if (r.type !== 'refund' || !this.isBeforeProcess(r.batch_id, r.received_at)) continue;
      fact.baseRefundedMinor += -r.amount_minor;
      fact.baseReversedMinor += -r.commission_minor;
    }
    this.rememberOrder(k, fact);
  }

  /** The oldest orders are forgotten past the limit; a later refund or repeat loads them again from ClickHouse. */
  private rememberOrder(k: string, fact: OrderFact): void {
    this.orders.set(k, fact);
    if (this.orders.size > this.maxOrders) {
      const oldest = this.orders.keys().next().value;
      if (oldest !== undefined) this.orders.delete(oldest);
    }
  }

  /** Refunded so far (campaign currency) and commission reversed so far, for an order. */
  refunded(campaignId: string, orderId: string): { amount: number; commission: number } {
    const o = this.orders.get(pairKey(campaignId, orderId));
    const m = this.refundsMem.get(pairKey(campaignId, orderId)) ?? { amount: 0, commission: 0 };
    return { amount: (o?.baseRefundedMinor ?? 0) + m.amount, commission: (o?.baseReversedMinor ?? 0) + m.commission };
  }

  /** Rows in ClickHouse that this process did not produce or replay (so are not in memory). */
  isBeforeProcess(batchId: string, receivedAt: number): boolean {
    return receivedAt < this.opts.startedAt && !this.opts.replayedBatches.has(batchId);
  }

  hasLedgerBase(campaignId: string, partnerId: string): boolean {
    return this.ledgerBase.has(pairKey(campaignId, partnerId));
  }

  setLedgerBase(campaignId: string, partnerId: string, revenueMinor: number): void {
    this.ledgerBase.set(pairKey(campaignId, partnerId), revenueMinor);
  }

  /** The deal's net approved revenue so far (the base of commission tiers). */
  dealRevenue(campaignId: string, partnerId: string): number {
    const k = pairKey(campaignId, partnerId);
    return (this.ledgerBase.get(k) ?? 0) + (this.ledgerMem.get(k) ?? 0);
  }

  /** Forgets what no longer matters: ids past the window, visitors idle for 30 minutes. */
  prune(now: number): void {
    this.recent.prune(now);
    const cutoff = this.latestClickTs - UNIQUE_CLICK_WINDOW_MS;
    for (const [k, ts] of this.lastClick) if (ts < cutoff) this.lastClick.delete(k);
  }

  sizes(): Record<string, number> {
    return { event_ids: this.recent.size, clicks: this.clicks.size, visitors: this.lastClick.size, orders: this.orders.size };
  }
}

function orderFromRow(r: Pick<OrderFact, Exclude<keyof OrderFact, 'baseRefundedMinor' | 'baseReversedMinor'>>): OrderFact {
  return {
    partner_id: r.partner_id,
    status: r.status,
    ts: r.ts,
    amount_minor: r.amount_minor,
    currency: r.currency,
    orig_amount_minor: r.orig_amount_minor,
    orig_currency: r.orig_currency,
    commission_minor: r.commission_minor,
    attributed: r.attributed,
    converted: r.converted,
    baseRefundedMinor: 0,
    baseReversedMinor: 0,
  };
}
