// The ingest pipeline after authentication: scope → references → sentiment → look-ups → dedupe + enrich → spool →
// answer.
import type { Logger } from 'pino';
import {
  blankStoredEvent,
  DEFAULT_ATTRIBUTION_DAYS,
  fromMinor,
  type IncomingEvent,
  type StoredEvent,
} from '@pulseroom/schema';
import { keyedHash, unavailable, type DimensionCache, type SourceRow, type Store } from '@pulseroom/schema/server';
import { assertCampaignScope } from './auth.js';
import type { IngestConfig } from './config.js';
import type { IngestMetrics } from './metrics.js';
import { clicksById, dealRevenueBefore, orderRows, type ClickFact, type OrderRow } from './queries.js';
import { SpoolFullError, type Spool } from './spool.js';
import { APPLIED_SUFFIX, type IngestRow, type IngestState, type WaitingChange } from './state.js';
import type { ParsedBatch, Rejection } from './validate.js';
import { enrichClick } from './enrich/clicks.js';
import { attribute, enrichChange, enrichConversion, enrichRefund, type MoneyContext } from './enrich/conversions.js';
import { checkDisclosure } from './enrich/disclosure.js';
import { scoreComment, type SentimentPool, type SentimentResult } from './enrich/sentiment.js';

export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

export interface PipelineDeps {
  store: Store;
  dims: DimensionCache;
  config: IngestConfig;
  logger: Logger;
  clock: () => number;
  state: IngestState;
  spool: Spool;
  metrics: IngestMetrics;
  sentiment: SentimentPool | null;
  /** Is ClickHouse answering? While it is not, look-ups are skipped instead of waiting for timeouts. */
  storeHealthy: () => boolean;
  /** Tells the flusher new rows arrived (it seals early when the segment is full). */
  appended: () => void;
  /** Rows now fsync'd in spool segment `batchId`, in the order they were accepted: they may go live. */
  accepted: (batchId: string, rows: readonly StoredEvent[]) => void;
}

const LOOKUP_TIMEOUT_MS = 2000;
const DAY_MS = 86_400_000;
/** A deal's attribution window when it sets none (schema/src/dimensions.ts). */
const DIMENSION_REFRESH_MIN_MS = 2000;
/** Clock skew rule: an event may be stamped at most this far ahead of ingest's clock (late events are fine). */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

const eventKey = (sourceId: string, eventId: string) => `e\u0000${sourceId}\u0000${eventId}`;
const orderKey = (campaignId: string, orderId: string) => `o\u0000${campaignId}\u0000${orderId}`;

function formatAhead(ms: number): string {
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}

/** The event types that need work before enrichment: comments are scored, money events may need look-ups. */
const NEEDS_PREPARING: ReadonlySet<IncomingEvent['type']> = new Set(['comment', 'conversion', 'refund', 'status']);
const NO_SENTIMENTS: ReadonlyMap<number, SentimentResult> = new Map();

/** Joins a field to an event's prefix: `events[3]` + `amount` → `events[3].amount`; no prefix → `amount`. */
export const fieldPath = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

