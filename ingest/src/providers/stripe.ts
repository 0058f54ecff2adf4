// Stripe webhooks (checkout.session.completed, charge.refunded, charge.dispute.created) → conversions and refunds,
// and the check of their `Stripe-Signature` header.
import { fromMinor } from '@pulseroom/schema';
import { validHmacSha256 } from '@pulseroom/schema/server';
import { dropUndefined, FieldReader, withIssues, type ProviderResult } from './providerEvents.js';

/** Stripe's own default: a signature older than five minutes may be a replay. */
export const STRIPE_TOLERANCE_MS = 5 * 60_000;

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=…]`: valid when any v1 is the HMAC-SHA256 of `<t>.<raw body>`
 * under the endpoint secret (several v1 while a secret is being rolled); 'stale' when valid but outside the tolerance.
 */
export function checkStripeSignature(
  header: string | undefined,
  raw: Buffer,
  secret: string,
  now: number,
): 'valid' | 'invalid' | 'stale' {
  if (!header) return 'invalid';
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.split('=', 2).map((s) => s.trim());
    if (k === 't') t = v;
    else if (k === 'v1' && v) v1.push(v);
  }
  if (!t || !/^\d{1,12}$/.test(t) || v1.length === 0) return 'invalid';
  const payload = Buffer.concat([Buffer.from(`${t}.`), raw]);
  if (!v1.some((sig) => /^[0-9a-f]{64}$/i.test(sig) && validHmacSha256(secret, payload, sig, 'hex'))) return 'invalid';
  return Math.abs(now - Number(t) * 1000) > STRIPE_TOLERANCE_MS ? 'stale' : 'valid';
}

/**
 * Maps a Stripe event. The order is the payment intent (what a charge, its refunds and its disputes all name), else
 * the session; `metadata.order_id` wins when the shop set one. The click id is `client_reference_id` or
 * `metadata.click_id`. A conversion's event id is the Stripe event id (a redelivery is a duplicate); each refund and
 * dispute is keyed on its own id.
 */
export function eventsFromStripe(body: unknown): ProviderResult {
  const r = new FieldReader();
  const e = r.object(body, '(root)');
  const type = r.text(e.type, 'type') ?? '';
  if (r.issues.length > 0) return withIssues([], r.issues);
  if (!HANDLED.has(type)) return { kind: 'ignored', topic: type };
  const o = r.object(r.object(e.data, 'data').object, 'data.object');
  const meta = r.object(o.metadata, 'data.object.metadata', false);
  const at = (f: string) => `data.object.${f}`;
  const ts = typeof e.created === 'number' ? e.created * 1000 : undefined;
  const currency = r.text(o.currency, at('currency'))?.toUpperCase();
  const minor = (v: unknown, path: string) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    r.issues.push({ path, message: 'expected a whole number of the smallest currency unit' });
    return 0;
  };
  const major = (amount: number) => (currency ? fromMinor(amount, currency) : amount);
  const orderId =
    r.id(meta.order_id, at('metadata.order_id'), false) ?? r.id(o.payment_intent, at('payment_intent'), false);

  if (type.startsWith('checkout.session.')) {
    // A delayed method (a bank debit) completes the session unpaid: pending until async_payment_succeeded (approved)
    // or async_payment_failed (rejected), each its own event id, so each is a change of the same order.
    const paid = r.text(o.payment_status, at('payment_status'));
    const status =
      type === 'checkout.session.async_payment_failed'
        ? 'rejected'
        : type === 'checkout.session.completed' && paid === 'unpaid'
          ? 'pending'
          : 'approved';
    const event = dropUndefined({
      type: 'conversion',
      event_id: `stripe-${r.id(e.id, 'id')}`,
      ts,
      campaign_id: r.id(meta.campaign_id, at('metadata.campaign_id'), false),
      order_id: orderId ?? r.id(o.id, at('id')),
      amount: major(minor(o.amount_total, at('amount_total'))),
      currency,
      status,
      click_id:
        r.id(o.client_reference_id, at('client_reference_id'), false) ??
        r.id(meta.click_id, at('metadata.click_id'), false),
      promo_code: r.text(meta.promo_code, at('metadata.promo_code')),
    });
    return withIssues([event], r.issues);
  }
  if (type === 'charge.dispute.created') {
    // A chargeback takes the money back: the order is reversed (its net revenue and commission leave the approved
    // figures), with Stripe's reason for the dispute.
    const order =
      r.id(meta.order_id, at('metadata.order_id'), false) ??
      r.id(o.payment_intent, at('payment_intent'), false) ??
      r.id(o.charge, at('charge'));
    const reason = r.text(o.reason, at('reason'));
    const event = {
      type: 'status',
      event_id: `stripe-${r.id(o.id, at('id'))}`,
      ts,
      order_id: order,
      status: 'reversed',
      reason: reason ? `chargeback (${reason})` : 'chargeback',
    };
    return withIssues([dropUndefined(event)], r.issues);
  }
  // charge.refunded: one refund event per refund listed (those seen before are duplicates); API versions that do not
  // list them give the total refunded, and the step from the total before is this refund.
  const order = orderId ?? r.id(o.id, at('id'));
  const listed = r.list(r.object(o.refunds, at('refunds'), false).data, at('refunds.data'));
  const events = listed.flatMap((x, i) => {
    const rf = r.object(x, at(`refunds.data[${i}]`));
    if (rf.status !== undefined && rf.status !== 'succeeded' && rf.status !== 'pending') return [];
    const amount = major(minor(rf.amount, at(`refunds.data[${i}].amount`)));
    return [
      dropUndefined({
        type: 'refund',
        event_id: `stripe-${r.id(rf.id, at(`refunds.data[${i}].id`))}`,
        ts,
        order_id: order,
        amount,
        currency,
      }),
    ];
  });
  if (listed.length === 0) {
    const total = minor(o.amount_refunded, at('amount_refunded'));
    const before = r.object(
      r.object(e.data, 'data').previous_attributes,
      'data.previous_attributes',
      false,
    ).amount_refunded;
    const step = total - (typeof before === 'number' ? before : 0);
    if (step > 0)
      events.push(
        dropUndefined({
          type: 'refund',
          event_id: `stripe-${r.id(o.id, at('id'))}-refunded-to-${total}`,
          ts,
          order_id: order,
          amount: major(step),
          currency,
        }),
      );
  }
  return events.length === 0 && r.issues.length === 0 ? { kind: 'ignored', topic: type } : withIssues(events, r.issues);
}

const HANDLED = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'charge.refunded',
  'charge.dispute.created',
]);
