// The launch as a pure function: generateMinute(plan, m) returns every action of launch minute m —
// events for /v1/events and link visits (with the order that follows, if any) — deterministic for the
// seed, with no I/O, so tests can drive it without a server and the HTTP sender stays thin.
import type { z } from 'zod';
import {
  dimensionFile,
  PLATFORMS_WITHOUT_REACH,
  PLATFORMS_WITHOUT_SAVES,
  type clickEvent,
  type conversionEvent,
  type Deal,
  type DimensionFile,
  type IncomingEvent,
  type incomingEvent,
  type Partner,
  type PartnerType,
  type Tier,
  type refundEvent,
  type statusEvent,
} from '@pulseroom/schema';
import {
  BOT_SHARE,
  CLICK_CR_BY_TYPE,
  ORDER_CURRENCY_MIX,
  PARTIAL_REFUND_SHARE,
  PROMO_PER_CLICK_ORDER,
  REFUND_SHARE,
  REPEAT_SHARE,
  PENDING_APPROVED_SHARE,
  CHARGEBACK_SHARE,
  STATUS_MIX,
  UNATTRIBUTABLE_SHARE,
} from './claims.js';
import { basket, catalogueFor, promoDiscount } from './basket.js';
import { postCaption, type IntendedDisclosure } from './captions.js';
import { commentText, type Mood } from './comments.js';
import type { LaunchFile } from './demoLaunch.js';
import { audienceLocale, commenterName } from './names.js';
import {
  CTR,
  expectedViewsBetween,
  LAUNCH_PHASE_MIN,
  MINUTE_MS,
  pickViral,
  planLaunchPosts,
  POST_LIFETIME_MIN,
  postUrl,
  steadyPostsAt,
  type Post,
  type Roster,
} from './posts.js';
import { Rng } from './random.js';
import { botUserAgent, referrerFor, visitorUserAgent, type Device } from './userAgents.js';

export type EventInput = z.input<typeof incomingEvent>;
export type ClickInput = z.input<typeof clickEvent>;
export type ConversionInput = z.input<typeof conversionEvent>;
export type StatusInput = z.input<typeof statusEvent>;
export type RefundInput = z.input<typeof refundEvent>;

/** An event sent as is through POST /v1/events. `at` = its launch time (epoch ms) = its ts. */
export interface EventAction {
  kind: 'event';
  at: number;
  event: EventInput;
  /** What the generator meant, for tests: a post's intended disclosure, a comment's mood, an order's origin. */
  note?: {
    disclosure?: IntendedDisclosure;
    mood?: Mood;
    tier?: Tier;
    partner_type?: PartnerType;
    order?: 'promo' | 'unattributable';
  };
}

/** A refund that follows an order. */
export interface RefundPlan {
  at: number;
  /** Sent as a refund event (any order) or, for a full refund of a postback order, as a `refunded` postback. */
  event: RefundInput;
  full: boolean;
}

/** A later change of an order's status: a pending order approved or rejected, an approved one charged back. */
export interface ChangePlan {
  at: number;
  event: StatusInput;
}

/** An order that follows a click. */
export interface OrderPlan {
  at: number;
  /** With the simulated click id; the sender swaps in the one from the 302 when the click went through /r/:code. */
  event: ConversionInput;
  refund?: RefundPlan;
  change?: ChangePlan;
}

/**
 * A visit to a tracking link: sent as a real GET /r/:code (UA, referrer) when the launch time is live,
 * or as the equivalent click event (with ts and a raw visitor id) when replaying the past.
 */
export interface VisitAction {
  kind: 'visit';
  at: number;
  id: string;
  campaign_id: string;
  partner_id: string;
  partner_type: PartnerType;
  link_code: string;
  user_agent: string;
  referrer?: string;
  device: Device;
  bot: boolean;
  /** The visitor's first click on this link (as far as the generator knows). */
  unique: boolean;
  click: ClickInput;
  order?: OrderPlan;
}

export type Action = EventAction | VisitAction;

export interface TrafficPlan extends Roster {
  startAt: number;
  launch: DimensionFile;
  headline: string;
  launchPosts: Map<number, Post[]>;
  viral: Post | null;
  crisis: { from: number; to: number };
  /** Promo codes by deal id, and the catalogue index of each campaign. */
  campaignIndex: Map<string, number>;
  campaignCurrency: Map<string, string>;
  steadyCache: Map<number, Post[]>;
}

