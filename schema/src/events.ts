// zod schemas of the events sources send (facts), and the shapes ingest derives from them.
import { z } from 'zod';
import {
  count,
  expected,
  money,
  platform,
  slugId,
  text,
  timestamp,
  PLATFORMS_WITHOUT_REACH,
  PLATFORMS_WITHOUT_SAVES,
} from './common.js';
import { currencyCode } from './money.js';

export const EVENT_TYPES = ['engagement', 'comment', 'click', 'conversion', 'refund', 'status', 'post'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const base = {
  event_id: z
    .string({ error: 'expected a string event_id' })
    .min(1, 'expected a non-empty event_id')
    .max(128, 'expected at most 128 characters')
    .regex(/^[\x21-\x7E]+$/, 'expected printable ASCII without spaces'),
  ts: timestamp,
  campaign_id: slugId,
  partner_id: slugId.optional(),
  platform: platform.optional(),
};

/** A signed delta: negative values are allowed only on an explicit correction. */
const delta = z.number({ error: 'expected a whole number' }).int('expected a whole number').min(-1e12).max(1e12);

export const engagementEvent = z
  .object({
    ...base,
    type: z.literal('engagement'),
    content_id: slugId,
    views: delta.default(0),
    reach: delta.optional(),
    likes: delta.default(0),
    comments: delta.default(0),
    shares: delta.default(0),
    saves: delta.optional(),
    follows: delta.default(0),
    correction: z.boolean({ error: expected('expected true or false') }).default(false),
  })
  .superRefine((e, ctx) => {
    if (!e.correction) {
      for (const key of ['views', 'reach', 'likes', 'comments', 'shares', 'saves', 'follows'] as const) {
        const v = e[key];
        if (v !== undefined && v < 0)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'expected a number ≥ 0 (send correction: true to subtract)',
          });
      }
    }
    if (e.platform && PLATFORMS_WITHOUT_REACH.has(e.platform) && e.reach !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reach'], message: `${e.platform} does not report reach` });
    }
    if (e.platform && PLATFORMS_WITHOUT_SAVES.has(e.platform) && e.saves !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['saves'], message: `${e.platform} does not report saves` });
    }
  });

export const commentEvent = z.object({
  ...base,
  type: z.literal('comment'),
  content_id: slugId,
  text: text(5000).min(1, 'expected a non-empty text'),
  author: text(256).optional(),
  lang: z
    .string({ error: expected('expected a two-letter language code') })
    .regex(/^[a-z]{2}$/, 'expected a two-letter language code')
    .optional(),
});

const utm = {
  utm_source: text(256).optional(),
  utm_medium: text(256).optional(),
  utm_campaign: text(256).optional(),
  utm_content: text(256).optional(),
  utm_term: text(256).optional(),
};

const DEVICES = ['desktop', 'mobile', 'tablet', 'bot', 'other'] as const;
export const clickEvent = z.object({
  ...base,
  type: z.literal('click'),
  link_code: slugId,
  click_id: slugId.optional(),
  ...utm,
  referrer: text(2048).optional(),
  device: z.enum(DEVICES, { error: expected(`expected one of ${DEVICES.join(', ')}`) }).optional(),
  user_agent: text(1024).optional(),
  /** A raw visitor identifier (cookie id, IP + UA): hashed at ingest, never stored. */
  visitor: text(512).optional(),
});

/**
 * A conversion's lifecycle: pending → approved → reversed (a refund or chargeback after approval), or rejected. Each
 * change is its own event (a `conversion` of a known order with another status, or a `status` event); the same status
 * again is a duplicate.
 */
export const CONVERSION_STATUSES = ['approved', 'pending', 'rejected', 'reversed'] as const;
export type ConversionStatus = (typeof CONVERSION_STATUSES)[number];
const CUSTOMERS = ['new', 'returning'] as const;
export const conversionEvent = z.object({
  ...base,
  type: z.literal('conversion'),
  order_id: slugId,
  amount: money,
  currency: currencyCode,
  click_id: slugId.optional(),
  promo_code: z
    .string({ error: expected('expected a promo code') })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a promo code of letters, digits, "_" or "-"')
    .optional(),
  customer: z.enum(CUSTOMERS, { error: expected(`expected one of ${CUSTOMERS.join(', ')}`) }).optional(),
  items: count.max(100_000).default(1),
  status: z
    .enum(CONVERSION_STATUSES, { error: expected(`expected one of ${CONVERSION_STATUSES.join(', ')}`) })
    .default('approved'),
  /** Why the status is what it is, kept with a change of a known order's status ("cancelled by customer"). */
  reason: text(500).optional(),
  sub: z
    .array(text(256), { error: expected('expected an array of at most 5 strings') })
    .max(5, 'expected an array of at most 5 strings')
    .optional(),
});

export const refundEvent = z.object({
  ...base,
  type: z.literal('refund'),
  order_id: slugId,
  amount: money.refine((a) => a > 0, 'expected an amount > 0'),
  currency: currencyCode.optional(),
});

/** A change of an order's status, for a sender that knows only the order (a chargeback, a network's approval). */
export const statusEvent = z.object({
  ...base,
  type: z.literal('status'),
  order_id: slugId,
  status: z.enum(CONVERSION_STATUSES, { error: expected(`expected one of ${CONVERSION_STATUSES.join(', ')}`) }),
  reason: text(500).optional(),
});

export const postEvent = z.object({
  ...base,
  type: z.literal('post'),
  content_id: slugId,
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048),
  caption: text(10_000).default(''),
  branded_content: z.boolean({ error: expected('expected true or false') }).default(false),
});

