// Affiliate-network postbacks and JSON conversions → conversion or refund events, before the common validation.

const STATUS_ALIASES: Record<string, string> = {
  approved: 'approved', approve: 'approved', confirmed: 'approved', paid: 'approved', '1': 'approved',
  pending: 'pending', open: 'pending', '0': 'pending',
  rejected: 'rejected', declined: 'rejected', denied: 'rejected', cancelled: 'rejected', canceled: 'rejected', '2': 'rejected',
  refunded: 'refunded', refund: 'refunded', reversed: 'refunded', chargeback: 'refunded',
};

const str = (v: unknown): string | undefined => {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** Numbers arrive as text in a URL: parse those that look like numbers; anything else is left for zod to name. */
const num = (v: unknown): unknown => {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
  return v === '' ? undefined : v;
};

const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Maps postback parameters (click_id or transaction_id, order_id, amount, currency, status, sub1…sub5,
 * optional campaign_id, promo_code, event_id, ts) to an event. The default event_id makes a
 * redelivered postback a duplicate.
 */
export function eventFromPostback(p: Record<string, unknown>, now: number): Record<string, unknown> {
  const rawStatus = str(p.status)?.toLowerCase() ?? 'approved';
  const status = STATUS_ALIASES[rawStatus] ?? rawStatus;
  const orderId = str(p.order_id) ?? str(p.orderid);
  const amount = num(p.amount ?? p.payout_amount ?? p.sale_amount);
  const currency = str(p.currency)?.toUpperCase();
  const base = {
    ts: p.ts === undefined ? now : num(p.ts),
    campaign_id: str(p.campaign_id),
    partner_id: str(p.partner_id),
    order_id: orderId,
  };
  if (status === 'refunded') {
    return drop({ type: 'refund', event_id: str(p.event_id) ?? `pb-${orderId}-refunded-${amount ?? 'full'}`, ...base, amount, currency });
  }
  const subs = [p.sub1, p.sub2, p.sub3, p.sub4, p.sub5].map(str);
  const lastSub = subs.reduce((n, s, i) => (s !== undefined ? i + 1 : n), 0);
  return drop({
    type: 'conversion',
    event_id: str(p.event_id) ?? `pb-${orderId}-${status}`,
    ...base,
    amount,
    currency,
    click_id: str(p.click_id) ?? str(p.transaction_id) ?? str(p.clickid),
    promo_code: str(p.promo_code) ?? str(p.coupon),
    customer: str(p.customer),
    items: num(p.items),
    status,
    sub: lastSub > 0 ? subs.slice(0, lastSub).map((s) => s ?? '') : undefined,
  });
}

/** A JSON conversion (`POST /v1/conversions`): the same fields as a postback, typed. */
export function eventFromConversionJson(o: unknown, now: number): Record<string, unknown> {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { type: 'conversion' };
  const rec = o as Record<string, unknown>;
  const ev = eventFromPostback(rec, now);
  if (Array.isArray(rec.sub)) ev.sub = rec.sub;
  // JSON is typed: a text field sent as an object, array or boolean is named by validation, not silently dropped.
  for (const k of ['event_id', 'campaign_id', 'partner_id', 'order_id', 'currency', 'click_id', 'promo_code', 'customer', 'status'] as const) {
    const v = rec[k];
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') ev[k] = v;
  }
  return ev;
}
