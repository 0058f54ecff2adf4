// Segment's tracking API (`track` calls, alone or in a `batch`): Order Completed and Order Refunded of the
// e-commerce spec v2 → conversion and refund events; any other call is read and left.
import type { PostbackEvent } from '../postbacks.js';
import { clickIdOfUrl, dropUndefined, FieldReader } from './providerEvents.js';

/** The UTM fields of `context.campaign`, in the order they fill sub1…sub5. */
const UTM = ['source', 'medium', 'name', 'content', 'term'] as const;

/**
 * Maps `track` calls. The amount is `total` (what the buyer paid, as a conversion's amount is everywhere else), else
 * `revenue`, else the products' price × quantity. The event id is Segment's `messageId`, its own de-duplication key:
 * a retried call is a duplicate, and two refunds of one order are two calls with two ids. The click id is
 * `properties.click_id`, else the one in the page URL the call was made on; the campaign's UTM fields go to sub1…5.
 * Returns null for a call that is not an order (a page view, an identify, another track).
 */
export function eventFromSegmentCall(call: unknown): PostbackEvent | null {
  const r = new FieldReader();
  const c = r.object(call, '(root)');
  if (r.issues.length > 0) return { event: {}, issues: r.issues };
  const name = r.text(c.event, 'event');
  if ((c.type !== undefined && c.type !== 'track') || (name !== 'Order Completed' && name !== 'Order Refunded'))
    return null;
  const p = r.object(c.properties, 'properties');
  const ctx = r.object(c.context, 'context', false);
  const products = r.list(p.products, 'properties.products');
  const base = {
    event_id: `segment-${r.id(c.messageId, 'messageId')}`,
    ts: r.text(c.timestamp, 'timestamp') ?? r.text(c.originalTimestamp, 'originalTimestamp'),
    campaign_id: r.id(p.campaign_id, 'properties.campaign_id', false),
    order_id: r.id(p.order_id, 'properties.order_id'),
    amount: amountOf(r, p, products),
    currency: r.text(p.currency, 'properties.currency')?.toUpperCase(),
  };
  if (name === 'Order Refunded') return { event: dropUndefined({ type: 'refund', ...base }), issues: r.issues };
  const campaign = r.object(ctx.campaign, 'context.campaign', false);
  const utm = UTM.map((k) => r.text(campaign[k], `context.campaign.${k}`) ?? '');
  const last = utm.reduce((n, s, j) => (s ? j + 1 : n), 0);
  const page = r.object(ctx.page, 'context.page', false);
  const event = dropUndefined({
    type: 'conversion',
    ...base,
    promo_code: r.text(p.coupon, 'properties.coupon'),
    click_id: r.id(p.click_id, 'properties.click_id', false) ?? clickIdOfUrl(r.text(page.url, 'context.page.url')),
    items: products.length > 0 ? products.reduce<number>((n, x) => n + quantityOf(x), 0) : undefined,
    sub: last > 0 ? utm.slice(0, last) : undefined,
  });
  return { event, issues: r.issues };
}

function amountOf(r: FieldReader, p: Record<string, unknown>, products: unknown[]): number | undefined {
  const total = r.decimal(p.total, 'properties.total', false) ?? r.decimal(p.revenue, 'properties.revenue', false);
  if (total !== undefined) return total;
  if (products.length === 0) {
    r.issues.push({
      path: 'properties.total',
      message: 'expected the order total (or revenue, or products with price and quantity)',
    });
    return undefined;
  }
  return products.reduce<number>((sum, x, j) => {
    const item = r.object(x, `properties.products[${j}]`);
    return sum + (r.decimal(item.price, `properties.products[${j}].price`) ?? 0) * quantityOf(item);
  }, 0);
}
const quantityOf = (x: unknown) => {
  const q = (x as { quantity?: unknown } | null)?.quantity;
  return typeof q === 'number' && Number.isSafeInteger(q) && q > 0 ? q : 1;
};