export class Pipeline {
  private lastDimsRefresh = 0;
  /** The pending spool write of each event (and order) not yet on disk. */
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly d: PipelineDeps) {}

  /**
   * Accepts the valid events of a parsed batch: answers once every accepted event is fsync'd in the
   * spool. Throws 403 (a campaign outside the key's scope) or 503 (spool full or failing).
   */
  async accept(source: SourceRow, parsed: ParsedBatch, prefix: (i: number) => string): Promise<BatchAnswer> {
    const { state, spool, metrics, clock } = this.d;
    const t0 = performance.now();
    if (spool.isFull())
      throw unavailable('SPOOL_FULL', 'ingest is holding too many events for the store; retry later', 30);
    assertCampaignScope(
      source,
      parsed.valid.map((v) => v.event.campaign_id),
    );
    parsed.rejectedTypes.forEach((t) => metrics.rejected.inc({ type: t }));

    if (this.anyUnknown(parsed.valid)) await this.refreshDimensions();
    const rejected = [...parsed.rejected];
    const events: { index: number; event: IncomingEvent }[] = [];
    for (const v of parsed.valid) {
      const problem = this.checkReferences(v.event);
      if (problem) {
        rejected.push({ index: v.index, path: fieldPath(prefix(v.index), problem.field), message: problem.message });
        metrics.rejected.inc({ type: v.event.type });
      } else events.push(v);
    }

    // Only comments (scoring) and money events (look-ups) need work before enrichment; a batch of clicks goes straight
    // on.
    const fresh = events.filter(
      (v) => NEEDS_PREPARING.has(v.event.type) && !state.recent.has(source.id, v.event.event_id),
    );
    // scoring (worker threads) and look-ups (rare once memory is loaded) touch different things: wait for both at once
    const [sentiments] = fresh.length
      ? await Promise.all([this.scoreComments(fresh), this.prefetch(fresh.map((v) => v.event))])
      : [NO_SENTIMENTS];

    // From here to the append nothing awaits: de-duplication and enrichment see one consistent state.
    const receivedAt = clock();
    const rows: IngestRow[] = [];
    let duplicates = 0;
    const seenInBatch = new Set<string>();
    /** Changes and refunds that waited for an order of this batch (put back if the batch is not stored). */
    const taken: WaitingChange[] = [];
    // A duplicate of an event still on its way to the disk is only answered once that write is done:
    // "duplicate" must mean "stored", or a crash could lose an event its sender believes delivered.
    const waits = new Set<Promise<void>>();
    for (const { index, event } of events) {
      if (state.recent.has(source.id, event.event_id) || seenInBatch.has(event.event_id)) {
        duplicates++;
        metrics.duplicates.inc({ type: event.type, reason: 'event_id' });
        const w = this.inflight.get(eventKey(source.id, event.event_id));
        if (w) waits.add(w);
        continue;
      }
      let row: IngestRow | 'duplicate';
      try {
        row = this.enrich(event, source, receivedAt, sentiments.get(index));
      } catch (err) {
        // A bug must not leave half a batch in memory and none of it on disk: this event alone is refused.
        this.d.logger.error({ err, event_id: event.event_id, type: event.type }, 'enrichment failed');
        rejected.push({
          index,
          path: prefix(index) || 'event',
          message: 'could not be processed (an ingest error, logged); retry later or report it',
        });
        metrics.rejected.inc({ type: event.type });
        continue;
      }
      seenInBatch.add(event.event_id);
      if (row === 'duplicate') {
        duplicates++;
        metrics.duplicates.inc({ type: event.type, reason: 'order_id' });
        const w = this.inflight.get(orderKey(event.campaign_id, (event as { order_id: string }).order_id));
        if (w) waits.add(w);
        continue;
      }
      state.apply(row);
      rows.push(row);
      if (row.type === 'conversion') {
        const waiting = state.takeWaiting(row.campaign_id, row.order_id);
        taken.push(...waiting);
        for (const w of waiting) {
          const applied = this.applyWaiting(w, receivedAt);
          if (applied === 'duplicate') continue;
          state.apply(applied);
          rows.push(applied);
        }
      }
    }

    const appended = spool.append(rows);
    const stored = appended.then(() => undefined);
    const keys: string[] = [];
    for (const r of rows) {
      keys.push(eventKey(r.source_id, r.event_id));
      if (r.type === 'conversion') keys.push(orderKey(r.campaign_id, r.order_id));
    }
    for (const k of keys) this.inflight.set(k, stored);
    const settle = () => {
      for (const k of keys) if (this.inflight.get(k) === stored) this.inflight.delete(k);
    };
    stored.then(settle, settle);
    let batchId: string;
    try {
      batchId = await appended;
    } catch (e) {
      for (const row of rows) state.forget(row);
      state.restoreWaiting(taken);
      if (e instanceof SpoolFullError)
        throw unavailable('SPOOL_FULL', 'ingest is holding too many events for the store; retry later', 30);
      this.d.logger.error({ err: e }, 'spool append failed');
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw unavailable(
          'SPOOL_DISK_FULL',
          'the spool disk of ingest is full: nothing of this batch was stored; retry later',
          30,
        );
      throw unavailable('SPOOL_FAILED', 'ingest could not store the events durably; retry', 5);
    }
    // Durable from here: the rows go live now, before anything else can await.
    if (rows.length > 0) this.d.accepted(batchId, rows);
    if (waits.size > 0 && (await Promise.allSettled(waits)).some((r) => r.status === 'rejected')) {
      throw unavailable('SPOOL_FAILED', 'an earlier copy of some of these events could not be stored; retry', 1);
    }
    // one labelled increment per type, not per row
    const perType = new Map<string, number>();
    for (const row of rows) perType.set(row.type, (perType.get(row.type) ?? 0) + 1);
    for (const [type, n] of perType) metrics.accepted.inc({ type }, n);
    metrics.acceptSeconds.observe((performance.now() - t0) / 1000);
    this.d.appended();
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: rows.length, duplicates, rejected };
  }

  /**
   * A campaign, partner or link this process has not heard of may be brand new: the dimensions are reloaded then (at
   * most every 2 s).
   */
  private anyUnknown(valid: ParsedBatch['valid']): boolean {
    const { dims } = this.d;
    return valid.some(
      ({ event: e }) =>
        !dims.campaign(e.campaign_id) ||
        (e.partner_id && !dims.partner(e.partner_id)) ||
        (e.type === 'click' && !dims.link(e.link_code)),
    );
  }

  /** Reloads the dimensions if they changed, at most every 2 s, never waiting long for a slow store. */
  async refreshDimensions(): Promise<void> {
    const { dims, clock } = this.d;
    if (clock() - this.lastDimsRefresh < DIMENSION_REFRESH_MIN_MS || !this.d.storeHealthy()) return;
    this.lastDimsRefresh = clock();
    await withTimeout(dims.refresh(), LOOKUP_TIMEOUT_MS).catch(() => undefined);
  }

  /** Things zod cannot know: the campaign, partner and link must exist and agree. */
  checkReferences(e: IncomingEvent): { field: string; message: string } | null {
    const { dims, clock } = this.d;
    const ahead = e.ts - clock();
    if (ahead > MAX_CLOCK_AHEAD_MS)
      return {
        field: 'ts',
        message: `expected a time at most ${MAX_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server clock (this one is ${formatAhead(ahead)} ahead): check the sender's clock`,
      };
    if (!dims.campaign(e.campaign_id)) return { field: 'campaign_id', message: `unknown campaign "${e.campaign_id}"` };
    if (e.partner_id && !dims.partner(e.partner_id))
      return { field: 'partner_id', message: `unknown partner "${e.partner_id}"` };
    if (e.type === 'click') {
      const target = dims.link(e.link_code);
      if (!target)
        return { field: 'link_code', message: `unknown tracking link "${e.link_code}": add it to a deal first` };
      if (target.deal.campaign_id !== e.campaign_id)
        return {
          field: 'link_code',
          message: `link "${e.link_code}" belongs to campaign "${target.deal.campaign_id}", not "${e.campaign_id}"`,
        };
      if (e.partner_id && target.deal.partner_id !== e.partner_id)
        return {
          field: 'link_code',
          message: `link "${e.link_code}" belongs to partner "${target.deal.partner_id}", not "${e.partner_id}"`,
        };
    }
    return null;
  }

  private async scoreComments(
    events: { index: number; event: IncomingEvent }[],
  ): Promise<Map<number, SentimentResult>> {
    const comments = events.filter((v) => v.event.type === 'comment') as {
      index: number;
      event: Extract<IncomingEvent, { type: 'comment' }>;
    }[];
    const out = new Map<number, SentimentResult>();
    if (comments.length === 0) return out;
    const items = comments.map((c) => ({ text: c.event.text, lang: c.event.lang }));
    let results: SentimentResult[];
    try {
      results = this.d.sentiment ? await this.d.sentiment.score(items) : items.map((i) => scoreComment(i.text, i.lang));
    } catch (err) {
      this.d.logger.warn({ err }, 'sentiment pool failed; scoring in this thread');
      results = items.map((i) => {
        try {
          return scoreComment(i.text, i.lang);
        } catch {
          return { score: 0, label: 'unscored' as const, lang: i.lang ?? '', terms: [] };
        }
      });
    }
    comments.forEach((c, i) => out.set(c.index, results[i]));
    return out;
  }

  /**
   * Loads into memory what conversions and refunds need and memory may lack: clicks, orders, deal revenue.
   * Once start-up loading is done, memory is authoritative and this queries ClickHouse only for orders and
   * clicks evicted past the caps (or clicks older than were loaded): a new order id costs no query.
   */
  async prefetch(events: IncomingEvent[]): Promise<void> {
    const { state, store, dims } = this.d;
    const money = events.filter((e) => e.type === 'conversion' || e.type === 'refund' || e.type === 'status');
    if (money.length === 0) return;
    const windowOf = new Map<string, number>();
    const earliestClick = (e: IncomingEvent) => {
      let w = windowOf.get(e.campaign_id);
      if (w === undefined) {
        w =
          Math.max(DEFAULT_ATTRIBUTION_DAYS, ...dims.dealsOf(e.campaign_id).map((d) => d.attribution_window_days)) *
          DAY_MS;
        windowOf.set(e.campaign_id, w);
      }
      return e.ts - w;
    };
    const clickIds = [
      ...new Set(
        money.flatMap((e) =>
          e.type === 'conversion' && e.click_id && state.clickMayBeStored(e.click_id, earliestClick(e))
            ? [e.click_id]
            : [],
        ),
      ),
    ];
    await this.lookup(
      'clicks',
      async () => {
        for (const c of await clicksById(store.client, clickIds)) state.rememberClick(c);
      },
      clickIds.length > 0,
    );
    const missingOrders = money.filter((e) => state.orderMayBeStored(e.campaign_id, e.order_id));
    await this.lookup(
      'orders',
      async () => {
        const found = await orderRows(
          store.client,
          missingOrders.map((e) => e.campaign_id),
          missingOrders.map((e) => e.order_id),
        );
        const byOrder = new Map<string, OrderRow[]>();
        for (const r of found) {
          const k = `${r.campaign_id}\u0000${r.order_id}`;
          byOrder.set(k, [...(byOrder.get(k) ?? []), r]);
        }
        for (const group of byOrder.values()) state.seedOrder(group);
      },
      missingOrders.length > 0,
    );
    // Commission tiers depend on the deal's revenue so far: load it once per deal that has tiers.
    const ctx = this.moneyContext();
    const pairs = new Map<string, { campaign_id: string; partner_id: string }>();
    for (const e of money) {
      if (e.type !== 'conversion') continue;
      const who = attribute(e, ctx);
      if (!who || state.hasLedgerBase(e.campaign_id, who.partner_id)) continue;
      const deal = dims.dealFor(e.campaign_id, who.partner_id);
      if (deal && deal.commission_tiers.length > 0)
        pairs.set(`${e.campaign_id}\u0000${who.partner_id}`, {
          campaign_id: e.campaign_id,
          partner_id: who.partner_id,
        });
    }
    await this.lookup(
      'deal revenue',
      async () => {
        const list = [...pairs.values()];
        const found = await dealRevenueBefore(store.client, list, state.opts.startedAt, [
          ...state.opts.replayedBatches,
        ]);
        for (const p of list) {
          const hit = found.find((f) => f.campaign_id === p.campaign_id && f.partner_id === p.partner_id);
          state.setLedgerBase(p.campaign_id, p.partner_id, hit?.revenue_minor ?? 0);
        }
      },
      pairs.size > 0,
    );
  }

  /** Clicks by id, from memory or ClickHouse (postbacks need the click's campaign before validation). */
  async findClick(clickId: string): Promise<ClickFact | undefined> {
    const { state, store } = this.d;
    if (!state.hasClick(clickId)) {
      await this.lookup(
        'clicks',
        async () => {
          for (const c of await clicksById(store.client, [clickId])) state.rememberClick(c);
        },
        true,
      );
    }
    return state.click(clickId);
  }

  private async lookup(what: string, run: () => Promise<void>, needed: boolean): Promise<void> {
    if (!needed) return;
    if (!this.d.storeHealthy()) {
      this.d.metrics.lookupFailures.inc();
      return;
    }
    try {
      await withTimeout(run(), LOOKUP_TIMEOUT_MS);
    } catch (err) {
      // Enrichment goes on from memory: the event is kept, possibly unattributed, rather than refused.
      this.d.metrics.lookupFailures.inc();
      this.d.logger.warn({ err, what }, 'look-up in the store failed; enriching from memory');
    }
  }

  /** What conversions, refunds and status changes are enriched from. */
  private moneyContext(): MoneyContext {
    return { state: this.d.state, dims: this.d.dims, fxRates: this.d.config.PULSEROOM_FX_RATES };
  }

  /**
   * The row that applies a change or refund which came before its order, now that the order is known: its own event
   * id with APPLIED_SUFFIX, its own time; the waiting row stays as it was stored (counted nowhere).
   */
  private applyWaiting(w: WaitingChange, receivedAt: number): IngestRow | 'duplicate' {
    const source = { id: w.source_id } as SourceRow;
    const base = {
      event_id: `${w.event_id}${APPLIED_SUFFIX}`,
      ts: w.ts,
      campaign_id: w.campaign_id,
      order_id: w.order_id,
    };
    const event: IncomingEvent =
      w.kind === 'status'
        ? { ...base, type: 'status', status: w.status as 'approved', reason: w.reason || undefined }
        : {
            ...base,
            type: 'refund',
            amount: fromMinor(w.orig_amount_minor, w.orig_currency),
            currency: w.orig_currency,
          };
    return this.enrich(event, source, receivedAt, undefined);
  }

  /** Builds the stored row of one event; 'duplicate' for a repeated order or status. */
  enrich(
    e: IncomingEvent,
    source: SourceRow,
    receivedAt: number,
    sentiment: SentimentResult | undefined,
  ): IngestRow | 'duplicate' {
    const { dims, state, config } = this.d;
    // filled in place: spreading the 58 blank columns into a second object cost a copy per event
    const row: IngestRow = blankStoredEvent();
    row.event_id = e.event_id;
    row.source_id = source.id;
    row.type = e.type;
    row.ts = e.ts;
    row.received_at = receivedAt;
    row.campaign_id = e.campaign_id;
    row.partner_id = e.partner_id ?? '';
    row.platform = e.platform ?? '';
    switch (e.type) {
      case 'engagement':
        Object.assign(row, {
          content_id: e.content_id,
          views: e.views,
          reach: e.reach ?? 0,
          has_reach: e.reach === undefined ? 0 : 1,
          likes: e.likes,
          comments: e.comments,
          shares: e.shares,
          saves: e.saves ?? 0,
          follows: e.follows,
          correction: e.correction ? 1 : 0,
        });
        break;
      case 'comment': {
        const s = sentiment ?? scoreComment(e.text, e.lang);
        // A score that is not a number (a scorer bug) is stored as unscored, never as a NaN every sum would carry.
        const scored = Number.isFinite(s.score);
        Object.assign(row, {
          content_id: e.content_id,
          text: e.text,
          sentiment: scored ? s.score : 0,
          label: scored ? s.label : 'unscored',
          lang: s.lang,
          sentiment_terms: s.terms,
          author_hash: e.author ? keyedHash(config.hashKey, e.author) : '',
        });
        break;
      }
      case 'post': {
        const d = checkDisclosure(e.caption, e.branded_content, e.platform ?? '');
        Object.assign(row, {
          content_id: e.content_id,
          url: e.url,
          caption: e.caption,
          branded_content: e.branded_content ? 1 : 0,
          disclosure: d.status,
        });
        break;
      }
      case 'click': {
        const target = dims.link(e.link_code);
        if (target) {
          row.partner_id ||= target.deal.partner_id;
          row.platform ||= target.link.platform ?? '';
          row.utm_source = target.link.utm_source ?? '';
          row.utm_medium = target.link.utm_medium ?? '';
          row.utm_campaign = target.link.utm_campaign ?? '';
          row.utm_content = target.link.utm_content ?? '';
        }
        enrichClick(e, row, { state, hashKey: config.hashKey });
        break;
      }
      case 'conversion': {
        const r = enrichConversion(e, row, this.moneyContext());
        if (r === 'duplicate') return r;
        break;
      }
      case 'refund':
        enrichRefund(e, row, this.moneyContext());
        break;
      case 'status': {
        const r = enrichChange(state.order(e.campaign_id, e.order_id), e, row, this.moneyContext());
        if (r === 'duplicate') return r;
        break;
      }
    }
    if (!row.platform && row.partner_id) {
      const p = dims.partner(row.partner_id);
      if (p && p.platforms.length === 1) row.platform = p.platforms[0];
    }
    return row;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
