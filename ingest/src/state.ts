// What ingest remembers between events: recent event ids, clicks, orders and deal revenue, rebuilt at start-up.
import { isAppliedChange, isWaitingForOrder, type StoredEvent } from '@pulseroom/schema';
import { FingerprintSet, HashRing, Interner } from './compactMemory.js';
import { hash64, hash64Pair, type Hash64 } from './idHash.js';
import type { ClickFact, OrderRow } from './queries.js';

/** An ingest row: a stored event plus the postback sub ids (column `sub`, migration 011). */
export type IngestRow = StoredEvent & { sub?: string[] };

export const UNIQUE_CLICK_WINDOW_MS = 30 * 60_000;

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/**
 * Event ids seen per source, oldest first, forgotten after the window or past the size limit: a ring of
 * 64-bit hashes of `source_id \0 event_id` with the time each was received (seconds), ~20 bytes an id
 * instead of ~150 for a Map of strings. A hash collision would take a new event for a duplicate: with
 * 3 M ids held the chance is 1.6e-13 per event (see HashRing).
 *
 * Why this check AND ClickHouse's insert deduplication token (queries.ts insertEventBatch), not one:
 * - The token only recognises the *same block* inserted again: a spool segment re-sent after a lost
 *   answer or a crash between insert and delete. It knows nothing about event ids, so an event that a
 *   client re-sends in a *new* request (timeout + retry, webhook redelivery, a replayed CSV) lands in a
 *   different segment with a different token and would be stored twice. That is this check's job.
 * - This check cannot cover the re-sent segment: those events were accepted once, correctly, and must
 *   be inserted; only the store can tell whether the first insert took effect. That is the token's job.
 * It survives restarts: rebuilt from the spool (replay) and from ClickHouse (`events`) at start.
 */
export class RecentIds extends HashRing {
  private readonly h: Hash64 = { hi: 0, lo: 0 };
  constructor(
    private readonly windowMs: number,
    maxIds: number,
  ) {
    super(maxIds, [Uint32Array]);
  }

  has(sourceId: string, eventId: string): boolean {
    return this.findHash(hash64Pair(sourceId, eventId, this.h)) >= 0;
  }

  add(sourceId: string, eventId: string, at: number): void {
    this.addHash(hash64Pair(sourceId, eventId, this.h), at);
  }

  /** Adds an id by its hash (start-up loads hashes computed by ClickHouse). */
  addHash(h: Hash64, at: number): void {
    if (this.findHash(h) >= 0) return;
    const rec = this.insertHash(h);
    (this.cols[3] as Uint32Array)[rec] = Math.floor(at / 1000);
  }

  delete(sourceId: string, eventId: string): void {
    const rec = this.findHash(hash64Pair(sourceId, eventId, this.h));
    if (rec >= 0) this.deleteRecord(rec);
  }

  prune(now: number): void {
    const cutoff = Math.floor((now - this.windowMs) / 1000);
    const at = this.cols[3] as Uint32Array;
    // insertion order ≈ time order: stop at the first recent one
    for (let rec = this.oldest(); rec >= 0 && at[rec] < cutoff; rec = this.oldest()) this.dropOldest();
  }
}

/** Distinct link codes the click memory keeps; clicks on links past it are remembered without their link code. */
const MAX_LINK_CODES = 1_000_000;

/**
 * Clicks by click-id hash: campaign, partner and link interned, ~40 bytes a click. Evicted ones leave a fingerprint.
 */
class ClickStore extends HashRing {
  constructor(
    maxClicks: number,
    private readonly strings: Interner,
    readonly evicted: FingerprintSet,
    /**
     * Link codes of clicks are not checked against the dimensions (an unknown link is kept): their own, bounded set.
     */
    private readonly links = new Interner(MAX_LINK_CODES),
  ) {
    // campaign, partner, link, bot, ts
    super(maxClicks, [Uint32Array, Uint32Array, Uint32Array, Uint8Array, Float64Array], (rec) =>
      evicted.add((this.cols[0] as Uint32Array)[rec]),
    );
  }