export const incomingEvent = z.discriminatedUnion(
  'type',
  [engagementEvent, commentEvent, clickEvent, conversionEvent, refundEvent, statusEvent, postEvent],
  {
    error: `expected "type" to be one of ${EVENT_TYPES.join(', ')}`,
  },
);

export type IncomingEvent = z.infer<typeof incomingEvent>;
export type EngagementEvent = z.infer<typeof engagementEvent>;
export type CommentEvent = z.infer<typeof commentEvent>;
export type ClickEvent = z.infer<typeof clickEvent>;
export type ConversionEvent = z.infer<typeof conversionEvent>;
export type RefundEvent = z.infer<typeof refundEvent>;
export type StatusEvent = z.infer<typeof statusEvent>;
export type PostEvent = z.infer<typeof postEvent>;

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_BATCH_BYTES = 1024 * 1024;

/** The batch envelope; events are validated one by one so good ones survive bad neighbours. */
export const eventBatch = z.object({
  events: z
    .array(z.unknown(), { error: 'expected "events" to be an array' })
    .min(1, 'expected at least one event')
    .max(MAX_EVENTS_PER_BATCH, `expected at most ${MAX_EVENTS_PER_BATCH} events`),
});

export const SENTIMENT_LABELS = ['pos', 'neu', 'neg', 'unscored'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];
export const DISCLOSURES = ['clear', 'weak', 'missing'] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

/**
 * One row of the `events` table: every event type in one wide row, enriched at ingest.
 * Money is integer minor units of the campaign currency, with the original kept beside it.
 */
export const storedEvent = z.object({
  event_id: z.string(),
  source_id: z.string(),
  batch_id: z.string(),
  type: z.enum(EVENT_TYPES),
  ts: z.number(), // epoch ms
  received_at: z.number(),
  campaign_id: z.string(),
  partner_id: z.string(), // '' when unattributed
  platform: z.string(),
  content_id: z.string(),
  views: z.number(),
  reach: z.number(),
  has_reach: z.number(),
  likes: z.number(),
  comments: z.number(),
  shares: z.number(),
  saves: z.number(),
  follows: z.number(),
  correction: z.number(),
  text: z.string(),
  sentiment: z.number(),
  label: z.enum(SENTIMENT_LABELS).or(z.literal('')),
  lang: z.string(),
  author_hash: z.string(),
  /** the terms that weighed most in a comment's sentiment (at most three; [] when none): the "why" shown on hover */
  sentiment_terms: z.array(z.string()),
  link_code: z.string(),
  click_id: z.string(),
  utm_source: z.string(),
  utm_medium: z.string(),
  utm_campaign: z.string(),
  utm_content: z.string(),
  utm_term: z.string(),
  referrer: z.string(),
  device: z.string(),
  visitor_hash: z.string(),
  bot: z.number(),
  is_unique: z.number(),
  order_id: z.string(),
  status: z.string(),
  customer: z.string(),
  items: z.number(),
  promo_code: z.string(),
  amount_minor: z.number(), // campaign currency; negative for refunds
  currency: z.string(), // campaign currency
  orig_amount_minor: z.number(),
  orig_currency: z.string(),
  commission_minor: z.number(),
  attributed: z.number(),
  converted: z.number(),
  suspicious: z.number(),
  url: z.string(),
  caption: z.string(),
  branded_content: z.number(),
  disclosure: z.enum(DISCLOSURES).or(z.literal('')),
  /**
   * On a `status` row: the order's status before this change ('' when the order was not known yet: kept, applied when
   * the order arrives; the status itself when the change is older than the order's current one: history only).
   */
  from_status: z.string(),
  /** Why the status changed, as the sender said ("chargeback", "cancelled by customer"). */
  status_reason: z.string(),
});
export type StoredEvent = z.infer<typeof storedEvent>;

type StatusFields = Pick<StoredEvent, 'type' | 'status' | 'from_status'>;

/** A `status` row that changed its order's status: not one waiting for its order, nor an older status kept as history. */
export const isAppliedChange = (r: StatusFields) =>
  r.type === 'status' && r.from_status !== '' && r.from_status !== r.status;

/** A status change or refund stored before its order was known: counted nowhere until ingest applies it. */
export const isWaitingForOrder = (r: StatusFields) =>
  (r.type === 'status' && r.from_status === '') || (r.type === 'refund' && r.status === '');

/** A stored row with every field at its neutral value; enrichment fills in what applies. */
export function blankStoredEvent(): StoredEvent {
  return {
    event_id: '',
    source_id: '',
    batch_id: '',
    type: 'engagement',
    ts: 0,
    received_at: 0,
    campaign_id: '',
    partner_id: '',
    platform: '',
    content_id: '',
    views: 0,
    reach: 0,
    has_reach: 0,
    likes: 0,
    comments: 0,
    shares: 0,
    saves: 0,
    follows: 0,
    correction: 0,
    text: '',
    sentiment: 0,
    label: '',
    lang: '',
    author_hash: '',
    sentiment_terms: [],
    link_code: '',
    click_id: '',
    utm_source: '',
    utm_medium: '',
    utm_campaign: '',
    utm_content: '',
    utm_term: '',
    referrer: '',
    device: '',
    visitor_hash: '',
    bot: 0,
    is_unique: 0,
    order_id: '',
    status: '',
    customer: '',
    items: 0,
    promo_code: '',
    amount_minor: 0,
    currency: '',
    orig_amount_minor: 0,
    orig_currency: '',
    commission_minor: 0,
    attributed: 0,
    converted: 0,
    suspicious: 0,
    url: '',
    caption: '',
    branded_content: 0,
    disclosure: '',
    from_status: '',
    status_reason: '',
  };
}