export interface PlanOptions {
  launch: LaunchFile;
  seed: number;
  /** Epoch ms of launch minute 0. */
  startAt: number;
  /** The headline campaign (crisis, viral post, launch wave); default the file's first campaign. */
  headline?: string;
}

/** Launch minutes of the scripted crisis: a shipping-delay complaint wave. */
export const CRISIS_FROM_MIN = 6;
export const CRISIS_TO_MIN = 18;

export function planTraffic(opts: PlanOptions): TrafficPlan {
  const launch = dimensionFile.parse(opts.launch);
  if (launch.campaigns.length === 0) throw new Error('the launch file has no campaigns');
  const headline = opts.headline ?? launch.campaigns[0].id;
  if (!launch.campaigns.some((c) => c.id === headline))
    throw new Error(`headline campaign "${headline}" is not in the launch file`);
  const campaignIds = [headline, ...launch.campaigns.map((c) => c.id).filter((id) => id !== headline)];
  const roster: Roster = {
    seed: opts.seed,
    campaignIds,
    partners: new Map(launch.partners.map((p) => [p.id, p])),
    deals: launch.deals,
  };
  const launchPosts = planLaunchPosts(roster);
  const viral = pickViral(roster, launchPosts);
  return {
    ...roster,
    startAt: opts.startAt,
    launch,
    headline,
    launchPosts,
    viral,
    crisis: { from: CRISIS_FROM_MIN, to: CRISIS_TO_MIN },
    campaignIndex: new Map(campaignIds.map((id, i) => [id, i])),
    campaignCurrency: new Map(launch.campaigns.map((c) => [c.id, c.currency])),
    steadyCache: new Map(),
  };
}

function postsStartingAt(plan: TrafficPlan, minute: number): Post[] {
  if (minute < LAUNCH_PHASE_MIN) return plan.launchPosts.get(minute) ?? [];
  let list = plan.steadyCache.get(minute);
  if (!list) {
    list = steadyPostsAt(plan, minute);
    plan.steadyCache.set(minute, list);
    // Keep only what a live post can still need.
    for (const m of plan.steadyCache.keys())
      if (m < minute - POST_LIFETIME_MIN - 1 || m > minute + POST_LIFETIME_MIN) plan.steadyCache.delete(m);
  }
  return list;
}

/** How strongly the crisis is on in a minute: 0 → 1 (plateau) → 0. */
export function crisisIntensity(plan: Pick<TrafficPlan, 'crisis'>, minute: number): number {
  const { from, to } = plan.crisis;
  if (minute < from || minute >= to) return 0;
  const rampUp = Math.min(1, (minute - from + 1) / 3);
  const rampDown = Math.min(1, (to - minute) / 4);
  return Math.min(rampUp, rampDown);
}

const BASE_MOOD: ReadonlyArray<readonly [Mood, number]> = [
  ['positive', 0.72],
  ['neutral', 0.18],
  ['negative', 0.1],
];

class MinuteBuilder {
  readonly actions: Action[] = [];
  private counter = 0;
  constructor(
    readonly plan: TrafficPlan,
    readonly minute: number,
    readonly rng: Rng,
  ) {}

  id(kind: string): string {
    return `sim${this.plan.seed}-m${this.minute}-${kind}${this.counter++}`;
  }

  at(minOffsetMs = 0): number {
    return this.plan.startAt + this.minute * MINUTE_MS + this.rng.int(minOffsetMs, MINUTE_MS - 1);
  }

  event(at: number, event: EventInput, note?: EventAction['note']): void {
    this.actions.push({ kind: 'event', at, event, note });
  }
}

export function generateMinute(plan: TrafficPlan, minute: number): Action[] {
  const b = new MinuteBuilder(plan, minute, Rng.of(plan.seed, 'minute', minute));
  const crisis = crisisIntensity(plan, minute);
  for (const post of postsStartingAt(plan, minute)) emitPost(b, post);
  const active: Array<{ post: Post; views: number }> = [];
  for (let m = Math.max(0, minute - POST_LIFETIME_MIN + 1); m <= minute; m++) {
    for (const post of postsStartingAt(plan, m)) {
      const a0 = minute - post.minute - post.offsetMs / MINUTE_MS;
      const views = emitEngagement(b, post, a0, crisis);
      if (views > 0) active.push({ post, views });
    }
  }
  // The crisis also brings people who never commented before: complaints under the biggest headline posts.
  if (crisis > 0) {
    const headlinePosts = active.filter((x) => x.post.campaign_id === plan.headline);
    const extra = b.rng.poisson(25 * crisis);
    for (let i = 0; i < extra && headlinePosts.length; i++) {
      const { post } = b.rng.weighted(headlinePosts.map((x) => [x, x.views] as const));
      emitComment(b, post, 'crisis');
    }
  }
  b.actions.sort((x, y) => x.at - y.at);
  return b.actions;
}