  get(clickId: string, h: Hash64): ClickFact | undefined {
    const rec = this.findHash(hash64(clickId, h));
    if (rec < 0) return undefined;
    const c = this.cols;
    return {
      click_id: clickId,
      campaign_id: this.strings.value(c[3][rec]),
      partner_id: this.strings.value(c[4][rec]),
      link_code: this.links.value(c[5][rec]),
      bot: c[6][rec],
      ts: c[7][rec],
    };
  }

  /** Stores a click unless one with this hash is held. */
  put(h: Hash64, c: Omit<ClickFact, 'click_id'>): void {
    if (this.findHash(h) >= 0) return;
    const rec = this.insertHash(h);
    const cols = this.cols;
    cols[3][rec] = this.strings.id(c.campaign_id);
    cols[4][rec] = this.strings.id(c.partner_id);
    cols[5][rec] = this.links.id(c.link_code);
    cols[6][rec] = c.bot;
    cols[7][rec] = c.ts;
  }
}

/**
 * The latest non-bot click time per (visitor, link), for the IAB unique-click rule: a ring of pair hashes,
 * a record moved to the end when its time advances, so the head holds the stalest and pruning stops early.
 */
class LastClicks extends HashRing {
  private readonly h: Hash64 = { hi: 0, lo: 0 };
  constructor(maxPairs: number) {
    super(maxPairs, [Float64Array]);
  }

  get(visitorHash: string, linkCode: string): number | undefined {
    const rec = this.findHash(hash64Pair(visitorHash, linkCode, this.h));
    return rec < 0 ? undefined : this.cols[3][rec];
  }

  note(visitorHash: string, linkCode: string, ts: number): void {
    const h = hash64Pair(visitorHash, linkCode, this.h);
    const rec = this.findHash(h);
    if (rec >= 0) {
      if (this.cols[3][rec] >= ts) return;
      this.deleteRecord(rec);
    }
    this.cols[3][this.insertHash(h)] = ts;
  }

  /** Forgets pairs whose latest click is before `cutoff`, stalest first (a late click at the end waits its turn). */
  prune(cutoff: number): void {
    const ts = this.cols[3];
    for (let rec = this.oldest(); rec >= 0 && ts[rec] < cutoff; rec = this.oldest()) this.dropOldest();
  }
}

/** Visitor × link pairs held at most (~25 bytes each); past it the stalest are forgotten early. */
const MAX_VISITOR_LINKS = 4_000_000;

/** An order as conversions and refunds need it: the original conversion and what was refunded before this process. */
export type OrderFact = Pick<
  OrderRow,
  | 'partner_id'
  | 'status'
  | 'ts'
  | 'amount_minor'
  | 'currency'
  | 'orig_amount_minor'
  | 'orig_currency'
  | 'commission_minor'
  | 'attributed'
  | 'converted'
  | 'platform'
> & {
  /** When the order's current status began (the event time of its conversion or of the change applied last). */
  status_ts: number;
  /** Refunded (campaign currency, positive) and commission reversed, stored before this process started. */
  baseRefundedMinor: number;
  baseReversedMinor: number;
};

// Order columns after the key: strings interned, then numbers.
const O_PARTNER = 3,
  O_STATUS = 4,
  O_CURRENCY = 5,
  O_ORIG_CURRENCY = 6,
  O_FLAGS = 7,
  O_TS = 8,
  O_AMOUNT = 9,
  O_ORIG_AMOUNT = 10,
  O_COMMISSION = 11;
const O_BASE_REFUNDED = 12,
  O_BASE_REVERSED = 13,
  O_MEM_REFUNDED = 14,
  O_MEM_REVERSED = 15,
  O_PLATFORM = 16,
  O_STATUS_TS = 17;

/**
 * Orders by the hash of `campaign_id \0 order_id`, ~110 bytes an order. Also holds what this process refunded of
 * each, so an evicted order hands its refunds to `onEvict` (IngestState keeps them in a small map).
 */
