// Affiliate-network postbacks and JSON conversions → conversion or refund events, before the common validation.
// Every parameter we know is checked for its type here: a field present with the wrong type is an error naming it,
// never silently dropped (zod strips what it does not know, so it cannot see a `sub` that was not an array).
import type { FieldError } from '@pulseroom/schema';

const STATUS_ALIASES: Record<string, string> = {
  approved: 'approved',
  approve: 'approved',
  confirmed: 'approved',
  paid: 'approved',
  '1': 'approved',
  pending: 'pending',
  open: 'pending',
  '0': 'pending',
  rejected: 'rejected',
  declined: 'rejected',
  denied: 'rejected',
  cancelled: 'rejected',
  canceled: 'rejected',
  '2': 'rejected',
  refunded: 'refunded',
  refund: 'refunded',
  // taken back after approval: the order's net amount and commission leave the approved figures (not a refund of money)
  reversed: 'reversed',
  reverse: 'reversed',
  chargeback: 'reversed',
};

/** How each known parameter must look: text (a string, or a number taken as its digits), a number, a time, a list. */
type Kind = 'text' | 'number' | 'time' | 'list';
const SUBS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;
export const POSTBACK_PARAMETERS: Readonly<Record<string, Kind>> = {
  event_id: 'text',
  ts: 'time',
  campaign_id: 'text',
  partner_id: 'text',
  order_id: 'text',
  orderid: 'text',
  amount: 'number',
  payout_amount: 'number',
  sale_amount: 'number',
  currency: 'text',
  status: 'text',
  click_id: 'text',
  transaction_id: 'text',
  clickid: 'text',
  promo_code: 'text',
  coupon: 'text',
  customer: 'text',
  items: 'number',
  refund_id: 'text',
  key: 'text',
  sub: 'list',
  ...Object.fromEntries(SUBS.map((s) => [s, 'text' as const])),
};

const EXPECTED: Record<Kind, string> = {
  text: 'expected a string',
  number: 'expected a number',
  time: 'expected an ISO-8601 date-time or epoch milliseconds',
  list: 'expected an array of at most 5 strings (or send sub1…sub5)',
};

export interface PostbackEvent {
  /** The event for validation; fields with issues are left out of it. */
  event: Record<string, unknown>;
  /** Known parameters present with the wrong type, each naming the parameter as sent. */
  issues: FieldError[];
}

/**
 * Maps postback parameters (click_id or transaction_id, order_id, amount, currency, status, sub1…sub5 or sub,
 * optional campaign_id, promo_code, event_id, ts; refund_id on a refund) to an event. The default event_id makes
 * a redelivered postback a duplicate: `pb-<order>-<status>` for a conversion; for a refund
 * `pb-<order>-refund-<refund_id>` when the refund has an id (`refund_id`, or `transaction_id` as networks call it),
 * else `pb-<order>-refunded-<amount>` (so two refunds of one amount on one order without ids count once).
 * An empty value or JSON null is a parameter not sent.
 */
export function eventFromPostback(p: Record<string, unknown>, now: number): PostbackEvent {
  const issues: FieldError[] = [];
  const v: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(POSTBACK_PARAMETERS)) {
    const raw = p[name];
    if (raw === undefined || raw === null || raw === '') continue;
    const value = typed(raw, kind);
    if (value === INVALID)
      issues.push({
        path: name,
        message: Array.isArray(raw) && kind !== 'list' ? `${EXPECTED[kind]}, not a repeated parameter` : EXPECTED[kind],
      });
    else v[name] = value;
  }
  const rawStatus = (v.status as string | undefined)?.toLowerCase() ?? 'approved';
  const status = STATUS_ALIASES[rawStatus] ?? rawStatus;
  const orderId = v.order_id ?? v.orderid;
  const amount = v.amount ?? v.payout_amount ?? v.sale_amount;
  const base = {
    ts: v.ts ?? (p.ts === undefined ? now : undefined),
    campaign_id: v.campaign_id,
    partner_id: v.partner_id,
    order_id: orderId,
  };
  const currency = (v.currency as string | undefined)?.toUpperCase();
  if (status === 'refunded') {
    const refundId = v.refund_id ?? v.transaction_id;
    const eventId =
      v.event_id ??
      (refundId !== undefined ? `pb-${orderId}-refund-${refundId}` : `pb-${orderId}-refunded-${amount ?? 'full'}`);
    return { event: drop({ type: 'refund', event_id: eventId, ...base, amount, currency }), issues };
  }
  const subs = SUBS.map((s) => v[s] as string | undefined);
  const lastSub = subs.reduce((n, s, i) => (s !== undefined ? i + 1 : n), 0);
  const event = drop({
    type: 'conversion',
    event_id: v.event_id ?? `pb-${orderId}-${status}`,
    ...base,
    amount,
    currency,
    click_id: v.click_id ?? v.transaction_id ?? v.clickid,
    promo_code: v.promo_code ?? v.coupon,
    customer: v.customer,
    items: v.items,
    status,
    sub: v.sub ?? (lastSub > 0 ? subs.slice(0, lastSub).map((s) => s ?? '') : undefined),
  });
  return { event, issues };
}

/** A JSON conversion (`POST /v1/conversions`): the same fields as a postback, typed. */
export function eventFromConversionJson(o: unknown, now: number): PostbackEvent {
  if (!o || typeof o !== 'object' || Array.isArray(o))
    return { event: {}, issues: [{ path: '(root)', message: 'expected a JSON object' }] };
  return eventFromPostback(o as Record<string, unknown>, now);
}

const INVALID = Symbol('invalid');

/** A parameter as its kind wants it (text trimmed, numbers from their text); INVALID when it cannot be. */
function typed(raw: unknown, kind: Kind): unknown {
  if (kind === 'list') return Array.isArray(raw) ? raw : INVALID;
  if (typeof raw === 'number') return kind === 'text' ? String(raw) : raw;
  if (typeof raw !== 'string') return INVALID;
  const s = raw.trim();
  if (kind === 'text') return s === '' ? undefined : s;
  // Numbers arrive as text in a URL: those that look like numbers are parsed; any other text is left for zod to
  // name with its own message ("12,50" for an amount: expected a number ≥ 0).
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