function emitPost(b: MinuteBuilder, post: Post): void {
  const at = b.plan.startAt + post.minute * MINUTE_MS + post.offsetMs;
  const rng = Rng.of(b.plan.seed, 'caption', post.content_id);
  const cap = postCaption(rng, audienceLocale(b.plan.seed, post.partner.id), post.platform, post.deal.promo_codes[0]);
  b.event(
    at,
    {
      event_id: b.id('p'),
      type: 'post',
      ts: at,
      campaign_id: post.campaign_id,
      partner_id: post.partner.id,
      platform: post.platform,
      content_id: post.content_id,
      url: postUrl(post),
      caption: cap.caption,
      branded_content: cap.branded_content,
    },
    { disclosure: cap.intended, tier: post.tier, partner_type: post.partner.type },
  );
}

/** One minute of a post's engagement (1–2 delta events), its comments and its link clicks; returns its views. */
function emitEngagement(b: MinuteBuilder, post: Post, a0: number, crisis: number): number {
  const rng = b.rng;
  const start = Math.max(0, a0);
  const expected = expectedViewsBetween(post, start, a0 + 1);
  if (expected <= 0) return 0;
  const views = rng.round(expected * rng.between(0.85, 1.15));
  if (views === 0) return 0;
  const interactions = rng.round((views * post.er) / 100);
  const viral = post.viralFromMinute !== undefined && b.minute >= post.viralFromMinute;
  const hasReach = !PLATFORMS_WITHOUT_REACH.has(post.platform);
  const hasSaves = !PLATFORMS_WITHOUT_SAVES.has(post.platform);
  const comments = rng.round(interactions * 0.04);
  const shares = rng.round(interactions * (viral ? 0.25 : 0.06));
  const saves = hasSaves ? rng.round(interactions * 0.08) : 0;
  const likes = Math.max(0, interactions - comments - shares - saves);
  const parts = a0 < 30 && views > 1 ? 2 : 1;
  const minOffset = a0 < 0 ? post.offsetMs : 0;
  const split = (n: number, i: number) => (parts === 1 ? n : i === 0 ? Math.floor(n / 2) : n - Math.floor(n / 2));
  for (let i = 0; i < parts; i++) {
    const v = split(views, i);
    const e: EventInput = {
      event_id: b.id('e'),
      type: 'engagement',
      ts: 0,
      campaign_id: post.campaign_id,
      partner_id: post.partner.id,
      platform: post.platform,
      content_id: post.content_id,
      views: v,
      likes: split(likes, i),
      comments: split(comments, i),
      shares: split(shares, i),
      follows: rng.round(v * 0.0008),
    };
    if (hasReach) e.reach = Math.round(v * 0.78);
    if (hasSaves) e.saves = split(saves, i);
    const at = b.at(Math.min(MINUTE_MS - 1, minOffset + 1000));
    e.ts = at;
    b.event(at, e, { tier: post.tier, partner_type: post.partner.type });
  }
  // Comment texts: the platform sends each new comment (capped per post and minute).
  const texts = Math.min(comments, 8);
  for (let i = 0; i < texts; i++) {
    const isHeadline = post.campaign_id === b.plan.headline;
    const mood: Mood = isHeadline && rng.chance(0.5 * crisis) ? 'crisis' : rng.weighted(BASE_MOOD);
    emitComment(b, post, mood, minOffset);
  }
  emitClicks(b, post, views, minOffset);
  return views;
}

function emitComment(b: MinuteBuilder, post: Post, mood: Mood, minOffset = 0): void {
  const rng = b.rng;
  const { text, lang } = commentText(rng, audienceLocale(b.plan.seed, post.partner.id), mood);
  const at = b.at(Math.min(MINUTE_MS - 1, minOffset + 2000));
  const e: EventInput = {
    event_id: b.id('c'),
    type: 'comment',
    ts: at,
    campaign_id: post.campaign_id,
    partner_id: post.partner.id,
    platform: post.platform,
    content_id: post.content_id,
    text,
    author: commenterName(rng, lang),
  };
  // Some platforms tell the language; let ingest detect the rest.
  if (rng.chance(0.5)) e.lang = lang;
  b.event(at, e, { mood, tier: post.tier, partner_type: post.partner.type });
}