class OrderStore extends HashRing {
  constructor(
    maxOrders: number,
    private readonly strings: Interner,
    onEvict: (rec: number) => void,
  ) {
    super(
      maxOrders,
      [
        Uint32Array,
        Uint32Array,
        Uint32Array,
        Uint32Array,
        Uint8Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Uint32Array,
        Float64Array,
      ],
      onEvict,
    );
  }

  col(c: number): Column {
    return this.cols[c];
  }

  fact(rec: number): OrderFact {
    const c = this.cols;
    const flags = c[O_FLAGS][rec];
    return {
      partner_id: this.strings.value(c[O_PARTNER][rec]),
      status: this.strings.value(c[O_STATUS][rec]),
      currency: this.strings.value(c[O_CURRENCY][rec]),
      orig_currency: this.strings.value(c[O_ORIG_CURRENCY][rec]),
      attributed: flags & 1,
      converted: (flags >> 1) & 1,
      ts: c[O_TS][rec],
      amount_minor: c[O_AMOUNT][rec],
      orig_amount_minor: c[O_ORIG_AMOUNT][rec],
      commission_minor: c[O_COMMISSION][rec],
      baseRefundedMinor: c[O_BASE_REFUNDED][rec],
      baseReversedMinor: c[O_BASE_REVERSED][rec],
      platform: this.strings.value(c[O_PLATFORM][rec]),
      status_ts: c[O_STATUS_TS][rec],
    };
  }

  put(h: Hash64, f: OrderFact): number {
    const rec = this.insertHash(h);
    const c = this.cols;
    c[O_PARTNER][rec] = this.strings.id(f.partner_id);
    c[O_STATUS][rec] = this.strings.id(f.status);
    c[O_CURRENCY][rec] = this.strings.id(f.currency);
    c[O_ORIG_CURRENCY][rec] = this.strings.id(f.orig_currency);
    c[O_FLAGS][rec] = (f.attributed ? 1 : 0) | (f.converted ? 2 : 0);
    c[O_TS][rec] = f.ts;
    c[O_AMOUNT][rec] = f.amount_minor;
    c[O_ORIG_AMOUNT][rec] = f.orig_amount_minor;
    c[O_COMMISSION][rec] = f.commission_minor;
    c[O_BASE_REFUNDED][rec] = f.baseRefundedMinor;
    c[O_BASE_REVERSED][rec] = f.baseReversedMinor;
    c[O_PLATFORM][rec] = this.strings.id(f.platform);
    c[O_STATUS_TS][rec] = f.status_ts;
    return rec;
  }

  /** A change of an order's status (in place: the record keeps its age in the ring). */
  setStatus(rec: number, status: string, ts: number): void {
    this.cols[O_STATUS][rec] = this.strings.id(status);
    this.cols[O_STATUS_TS][rec] = ts;
  }
}

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

export interface StateOptions {
  dedupeWindowMs: number;
  dedupeMaxIds: number;
  maxClicks?: number;
  maxOrders?: number;
  /** When this process started, and the spool batches it replayed: rows it counts from memory, not from ClickHouse. */
  startedAt: number;
  replayedBatches: ReadonlySet<string>;
}

/**
 * A status change or refund that came before its order: stored (from_status '' / status ''), counted nowhere, and
 * applied as its own row (`<event_id>~applied`) when the order's conversion arrives.
 */
export interface WaitingChange {
  campaign_id: string;
  order_id: string;
  source_id: string;
  event_id: string;
  ts: number;
  kind: 'status' | 'refund';
  status: string;
  reason: string;
  /** A refund's amount, in minor units of its currency */
  orig_amount_minor: number;
  orig_currency: string;
}

/** The suffix of the row that applies a waiting change once its order is known. */
export const APPLIED_SUFFIX = '~applied';

/** A stored order loaded at start-up, with what was refunded of it before this process. */
export type LoadedOrder = OrderFact & { campaign_id: string; order_id: string };

