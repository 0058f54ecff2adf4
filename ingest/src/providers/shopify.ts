// Shopify's order webhooks (orders/create, orders/paid, orders/cancelled, refunds/create) → conversions and refunds.
import { clickIdOfUrl, dropUndefined, FieldReader, withIssues, type ProviderResult } from './providerEvents.js';

/** Names of the order's note attribute (a cart attribute set by our snippet) that carries the click id. */
export const CLICK_ID_ATTRIBUTES = ['click_id', '_click_id', 'pulseroom_click_id', '_pulseroom_click_id'];

/** The conversion status each order topic means; orders/create reads the order's financial_status. */
const TOPIC_STATUS: Record<string, string | undefined> = {
  'orders/create': undefined,
  'orders/paid': 'approved',
  'orders/cancelled': 'rejected',
};

/** Paid money is approved; money still to come (authorized, pending, partially paid) is pending; voided is rejected. */
const FINANCIAL_STATUS: Record<string, string> = {
  paid: 'approved',
  partially_refunded: 'approved',
  refunded: 'approved', // the refunds come as their own refunds/create
  pending: 'pending',
  authorized: 'pending',
  partially_paid: 'pending',
  voided: 'rejected',
};

/**
 * Maps one Shopify webhook to our events. The order id is Shopify's numeric order id (a refund names it as
 * `order_id`). Amounts are the shop's money (`*_set.shop_money`: the currency the shop reports and pays commission
 * in), the presentment currency the buyer saw only when the shop money is absent. A conversion's event id is the
 * webhook id, so a redelivery is a duplicate; a refund's is its own refund id, so two equal partial refunds are two.
 */
export function eventsFromShopify(topic: string, body: unknown, webhookId: string | undefined): ProviderResult {
  const r = new FieldReader();
  const o = r.object(body, '(root)');
  if (r.issues.length > 0) return withIssues([], r.issues);
  if (topic === 'refunds/create') {
    const refund = refundOf(o, r);
    // A refund that gave no money back (a restock, a note) changes no revenue: read, and nothing to store.
    if (r.issues.length === 0 && refund.amount === 0) return { kind: 'ignored', topic };
    return withIssues([refund], r.issues);
  }
  if (!(topic in TOPIC_STATUS)) return { kind: 'ignored', topic };

  const orderId = r.id(o.id, 'id');
  const financial = r.text(o.financial_status, 'financial_status');
  const status = TOPIC_STATUS[topic] ?? FINANCIAL_STATUS[financial ?? 'paid'] ?? 'pending';
  // An order created unpaid is pending; its orders/paid is the change to approved (another webhook id: not a duplicate),
  // and orders/cancelled the change to rejected (a reversal once approved).
  const money = shopMoney(r, o, 'total_price');
  const codes = r.list(o.discount_codes, 'discount_codes');
  const promo =
    codes.length > 0 ? r.text(r.object(codes[0], 'discount_codes[0]').code, 'discount_codes[0].code') : undefined;
  const items = r.list(o.line_items, 'line_items').reduce<number>((n, li, i) => {
    const q = r.object(li, `line_items[${i}]`).quantity;
    return n + (typeof q === 'number' && Number.isSafeInteger(q) && q > 0 ? q : 0);
  }, 0);
  const event = dropUndefined({
    type: 'conversion',
    event_id: webhookId ? `shopify-${webhookId}` : `shopify-${orderId}-${status}`,
    reason: topic === 'orders/cancelled' ? cancelReason(r.text(o.cancel_reason, 'cancel_reason')) : undefined,
    ts: r.text(o.processed_at, 'processed_at') ?? r.text(o.created_at, 'created_at'),
    order_id: orderId,
    amount: money.amount,
    currency: money.currency,
    status,
    promo_code: promo,
    click_id: clickIdOfUrl(r.text(o.landing_site, 'landing_site')) ?? clickIdOfAttributes(r, o.note_attributes),
    items: items > 0 ? items : undefined,
  });
  return withIssues([event], r.issues);
}

/**
 * A refund: what the shop gave back in shop money (refunded line items with their tax, less the order adjustments,
 * which Shopify writes negative for a refunded shipping fee); a refund of money alone, with neither, is its
 * successful refund transactions.
 */
function refundOf(o: Record<string, unknown>, r: FieldReader): Record<string, unknown> {
  const refundId = r.id(o.id, 'id');
  const orderId = r.id(o.order_id, 'order_id');
  let total = 0;
  let currency: string | undefined;
  let parts = 0;
  r.list(o.refund_line_items, 'refund_line_items').forEach((li, i) => {
    const line = r.object(li, `refund_line_items[${i}]`);
    for (const field of ['subtotal', 'total_tax']) {
      const m = shopMoney(r, line, field, `refund_line_items[${i}].`, false);
      if (m.amount !== undefined) {
        total += m.amount;
        currency ??= m.currency;
        parts++;
      }
    }
  });
  r.list(o.order_adjustments, 'order_adjustments').forEach((a, i) => {
    const adj = r.object(a, `order_adjustments[${i}]`);
    for (const field of ['amount', 'tax_amount']) {
      const m = shopMoney(r, adj, field, `order_adjustments[${i}].`, false);
      if (m.amount !== undefined) {
        total -= m.amount;
        currency ??= m.currency;
        parts++;
      }
    }
  });
  if (parts === 0) {
    r.list(o.transactions, 'transactions').forEach((t, i) => {
      const tx = r.object(t, `transactions[${i}]`);
      if (tx.kind !== 'refund' || tx.status !== 'success') return;
      total += r.decimal(tx.amount, `transactions[${i}].amount`) ?? 0;
      currency ??= r.text(tx.currency, `transactions[${i}].currency`);
    });
  }
  return dropUndefined({
    type: 'refund',
    event_id: `shopify-${orderId}-refund-${refundId}`,
    ts: r.text(o.processed_at, 'processed_at') ?? r.text(o.created_at, 'created_at'),
    order_id: orderId,
    // Summed in floating point: rounded back to the precision of the decimals summed.
    amount: Math.round(total * 1e6) / 1e6,
    currency: currency?.toUpperCase(),
  });
}

/** `<field>_set.shop_money` (amount, currency_code), else `<field>` with the order's `currency`. */
function shopMoney(
  r: FieldReader,
  o: Record<string, unknown>,
  field: string,
  at = '',
  required = true,
): { amount?: number; currency?: string } {
  const set = o[`${field}_set`];
  if (set !== undefined && set !== null) {
    const shop = r.object(r.object(set, `${at}${field}_set`).shop_money, `${at}${field}_set.shop_money`);
    return {
      amount: r.decimal(shop.amount, `${at}${field}_set.shop_money.amount`),
      currency: r.text(shop.currency_code, `${at}${field}_set.shop_money.currency_code`)?.toUpperCase(),
    };
  }
  return {
    amount: r.decimal(o[field], `${at}${field}`, required),
    currency: r.text(o.currency, `${at}currency`)?.toUpperCase(),
  };
}

function clickIdOfAttributes(r: FieldReader, value: unknown): string | undefined {
  for (const [i, a] of r.list(value, 'note_attributes').entries()) {
    const attr = r.object(a, `note_attributes[${i}]`);
    if (typeof attr.name === 'string' && CLICK_ID_ATTRIBUTES.includes(attr.name))
      return r.text(attr.value, `note_attributes[${i}].value`);
  }
  return undefined;
}

/** Shopify's cancel_reason (customer, fraud, inventory, declined, other) as a status change's reason. */
function cancelReason(reason: string | undefined): string {
  return reason ? `cancelled in Shopify (${reason})` : 'cancelled in Shopify';
}
