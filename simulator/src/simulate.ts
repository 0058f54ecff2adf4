// Plays the launch against a running Pulseroom through its public API only: events to /v1/events,
// real visits to /r/:code tracking links, and conversion postbacks. Launch time runs at `speed` × real
// time from `startAt`, never ahead of the clock, so no event is ever stamped in the future.
import { EVENT_TYPES, type EventType } from '@pulseroom/schema';
import {
  AOV_RANGES,
  BOT_SHARE,
  CLICK_CR_BY_TYPE,
  CR_RANGE,
  ER_BY_TIER,
  REFUND_SHARE,
  REPEAT_SHARE,
  STATUS_MIX,
  type SimClaims,
} from './claims.js';
import type { LaunchFile } from './demoLaunch.js';
import { HttpFailure, IngestClient, type BatchAnswer } from './http.js';
import { MINUTE_MS } from './posts.js';
import { Tallier, type TrafficTally } from './tally.js';
import {
  generateMinute,
  planTraffic,
  type Action,
  type EventInput,
  type OrderPlan,
  type TrafficPlan,
  type VisitAction,
} from './traffic.js';

/** How visits to tracking links are sent: real GETs when launch time is (nearly) now, always, or never. */
export const LINK_HIT_MODES = ['live', 'always', 'never'] as const;
export type LinkHitMode = (typeof LINK_HIT_MODES)[number];

export interface SimulationOptions {
  baseUrl: string;
  sourceKey: string;
  launch: LaunchFile;
  /** Launch minutes per real minute (1 = real time, 60 = a launch minute each second). */
  speed: number;
  /** Most events (and link visits and postbacks) per second. */
  rate: number;
  seed: number;
  /** Launch minutes to play; Infinity (default) plays on forever. */
  minutes?: number;
  /**
   * Epoch ms of launch minute 0. Default: with a finite run, early enough that the run ends at the
   * real clock; forever, the headline campaign's start when it is in the last 7 days, else now.
   */
  startAt?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  /**
   * Played forever, a launch that began in the past is caught up at least this fast before it goes live (default 60).
   */
  catchUpSpeed?: number;
  /**
   * Default 'live': a visit within liveWindowMs of now is a GET /r/:code; older ones are click events with their ts.
   */
  linkHits?: LinkHitMode;
  /**
   * Default 5 s. A GET is stamped when it arrives, so a visit played as one while catching up lands at the catch-up
   * moment: a wider window would leave that many minutes without clicks and pile their clicks into one 10 s bucket.
   */
  liveWindowMs?: number;
  /**
   * Visits and postbacks at or before this launch time are not repeated (a GET is not idempotent); events are re-sent
   * and deduplicated.
   */
  resumeAfter?: number;
  /** The campaign that launches (default the file's first). */
  headline?: string;
  /** Events per POST (≤ 1000) and how long a partial batch may wait. */
  batchSize?: number;
  flushMs?: number;
  /** Link visits and postbacks in flight at once. */
  concurrency?: number;
  /**
   * Least real time between a click through /r/:code and its postback (default 20 s: ingest flags an
   * order less than 15 s after its click as suspicious). The launch's click-to-order delay is played
   * at the current speed on top of it.
   */
  postbackMinDelayMs?: number;
  /** Backoff settings of the HTTP client (tests shorten them). */
  backoffMs?: number;
  maxAttempts?: number;
}