/**
 * What ingest remembers. Once `loadOrders`, `loadClicks` and `loadLedger` have run (start-up), memory is
 * authoritative: an order, click or deal it does not hold is new, and needs no look-up in ClickHouse —
 * except orders and clicks evicted past the size caps (their fingerprints are kept) and clicks older
 * than what was loaded.
 */
export class IngestState {
  readonly recent: RecentIds;
  private readonly strings = new Interner();
  private readonly h: Hash64 = { hi: 0, lo: 0 };
  private readonly clicks: ClickStore;
  private readonly evictedClicks = new FingerprintSet();
  /** Clicks with a time from here on are all in memory or in `evictedClicks`; null until loaded. */
  private clicksCompleteSince: number | null = null;
  private readonly lastClick = new LastClicks(MAX_VISITOR_LINKS);
  private latestClickTs = 0;
  private readonly orders: OrderStore;
  private readonly evictedOrders = new FingerprintSet();
  private ordersComplete = false;
  /** Refunds this process produced or replayed, of orders not in `orders` (unknown, or evicted). */
  private readonly refundsMem = new Map<string, { amount: number; commission: number }>();
  /** Net approved revenue per (campaign, partner): stored before start (null until loaded) + produced since. */
  private readonly ledgerBase = new Map<string, number>();
  private ledgerComplete = false;
  private readonly ledgerMem = new Map<string, number>();
  /** Changes and refunds waiting for their order, by `campaign_id \0 order_id` (rare: kept as plain objects). */
  private readonly waiting = new Map<string, WaitingChange[]>();

  constructor(readonly opts: StateOptions) {
    this.recent = new RecentIds(opts.dedupeWindowMs, opts.dedupeMaxIds);
    this.clicks = new ClickStore(opts.maxClicks ?? 1_000_000, this.strings, this.evictedClicks);
    this.orders = new OrderStore(opts.maxOrders ?? 1_000_000, this.strings, (rec) => this.evictOrder(rec));
  }

  /** Records an enriched (or replayed) row in every index. */
  apply(row: IngestRow): void {
    this.recent.add(row.source_id, row.event_id, row.received_at);
    if (row.type === 'click') {
      if (row.click_id)
        this.rememberClick({
          click_id: row.click_id,
          campaign_id: row.campaign_id,
          partner_id: row.partner_id,
          link_code: row.link_code,
          ts: row.ts,
          bot: row.bot,
        });
      if (!row.bot && row.visitor_hash) {
        this.lastClick.note(row.visitor_hash, row.link_code, row.ts);
        this.latestClickTs = Math.max(this.latestClickTs, row.ts);
      }
    } else if (row.type === 'conversion') {
      this.putOrder(row.campaign_id, row.order_id, orderFromRow(row));
    } else if (row.type === 'refund') {
      this.addRefund(row.campaign_id, row.order_id, -row.amount_minor, -row.commission_minor);
    } else if (isAppliedChange(row)) {
      this.setOrderStatus(row.campaign_id, row.order_id, row.status, row.ts);
    }
    if (isWaitingForOrder(row)) this.addWaiting(waitingOf(row));
    this.addToLedger(row, 1);
  }

  /** A change or refund that waits for its order (from a new row, or loaded at start-up). */
  addWaiting(w: WaitingChange): void {
    if (w.event_id.endsWith(APPLIED_SUFFIX)) return;
    const k = pairKey(w.campaign_id, w.order_id);
    const list = this.waiting.get(k) ?? [];
    if (!list.some((x) => x.event_id === w.event_id && x.source_id === w.source_id)) list.push(w);
    this.waiting.set(k, list);
  }

  /** The changes and refunds that waited for this order, oldest first; they are applied once, so taken away. */
  takeWaiting(campaignId: string, orderId: string): WaitingChange[] {
    const k = pairKey(campaignId, orderId);
    const list = this.waiting.get(k);
    if (!list) return [];
    this.waiting.delete(k);
    return list.sort((a, b) => a.ts - b.ts);
  }