function fakeIp(rng: Rng): string {
  return `${rng.pick([31, 46, 62, 77, 81, 85, 88, 91, 176, 185, 188, 212, 213, 217])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function emitClicks(b: MinuteBuilder, post: Post, views: number, minOffset: number): void {
  const rng = b.rng;
  const link = post.deal.links.find((l) => l.platform === post.platform) ?? post.deal.links[0];
  if (!link) {
    // No link to click: the audience can still buy with the promo code.
    const orders = rng.poisson(views * 0.002 * CLICK_CR_BY_TYPE[post.partner.type] * (1 + PROMO_PER_CLICK_ORDER));
    for (let i = 0; i < orders; i++) emitPromoOrder(b, post.deal, b.at(minOffset));
    return;
  }
  const n = rng.poisson(views * CTR[post.platform]);
  const seen: Array<{ ua: string; device: Device; visitor: string }> = [];
  for (let i = 0; i < n; i++) {
    const at = b.at(Math.min(MINUTE_MS - 1, minOffset + 3000));
    const bot = rng.chance(BOT_SHARE);
    let who: { ua: string; device: Device; visitor: string };
    let unique = true;
    if (bot) {
      const ua = botUserAgent(rng);
      who = { ua, device: 'bot', visitor: `${fakeIp(rng)} ${ua}` };
    } else if (seen.length > 0 && rng.chance(REPEAT_SHARE)) {
      who = rng.pick(seen);
      unique = false;
    } else {
      const { ua, device } = visitorUserAgent(rng);
      who = { ua, device, visitor: `${fakeIp(rng)} ${ua}` };
      seen.push(who);
    }
    const clickId = b.id('k');
    const referrer = referrerFor(post.platform, rng);
    const click: ClickInput = {
      event_id: clickId,
      type: 'click',
      ts: at,
      campaign_id: post.campaign_id,
      partner_id: post.partner.id,
      platform: post.platform,
      link_code: link.code,
      click_id: clickId,
      utm_source: link.utm_source,
      utm_medium: link.utm_medium,
      utm_campaign: link.utm_campaign,
      utm_content: link.utm_content,
      device: who.device,
      user_agent: who.ua,
      visitor: who.visitor,
    };
    if (referrer) click.referrer = referrer;
    const visit: VisitAction = {
      kind: 'visit',
      at,
      id: clickId,
      campaign_id: post.campaign_id,
      partner_id: post.partner.id,
      partner_type: post.partner.type,
      link_code: link.code,
      user_agent: who.ua,
      referrer,
      device: who.device,
      bot,
      unique,
      click,
    };
    if (!bot && unique && rng.chance(CLICK_CR_BY_TYPE[post.partner.type])) {
      visit.order = orderAfterClick(b, post.deal, at, clickId);
      if (rng.chance(PROMO_PER_CLICK_ORDER)) emitPromoOrder(b, post.deal, at);
      if (rng.chance(UNATTRIBUTABLE_SHARE / (1 - UNATTRIBUTABLE_SHARE))) emitUnattributable(b, post.campaign_id, at);
    }
    b.actions.push(visit);
  }
}

function orderStatus(rng: Rng): 'approved' | 'pending' | 'rejected' {
  return rng.weighted(Object.entries(STATUS_MIX) as Array<[keyof typeof STATUS_MIX, number]>);
}

function orderEvent(b: MinuteBuilder, campaignId: string, at: number, promo: string | undefined): ConversionInput {
  const rng = b.rng;
  const currency = rng.weighted(ORDER_CURRENCY_MIX[b.plan.campaignCurrency.get(campaignId) ?? 'USD'] ?? [['USD', 1]]);
  const cart = basket(
    rng,
    catalogueFor(campaignId, b.plan.campaignIndex.get(campaignId) ?? 1),
    currency,
    promoDiscount(promo),
  );
  return {
    event_id: b.id('o'),
    type: 'conversion',
    ts: at,
    campaign_id: campaignId,
    order_id: `SO-${b.plan.seed}-${b.minute}-${b.rng.token(6, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}`,
    amount: cart.amount,
    currency,
    customer: rng.chance(0.7) ? 'new' : 'returning',
    items: cart.items,
    status: orderStatus(rng),
  };
}

/** Minutes between a click and its order (a few minutes, sometimes an hour), never under 45 s. */
function orderDelayMs(rng: Rng): number {
  return Math.round(Math.min(120, Math.max(0.75, rng.logNormal(7, 0.8))) * MINUTE_MS);
}

function refundFor(b: MinuteBuilder, order: ConversionInput, orderAt: number): RefundPlan | undefined {
  const rng = b.rng;
  if (order.status !== 'approved' || !rng.chance(REFUND_SHARE)) return undefined;
  const full = !rng.chance(PARTIAL_REFUND_SHARE);
  const amount = full ? order.amount : Math.round(order.amount * rng.between(0.15, 0.5) * 100) / 100;
  const at = orderAt + Math.round(rng.logNormal(45, 0.6) * MINUTE_MS);
  return {
    at,
    full,
    event: {
      event_id: b.id('r'),
      type: 'refund',
      ts: at,
      campaign_id: order.campaign_id,
      order_id: order.order_id,
      amount,
      currency: order.currency,
    },
  };
}

/** A share in [0, 1) drawn from the order id (FNV-1a): the launch's random sequence stays as it was. */
function shareOf(id: string, salt: string): number {
  let h = 0x811c9dc5;
  for (const c of `${salt}:${id}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

/**
 * The status change an order gets later: a pending order is approved (most) or rejected 20 minutes to 2 hours after,
 * a few approved ones are charged back hours later.
 */
function changeFor(b: MinuteBuilder, order: ConversionInput, orderAt: number): ChangePlan | undefined {
  const id = order.order_id;
  const after = (lo: number, hi: number) => orderAt + Math.round((lo + (hi - lo) * shareOf(id, 'delay')) * MINUTE_MS);
  const make = (status: 'approved' | 'rejected' | 'reversed', at: number, reason?: string): ChangePlan => ({
    at,
    event: {
      event_id: b.id('s'),
      type: 'status',
      ts: at,
      campaign_id: order.campaign_id,
      order_id: id,
      status,
      ...(reason ? { reason } : {}),
    },
  });
  if (order.status === 'pending')
    return shareOf(id, 'approve') < PENDING_APPROVED_SHARE
      ? make('approved', after(20, 120), 'payment captured')
      : make('rejected', after(20, 120), 'payment failed');
  if (order.status === 'approved' && shareOf(id, 'chargeback') < CHARGEBACK_SHARE)
    return make('reversed', after(120, 360), 'chargeback');
  return undefined;
}

function orderAfterClick(b: MinuteBuilder, deal: Deal, clickAt: number, clickId: string): OrderPlan {
  const at = clickAt + orderDelayMs(b.rng);
  const event = { ...orderEvent(b, deal.campaign_id, at, undefined), click_id: clickId };
  return { at, event, refund: refundFor(b, event, at), change: changeFor(b, event, at) };
}

function emitPromoOrder(b: MinuteBuilder, deal: Deal, from: number): void {
  const code = deal.promo_codes[0];
  if (!code) return;
  const at = from + orderDelayMs(b.rng);
  const event = {
    ...orderEvent(b, deal.campaign_id, at, code),
    promo_code: b.rng.chance(0.2) ? code.toLowerCase() : code,
  };
  b.event(at, event, { order: 'promo' });
  const refund = refundFor(b, event, at);
  if (refund) b.event(refund.at, refund.event);
  const change = changeFor(b, event, at);
  if (change) b.event(change.at, change.event);
}

const UNKNOWN_PROMOS = ['WELCOME10', 'BLACKFRIDAY25', 'NEWSLETTER5', 'STAFF30'];

function emitUnattributable(b: MinuteBuilder, campaignId: string, from: number): void {
  const rng = b.rng;
  const at = from + orderDelayMs(rng);
  const kind = rng.int(0, 2);
  const base = orderEvent(b, campaignId, at, kind === 0 ? rng.pick(UNKNOWN_PROMOS) : undefined);
  const event: ConversionInput =
    kind === 0
      ? { ...base, promo_code: rng.pick(UNKNOWN_PROMOS) }
      : kind === 1
        ? { ...base, click_id: `expired-${rng.token(12)}` }
        : base;
  b.event(at, event, { order: 'unattributable' });
}

/** The partners and types behind a plan, for stats. */
export function partnerOf(plan: TrafficPlan, id: string): Partner | undefined {
  return plan.partners.get(id);
}

export type { IncomingEvent };