export interface TypeCounts {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface SimStats {
  seed: number;
  startAt: number;
  speed: number;
  rate: number;
  /** Launch minutes generated (played up to the clock). */
  minutes_played: number;
  /** Per event type; accepted vs duplicates of a mixed batch is split in proportion (see `split_estimated`). */
  by_type: Record<EventType, TypeCounts>;
  totals: TypeCounts;
  split_estimated: boolean;
  link_hits: { sent: number; redirected: number; failed: number; without_click_id: number };
  postbacks: { sent: number; ok: number; failed: number };
  retries: { rate_limited: number; unavailable: number; network: number };
  /** The first rejections, for a quick look at what went wrong. */
  rejections: Array<{ type: string; path: string; message: string }>;
  /** Figures of the traffic that was played (from the generator), beside what it claims. */
  generated: TrafficTally;
  claims: SimClaims;
  first_ts: number | null;
  last_ts: number | null;
  errors: string[];
}

/** The parameters the simulator plays by, for a plan. */
export function claimsOf(plan: Pick<TrafficPlan, 'headline' | 'crisis' | 'viral'>): SimClaims {
  return {
    er_by_tier: structuredClone(ER_BY_TIER),
    cr_percent: { ...CR_RANGE },
    click_cr_by_type: { ...CLICK_CR_BY_TYPE },
    aov: structuredClone(AOV_RANGES),
    bot_share: BOT_SHARE,
    repeat_share: REPEAT_SHARE,
    refund_share: REFUND_SHARE,
    status_mix: STATUS_MIX,
    crisis: {
      campaign_id: plan.headline,
      from_minute: plan.crisis.from,
      to_minute: plan.crisis.to,
      negative_share: { min: 0.45, max: 0.95 },
    },
    viral: plan.viral
      ? {
          content_id: plan.viral.content_id,
          partner_id: plan.viral.partner.id,
          from_minute: plan.viral.viralFromMinute ?? 0,
        }
      : null,
  };
}

/** minute 0 of the launch when no startAt is given (see SimulationOptions.startAt). */
export function defaultStartAt(
  launch: LaunchFile,
  now: number,
  speed: number,
  minutes: number,
  headline?: string,
): number {
  if (Number.isFinite(minutes)) return Math.round(now - minutes * MINUTE_MS * (1 - 1 / speed));
  const c = (launch.campaigns ?? []).find((x) => x.id === headline) ?? launch.campaigns?.[0];
  const start = c ? Date.parse(c.start) : NaN;
  return Number.isFinite(start) && start <= now && start >= now - 7 * 24 * 60 * MINUTE_MS ? start : now;
}

type Scheduled =
  | { at: number; seq: number; kind: 'action'; action: Action }
  | {
      at: number;
      seq: number;
      kind: 'postback';
      params: Record<string, string | number | undefined>;
      type: 'conversion' | 'refund';
    }
  | { at: number; seq: number; kind: 'event'; event: EventInput };

type Unsequenced = Scheduled extends infer S ? (S extends Scheduled ? Omit<S, 'seq'> : never) : never;

/** A binary min-heap by (at, seq). */
class Agenda {
  private readonly h: Scheduled[] = [];
  private seq = 0;
  get size() {
    return this.h.length;
  }
  peek(): Scheduled | undefined {
    return this.h[0];
  }
  push(item: Unsequenced): void {
    const x = { ...item, seq: this.seq++ } as Scheduled;
    const h = this.h;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Scheduled | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: Scheduled, b: Scheduled) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Stays under the 1 MB body limit of /v1/events with room for the envelope. */
const MAX_BODY_BYTES = 900_000;

/** Splits events into runs whose JSON stays under maxBytes. */
export function byteChunks<T>(events: T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const e of events) {
    const n = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(e);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function emptyCounts(): TypeCounts {
  return { sent: 0, accepted: 0, duplicates: 0, rejected: 0 };
}

export async function runSimulation(opts: SimulationOptions): Promise<SimStats> {
  const minutes = opts.minutes ?? Infinity;
  if (!(opts.speed > 0)) throw new RangeError('speed must be > 0');
  if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
  const realStart = Date.now();
  const startAt = opts.startAt ?? defaultStartAt(opts.launch, realStart, opts.speed, minutes, opts.headline);
  const plan = planTraffic({ launch: opts.launch, seed: opts.seed, startAt, headline: opts.headline });
  const log = opts.log ?? (() => {});
  const client = new IngestClient({
    baseUrl: opts.baseUrl,
    sourceKey: opts.sourceKey,
    signal: opts.signal,
    log,
    backoffMs: opts.backoffMs,
    maxAttempts: opts.maxAttempts,
  });
  const mode = opts.linkHits ?? 'live';
  const liveWindow = opts.liveWindowMs ?? 5_000;
  const batchSize = Math.min(1000, Math.max(1, opts.batchSize ?? 1000));
  const flushMs = opts.flushMs ?? 500;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const endAt = startAt + minutes * MINUTE_MS;

  const stats: SimStats = {
    seed: opts.seed,
    startAt,
    speed: opts.speed,
    rate: opts.rate,
    minutes_played: 0,
    by_type: Object.fromEntries(EVENT_TYPES.map((t) => [t, emptyCounts()])) as Record<EventType, TypeCounts>,
    totals: emptyCounts(),
    split_estimated: false,
    link_hits: { sent: 0, redirected: 0, failed: 0, without_click_id: 0 },
    postbacks: { sent: 0, ok: 0, failed: 0 },
    retries: { rate_limited: 0, unavailable: 0, network: 0 },
    rejections: [],
    generated: new Tallier().finish(),
    claims: claimsOf(plan),
    first_ts: null,
    last_ts: null,
    errors: [],
  };
  const tally = new Tallier();
  /** What happens at a launch time, and what follows a real click at a real time. */
  const agenda = new Agenda();
  const realAgenda = new Agenda();
  const minDelay = opts.postbackMinDelayMs ?? 20_000;
  // The launch clock: `speed` × real time, never ahead of the clock. Played forever, a launch that
  // began in the past is first caught up at catchUpSpeed (at least), then played live.
  const catchUp = Number.isFinite(minutes) ? opts.speed : Math.max(opts.speed, opts.catchUpSpeed ?? 60);
  let launchClock = startAt;
  let lastTick = realStart;
  const launchNow = () => {
    const t = Date.now();
    const rate = launchClock < t - 1000 ? catchUp : opts.speed;
    launchClock = Math.min(t, launchClock + (t - lastTick) * rate);
    lastTick = t;
    return launchClock;
  };
  let nextMinute = 0;
  let buffer: EventInput[] = [];
  let bufferSince = 0;
  const inflight = new Set<Promise<void>>();
  let tokens = Math.min(opts.rate, 50);
  let lastRefill = Date.now();
  let fatal: Error | null = null;

  const error = (msg: string) => {
    if (stats.errors.length < 50) stats.errors.push(msg);
    log(msg);
  };
  const noteTs = (ts: number) => {
    stats.first_ts = stats.first_ts === null ? ts : Math.min(stats.first_ts, ts);
    stats.last_ts = stats.last_ts === null ? ts : Math.max(stats.last_ts, ts);
  };
  const count = (type: EventType, field: keyof TypeCounts, n = 1) => {
    stats.by_type[type][field] += n;
    stats.totals[field] += n;
  };

  const record = (events: EventInput[], answer: BatchAnswer) => {
    const sent = new Map<EventType, number>();
    for (const e of events) sent.set(e.type, (sent.get(e.type) ?? 0) + 1);
    const rejected = new Map<EventType, number>();
    for (const r of answer.rejected) {
      const type = events[r.index]?.type ?? 'engagement';
      rejected.set(type, (rejected.get(type) ?? 0) + 1);
      if (stats.rejections.length < 20) stats.rejections.push({ type, path: r.path, message: r.message });
    }
    // The answer gives accepted and duplicates for the whole batch: split them over types in proportion.
    const ok = [...sent.keys()].map((t) => [t, (sent.get(t) ?? 0) - (rejected.get(t) ?? 0)] as const);
    const okTotal = ok.reduce((s, [, n]) => s + n, 0);
    let dupLeft = answer.duplicates;
    if (answer.duplicates > 0 && answer.accepted > 0 && ok.length > 1) stats.split_estimated = true;
    ok.forEach(([t, n], i) => {
      const dup =
        i === ok.length - 1
          ? Math.min(n, dupLeft)
          : Math.min(n, Math.round((n / Math.max(1, okTotal)) * answer.duplicates));
      dupLeft -= dup;
      count(t, 'duplicates', dup);
      count(t, 'accepted', n - dup);
      count(t, 'rejected', rejected.get(t) ?? 0);
    });
    if (answer.rejected.length > 0)
      log(
        `POST /v1/events: ${answer.rejected.length} rejected, e.g. ${answer.rejected[0].path}: ${answer.rejected[0].message}`,
      );
  };

  const flush = async () => {
    if (buffer.length === 0 || opts.signal?.aborted) return;
    const all = buffer;
    buffer = [];
    for (const events of byteChunks(all, MAX_BODY_BYTES)) {
      for (const e of events) count(e.type, 'sent');
      try {
        record(events, await client.postEvents(events));
      } catch (err) {
        for (const e of events) count(e.type, 'rejected');
        error((err as Error).message);
        if (err instanceof HttpFailure && [401, 403].includes(err.status)) fatal = err;
      }
    }
  };

  const queueEvent = (e: EventInput) => {
    if (buffer.length === 0) bufferSince = Date.now();
    buffer.push(e);
    noteTs(e.ts as number);
  };

  const sendPostback = async (params: Record<string, string | number | undefined>, type: 'conversion' | 'refund') => {
    stats.postbacks.sent++;
    count(type, 'sent');
    try {
      const { status, answer } = await client.postback(params);
      const ok = status >= 200 && status < 300;
      if (ok) stats.postbacks.ok++;
      else stats.postbacks.failed++;
      if (answer) {
        // 200 with the per-event answer, or 400 with it when the one event was rejected.
        count(type, 'accepted', answer.accepted);
        count(type, 'duplicates', answer.duplicates);
        count(type, 'rejected', answer.rejected.length);
        for (const r of answer.rejected)
          if (stats.rejections.length < 20) stats.rejections.push({ type, path: r.path, message: r.message });
        if (!ok)
          error(`GET /v1/postback: HTTP ${status} ${answer.rejected.map((r) => `${r.path}: ${r.message}`).join('; ')}`);
      } else {
        count(type, ok ? 'accepted' : 'rejected');
        if (!ok) error(`GET /v1/postback: HTTP ${status}`);
      }
      if (status === 401 || status === 403)
        fatal = new Error(`GET /v1/postback: HTTP ${status} — is the source key right, and allowed for the campaign?`);
    } catch (err) {
      stats.postbacks.failed++;
      count(type, 'rejected');
      error((err as Error).message);
    }
  };

  /** A click through the real tracking link; what follows is re-timed from when the click really happened. */
  const hit = async (v: VisitAction) => {
    stats.link_hits.sent++;
    count('click', 'sent');
    try {
      const hitAt = Date.now();
      const res = await client.hitLink(v.link_code, v.user_agent, v.referrer);
      if (res.status < 300 || res.status >= 400) {
        stats.link_hits.failed++;
        count('click', 'rejected');
        error(`GET /r/${v.link_code}: HTTP ${res.status} (is the launch loaded into Pulseroom?)`);
        return;
      }
      stats.link_hits.redirected++;
      lastHitAt = Date.now();
      count('click', 'accepted');
      noteTs(hitAt);
      if (!res.clickId) {
        stats.link_hits.without_click_id++;
        return;
      }
      if (v.order) schedulePostbacks(v, v.order, res.clickId, hitAt);
    } catch (err) {
      stats.link_hits.failed++;
      count('click', 'rejected');
      error((err as Error).message);
    }
  };

  /**
   * The order (and refund) of a real click follow it in real time: the launch's delay divided by speed, never sooner
   * than minDelay.
   */
  const schedulePostbacks = (v: VisitAction, order: OrderPlan, clickId: string, hitAt: number) => {
    const after = (launchAt: number) => hitAt + Math.round(Math.max(minDelay, (launchAt - v.at) / opts.speed));
    const o = order.event;
    const at = after(order.at);
    realAgenda.push({
      at,
      kind: 'postback',
      type: 'conversion',
      params: {
        click_id: clickId,
        order_id: o.order_id,
        amount: o.amount.toFixed(2),
        currency: o.currency,
        status: o.status,
        items: o.items,
        customer: o.customer,
        campaign_id: o.campaign_id,
        ts: at,
        event_id: o.event_id,
      },
    });
    const c = order.change;
    // a network resends the conversion with its new status: a change of the order, not a duplicate
    if (c)
      realAgenda.push({
        at: Math.max(at + 1000, after(c.at)),
        kind: 'postback',
        type: 'conversion',
        params: {
          click_id: clickId,
          order_id: o.order_id,
          amount: o.amount.toFixed(2),
          currency: o.currency,
          status: c.event.status === 'reversed' ? 'reversed' : c.event.status,
          campaign_id: o.campaign_id,
          ts: Math.max(at + 1000, after(c.at)),
          event_id: c.event.event_id,
        },
      });
    const r = order.refund;
    if (!r) return;
    const rAt = Math.max(at + 1000, after(r.at));
    if (r.full) {
      realAgenda.push({
        at: rAt,
        kind: 'postback',
        type: 'refund',
        params: {
          order_id: o.order_id,
          amount: r.event.amount.toFixed(2),
          currency: r.event.currency,
          status: 'refunded',
          campaign_id: o.campaign_id,
          ts: rAt,
          event_id: r.event.event_id,
        },
      });
    } else realAgenda.push({ at: rAt, kind: 'event', event: { ...r.event, ts: rAt } });
  };

  const startTask = (p: Promise<void>) => {
    const t = p.finally(() => inflight.delete(t));
    inflight.add(t);
  };

  const dispatch = (item: Scheduled) => {
    if (item.kind === 'event') return queueEvent(item.event);
    if (item.kind === 'postback') {
      if (opts.resumeAfter !== undefined && item.at <= opts.resumeAfter) return;
      return startTask(sendPostback(item.params, item.type));
    }
    const a = item.action;
    if (a.kind === 'event') return queueEvent(a.event);
    const real = mode === 'always' || (mode === 'live' && a.at >= Date.now() - liveWindow);
    if (real) {
      if (opts.resumeAfter !== undefined && a.at <= opts.resumeAfter) return;
      return startTask(hit(a));
    }
    queueEvent(a.click);
    if (a.order) {
      agenda.push({ at: a.order.at, kind: 'event', event: a.order.event });
      if (a.order.refund) agenda.push({ at: a.order.refund.at, kind: 'event', event: a.order.refund.event });
      if (a.order.change) agenda.push({ at: a.order.change.at, kind: 'event', event: a.order.change.event });
    }
  };

  log(
    `simulating from ${new Date(startAt).toISOString()} at ${opts.speed}× (${Number.isFinite(minutes) ? `${minutes} launch minutes` : 'until stopped'}), ≤ ${opts.rate} events/s, seed ${opts.seed}, to ${opts.baseUrl}`,
  );
  let lastReport = Date.now();
  let launchDoneAt: number | undefined;
  let lastHitAt = 0;
  let lastDispatched = startAt;
  while (!opts.signal?.aborted && !fatal) {
    const now = launchNow();
    // Generate each launch minute once its start is reached.
    while (nextMinute < minutes && startAt + nextMinute * MINUTE_MS <= now) {
      const actions = generateMinute(plan, nextMinute);
      for (const a of actions) if (a.at < endAt) agenda.push({ at: a.at, kind: 'action', action: a });
      nextMinute++;
      stats.minutes_played = nextMinute;
    }
    const t = Date.now();
    tokens = Math.min(opts.rate, tokens + ((t - lastRefill) / 1000) * opts.rate);
    lastRefill = t;
    while (tokens >= 1 && agenda.size > 0 && agenda.peek()!.at <= now && inflight.size < concurrency) {
      const item = agenda.pop()!;
      if (item.at >= endAt) continue;
      if (item.kind === 'action') tally.add([item.action]);
      lastDispatched = item.at;
      dispatch(item);
      tokens -= 1;
      if (buffer.length >= batchSize) await flush();
    }
    while (tokens >= 1 && realAgenda.size > 0 && realAgenda.peek()!.at <= Date.now() && inflight.size < concurrency) {
      dispatch(realAgenda.pop()!);
      tokens -= 1;
      if (buffer.length >= batchSize) await flush();
    }
    if (buffer.length > 0 && (Date.now() - bufferSince >= flushMs || buffer.length >= batchSize)) await flush();
    const launchDone = nextMinute >= minutes && (agenda.size === 0 || agenda.peek()!.at >= endAt);
    if (launchDone) {
      // Wait for what follows the last real clicks, up to a short tail; later follow-ups are past the run.
      launchDoneAt ??= Date.now();
      const tailEnd = Math.max(launchDoneAt, lastHitAt) + minDelay + 5000;
      if (inflight.size === 0 && (realAgenda.size === 0 || realAgenda.peek()!.at > tailEnd)) break;
    }
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      log(
        `launch minute ${Math.floor((lastDispatched - startAt) / MINUTE_MS)}${lastDispatched < now - MINUTE_MS ? ` (${Math.round((now - lastDispatched) / 1000)} s behind: raise --rate?)` : ''}: sent ${stats.totals.sent} (accepted ${stats.totals.accepted}, duplicates ${stats.totals.duplicates}, rejected ${stats.totals.rejected}), ${stats.link_hits.redirected} link clicks, ${stats.postbacks.ok} postbacks`,
      );
    }
    if (inflight.size >= concurrency) await Promise.race(inflight);
    else await new Promise((r) => setTimeout(r, tokens < 1 ? Math.ceil(1000 / opts.rate) : 20));
  }
  await Promise.allSettled([...inflight]);
  await flush();
  if (fatal) error(`stopped: ${(fatal as Error).message}`);
  stats.retries = {
    rate_limited: client.retries.rateLimited,
    unavailable: client.retries.unavailable,
    network: client.retries.network,
  };
  stats.generated = tally.finish();
  log(
    `done: sent ${stats.totals.sent} (accepted ${stats.totals.accepted}, duplicates ${stats.totals.duplicates}, rejected ${stats.totals.rejected}); ${stats.link_hits.redirected}/${stats.link_hits.sent} link clicks redirected; ${stats.postbacks.ok}/${stats.postbacks.sent} postbacks`,
  );
  return stats;
}