  /** Puts back what takeWaiting gave when the rows that applied them did not reach the spool. */
  restoreWaiting(list: WaitingChange[]): void {
    for (const w of list) this.addWaiting(w);
  }

  get waitingCount(): number {
    let n = 0;
    for (const l of this.waiting.values()) n += l.length;
    return n;
  }

  /** Approved revenue of the row's deal (the base of commission tiers): what the row adds (sign 1) or took (-1). */
  private addToLedger(row: IngestRow, sign: 1 | -1): void {
    if (!row.converted || !row.attributed) return;
    let amount = 0;
    if (row.type === 'conversion' || row.type === 'refund') amount = row.status === 'approved' ? row.amount_minor : 0;
    else if (row.type === 'status' && row.from_status !== '')
      amount = ((row.status === 'approved' ? 1 : 0) - (row.from_status === 'approved' ? 1 : 0)) * row.amount_minor;
    if (amount === 0) return;
    const k = pairKey(row.campaign_id, row.partner_id);
    this.ledgerMem.set(k, (this.ledgerMem.get(k) ?? 0) + sign * amount);
  }

  private setOrderStatus(campaignId: string, orderId: string, status: string, ts: number): void {
    const rec = this.orders.findHash(hash64Pair(campaignId, orderId, this.h));
    if (rec >= 0) this.orders.setStatus(rec, status, ts);
  }

  /** Undoes `apply` for rows that did not reach the spool (so a retry is not taken for a duplicate). */
  forget(row: IngestRow): void {
    this.recent.delete(row.source_id, row.event_id);
    if (row.type === 'conversion') {
      const rec = this.orders.findHash(hash64Pair(row.campaign_id, row.order_id, this.h));
      if (rec >= 0) this.orders.deleteRecord(rec);
    }
    if (row.type === 'refund') this.addRefund(row.campaign_id, row.order_id, row.amount_minor, row.commission_minor);
    // the change's own time stands in for the time of the status before it (not kept): a later change between the two
    // would be taken for an old one; this happens only when the spool refused a batch
    if (isAppliedChange(row)) this.setOrderStatus(row.campaign_id, row.order_id, row.from_status, row.ts);
    if (isWaitingForOrder(row)) {
      const k = pairKey(row.campaign_id, row.order_id);
      const left = (this.waiting.get(k) ?? []).filter((w) => w.event_id !== row.event_id);
      if (left.length > 0) this.waiting.set(k, left);
      else this.waiting.delete(k);
    }
    this.addToLedger(row, -1);
  }

  // ---------- clicks ----------

  click(clickId: string): ClickFact | undefined {
    return this.clicks.get(clickId, this.h);
  }

  hasClick(clickId: string): boolean {
    return this.clicks.find(clickId) >= 0;
  }

  rememberClick(c: ClickFact): void {
    this.clicks.put(hash64(c.click_id, this.h), c);
  }

  /**
   * Whether a click memory lacks may still be in ClickHouse, for a conversion that can only be attributed
   * to clicks from `earliestTs` on: before start-up loading, when it was evicted, or older than what was loaded.
   */
  clickMayBeStored(clickId: string, earliestTs: number): boolean {
    if (this.hasClick(clickId)) return false;
    if (this.clicksCompleteSince === null || earliestTs < this.clicksCompleteSince) return true;
    return this.evictedClicks.has(hash64(clickId, this.h).hi);
  }

  /** Start-up: a click stored before this process (by click-id hash, as ClickHouse computes it), oldest first. */
  loadClick(h: Hash64, c: Omit<ClickFact, 'click_id'>): void {
    this.clicks.put(h, c);
  }

  /** Start-up: a stored click that does not fit in memory (murmurHash3_32 of its id). */
  loadClickFingerprint(hi: number): void {
    this.evictedClicks.add(hi);
  }

  /** Start-up: every click with a time from `since` on is now in memory or fingerprinted. */
  clicksLoaded(since: number): void {
    this.clicksCompleteSince = since;
  }

  get clickCapacity(): number {
    return this.clicks.maxRecords;
  }

  /**
   * IAB rule: unique when this visitor made no click on this link within 30 minutes (event time) before or around it.
   */
  isUniqueClick(visitorHash: string, linkCode: string, ts: number): boolean {
    const last = this.lastClick.get(visitorHash, linkCode);
    return last === undefined || Math.abs(ts - last) >= UNIQUE_CLICK_WINDOW_MS;
  }

  seedLastClick(visitorHash: string, linkCode: string, ts: number): void {
    this.lastClick.note(visitorHash, linkCode, ts);
    this.latestClickTs = Math.max(this.latestClickTs, ts);
  }

  // ---------- orders ----------

  order(campaignId: string, orderId: string): OrderFact | undefined {
    const rec = this.orders.findHash(hash64Pair(campaignId, orderId, this.h));
    return rec < 0 ? undefined : this.orders.fact(rec);
  }

  /** Whether an order memory lacks may still be in ClickHouse: before start-up loading, or when it was evicted. */
  orderMayBeStored(campaignId: string, orderId: string): boolean {
    const h = hash64Pair(campaignId, orderId, this.h);
    if (this.orders.findHash(h) >= 0) return false;
    return !this.ordersComplete || this.evictedOrders.has(h.hi);
  }

  /** Loads an order stored before this process (from its ClickHouse rows), unless memory already has it. */
  seedOrder(rows: OrderRow[]): void {
    const conv = rows.find((r) => r.type === 'conversion');
    if (!conv) return;
    const fact = orderFromRow(conv);
    for (const r of rows) {
      // rows come in the order they were received: the last change applied is the current status
      if (isAppliedChange(r)) {
        fact.status = r.status;
        fact.status_ts = r.ts;
      }
      if (r.type !== 'refund' || !this.isBeforeProcess(r.batch_id, r.received_at)) continue;
      fact.baseRefundedMinor += -r.amount_minor;
      fact.baseReversedMinor += -r.commission_minor;
    }
    this.putOrder(conv.campaign_id, conv.order_id, fact);
  }

  /** Start-up: an order stored before this process, oldest first. */
  loadOrder(o: LoadedOrder): void {
    this.putOrder(o.campaign_id, o.order_id, o);
  }

  /** Start-up: an order stored before this process that does not fit in memory (murmurHash3_32 of its key). */
  loadOrderFingerprint(hi: number): void {
    this.evictedOrders.add(hi);
  }

  /** Start-up: every stored order is now in memory or fingerprinted. */
  ordersLoaded(): void {
    this.ordersComplete = true;
  }

  get orderCapacity(): number {
    return this.orders.maxRecords;
  }

  /**
   * The oldest orders are forgotten past the limit (a fingerprint stays); a later refund or repeat loads them again.
   */
  private putOrder(campaignId: string, orderId: string, fact: OrderFact): void {
    const h = hash64Pair(campaignId, orderId, this.h);
    if (this.orders.findHash(h) >= 0) return;
    this.orders.put(h, fact);
  }

  private evictOrder(rec: number): void {
    this.evictedOrders.add((this.orders.col(0) as Uint32Array)[rec]);
    const amount = this.orders.col(O_MEM_REFUNDED)[rec];
    const commission = this.orders.col(O_MEM_REVERSED)[rec];
    if (amount === 0 && commission === 0) return;
    // the key string is gone with the record: refunds of evicted orders are kept by hash
    const k = hashKey(this.orders.col(0)[rec], this.orders.col(1)[rec]);
    const r = this.refundsMem.get(k) ?? { amount: 0, commission: 0 };
    r.amount += amount;
    r.commission += commission;
    this.refundsMem.set(k, r);
  }

  private addRefund(campaignId: string, orderId: string, amount: number, commission: number): void {
    const h = hash64Pair(campaignId, orderId, this.h);
    const rec = this.orders.findHash(h);
    if (rec >= 0) {
      this.orders.col(O_MEM_REFUNDED)[rec] += amount;
      this.orders.col(O_MEM_REVERSED)[rec] += commission;
      return;
    }
    const k = hashKey(h.hi, h.lo);
    const r = this.refundsMem.get(k) ?? { amount: 0, commission: 0 };
    r.amount += amount;
    r.commission += commission;
    this.refundsMem.set(k, r);
  }

  /** Refunded so far (campaign currency) and commission reversed so far, for an order. */
  refunded(campaignId: string, orderId: string): { amount: number; commission: number } {
    const h = hash64Pair(campaignId, orderId, this.h);
    const m = this.refundsMem.get(hashKey(h.hi, h.lo)) ?? { amount: 0, commission: 0 };
    const rec = this.orders.findHash(h);
    if (rec < 0) return { amount: m.amount, commission: m.commission };
    const o = this.orders;
    return {
      amount: o.col(O_BASE_REFUNDED)[rec] + o.col(O_MEM_REFUNDED)[rec] + m.amount,
      commission: o.col(O_BASE_REVERSED)[rec] + o.col(O_MEM_REVERSED)[rec] + m.commission,
    };
  }

  /** Rows in ClickHouse that this process did not produce or replay (so are not in memory). */
  isBeforeProcess(batchId: string, receivedAt: number): boolean {
    return receivedAt < this.opts.startedAt && !this.opts.replayedBatches.has(batchId);
  }

  // ---------- deal revenue ----------

  /** Whether the revenue stored before this process is known for a deal (all are, once `ledgerLoaded`). */
  hasLedgerBase(campaignId: string, partnerId: string): boolean {
    return this.ledgerComplete || this.ledgerBase.has(pairKey(campaignId, partnerId));
  }

  setLedgerBase(campaignId: string, partnerId: string, revenueMinor: number): void {
    this.ledgerBase.set(pairKey(campaignId, partnerId), revenueMinor);
  }

  /** Start-up: the stored revenue of every deal has been set; the others have none. */
  ledgerLoaded(): void {
    this.ledgerComplete = true;
  }

  /** The deal's net approved revenue so far (the base of commission tiers). */
  dealRevenue(campaignId: string, partnerId: string): number {
    const k = pairKey(campaignId, partnerId);
    return (this.ledgerBase.get(k) ?? 0) + (this.ledgerMem.get(k) ?? 0);
  }

  /** Forgets what no longer matters: ids past the window, visitors idle for 30 minutes. */
  prune(now: number): void {
    this.recent.prune(now);
    this.lastClick.prune(this.latestClickTs - UNIQUE_CLICK_WINDOW_MS);
  }

  sizes(): Record<string, number> {
    return {
      event_ids: this.recent.size,
      clicks: this.clicks.size,
      visitors: this.lastClick.size,
      orders: this.orders.size,
      evicted_clicks: this.evictedClicks.size,
      evicted_orders: this.evictedOrders.size,
    };
  }

  /** Bytes held by the typed tables (for the memory benchmark). */
  tableBytes(): Record<string, number> {
    return {
      event_ids: this.recent.bytes(),
      visitors: this.lastClick.bytes(),
      clicks: this.clicks.bytes(),
      orders: this.orders.bytes(),
      evicted_clicks: this.evictedClicks.bytes(),
      evicted_orders: this.evictedOrders.bytes(),
    };
  }
}

const hashKey = (hi: number, lo: number) => `${hi}:${lo}`;

function orderFromRow(
  r: Pick<OrderFact, Exclude<keyof OrderFact, 'baseRefundedMinor' | 'baseReversedMinor' | 'status_ts'>>,
): OrderFact {
  return {
    platform: r.platform,
    status_ts: r.ts,
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

function waitingOf(row: IngestRow): WaitingChange {
  return {
    campaign_id: row.campaign_id,
    order_id: row.order_id,
    source_id: row.source_id,
    event_id: row.event_id,
    ts: row.ts,
    kind: row.type === 'refund' ? 'refund' : 'status',
    status: row.status,
    reason: row.status_reason,
    orig_amount_minor: -row.orig_amount_minor,
    orig_currency: row.orig_currency,
  };
}
