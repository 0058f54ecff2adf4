import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { incomingEvent } from '@pulseroom/schema';
import { openSecret, parseJsonBytes, sealSecret, validHmacSha256 } from '@pulseroom/schema/server';
import { eventFromSegmentCall } from './segment.js';
import { eventsFromShopify } from './shopify.js';
import { checkStripeSignature, eventsFromStripe } from './stripe.js';

const fixture = (name: string): Record<string, any> =>
  parseJsonBytes(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url)), {
    bigIntegersAsText: true,
  }) as Record<string, any>;
const events = (r: ReturnType<typeof eventsFromShopify>) =>
  r.kind === 'events' ? r.converted.map((c) => c.event) : [];

describe('Shopify orders', () => {
  it('maps orders/create to a conversion in shop money, with the promo code, click id and item count', () => {
    const r = eventsFromShopify(
      'orders/create',
      fixture('shopify-orders-create'),
      'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    );
    expect(r.kind === 'events' && r.converted[0].issues).toEqual([]);
    expect(events(r)).toEqual([
      {
        type: 'conversion',
        event_id: 'shopify-b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        ts: '2026-12-04T06:00:00-05:00',
        // a 64-bit id beyond 2^53 keeps its digits
        order_id: '820982911946154508',
        amount: 90,
        currency: 'USD',
        status: 'approved',
        promo_code: 'ana10',
        click_id: '__CLICK_ID__',
        items: 3,
      },
    ]);
    expect(incomingEvent.safeParse({ ...events(r)[0], click_id: 'ck_1', campaign_id: 'c1' }).success).toBe(true);
  });

  it('reads the status from the topic, and orders/create from the financial status', () => {
    const order = fixture('shopify-orders-create');
    const status = (topic: string, financial = 'paid') =>
      events(eventsFromShopify(topic, { ...order, financial_status: financial }, undefined))[0].status;
    expect(status('orders/paid', 'pending')).toBe('approved');
    expect(status('orders/cancelled')).toBe('rejected');
    expect(status('orders/create', 'voided')).toBe('rejected');
    // an unpaid order is pending; its orders/paid (another webhook id) is the change to approved
    for (const unpaid of ['pending', 'authorized', 'partially_paid'])
      expect(status('orders/create', unpaid)).toBe('pending');
    const cancelled = events(eventsFromShopify('orders/cancelled', { ...order, cancel_reason: 'customer' }, 'w'))[0];
    expect(cancelled).toMatchObject({ status: 'rejected', reason: 'cancelled in Shopify (customer)' });
    // without a webhook id, the order and its status make the event id
    expect(events(eventsFromShopify('orders/cancelled', order, undefined))[0].event_id).toBe(
      'shopify-820982911946154508-rejected',
    );
  });

  it('takes the click id from a note attribute (a cart attribute) when the landing URL has none', () => {
    const order = {
      ...fixture('shopify-orders-create'),
      landing_site: '/spring',
      note_attributes: [
        { name: 'gift', value: 'no' },
        { name: '_click_id', value: 'ck_from_cart' },
      ],
    };
    expect(events(eventsFromShopify('orders/create', order, 'w1'))[0].click_id).toBe('ck_from_cart');
  });

  it('uses the order currency when a shop sends no money sets', () => {
    const { total_price_set: _s, ...order } = fixture('shopify-orders-create');
    expect(events(eventsFromShopify('orders/create', order, 'w1'))[0]).toMatchObject({ amount: 90, currency: 'USD' });
  });

  it('maps refunds/create in shop money, keyed on the refund id', () => {
    const r = eventsFromShopify('refunds/create', fixture('shopify-refunds-create'), 'w2');
    expect(events(r)).toEqual([
      {
        type: 'refund',
        event_id: 'shopify-820982911946154508-refund-890088186047892319',
        ts: '2026-12-04T07:00:00-05:00',
        order_id: '820982911946154508',
        amount: 20,
        currency: 'USD',
      },
    ]);
    const other = events(
      eventsFromShopify('refunds/create', { ...fixture('shopify-refunds-create'), id: 890088186047892320 }, 'w3'),
    )[0];
    expect(other.event_id).not.toBe(events(r)[0].event_id);
  });

  it('reads a refund of money alone from its transactions, less a shipping adjustment from the adjustments', () => {
    const money = { ...fixture('shopify-refunds-create'), refund_line_items: [] };
    expect(events(eventsFromShopify('refunds/create', money, 'w'))[0]).toMatchObject({ amount: 27.4, currency: 'CAD' });
    const shipping = {
      ...fixture('shopify-refunds-create'),
      order_adjustments: [
        {
          id: 1,
          kind: 'shipping_refund',
          amount: '-5.00',
          tax_amount: '0.00',
          amount_set: { shop_money: { amount: '-5.00', currency_code: 'USD' } },
        },
      ],
    };
    expect(events(eventsFromShopify('refunds/create', shipping, 'w'))[0]).toMatchObject({
      amount: 25,
      currency: 'USD',
    });
  });

  it('ignores a refund that gave no money back, and topics it does not read', () => {
    const restock = { ...fixture('shopify-refunds-create'), refund_line_items: [], transactions: [] };
    expect(eventsFromShopify('refunds/create', restock, 'w')).toEqual({ kind: 'ignored', topic: 'refunds/create' });
    expect(eventsFromShopify('products/update', { id: 1 }, 'w')).toEqual({ kind: 'ignored', topic: 'products/update' });
  });

  it('names each missing or mistyped field', () => {
    const r = eventsFromShopify('orders/create', { id: { x: 1 }, total_price: 'ten', discount_codes: 'ANA10' }, 'w');
    expect(r.kind === 'events' && r.converted[0].issues.map((i) => i.path)).toEqual([
      'id',
      'total_price',
      'discount_codes',
    ]);
    expect(eventsFromShopify('orders/create', [], 'w')).toMatchObject({
      converted: [{ issues: [{ path: '(root)', message: 'expected a JSON object' }] }],
    });
  });
});

describe('Stripe events', () => {
  const SECRET = 'whsec_test_secret_for_pulseroom';
  const sign = (raw: string, t: number, secret = SECRET) =>
    `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex')}`;

  it('checks Stripe-Signature: the secret, any of several v1, and a five-minute tolerance', () => {
    const raw = Buffer.from('{"id":"evt_1"}');
    const now = 1_764_828_000_000;
    const t = now / 1000;
    expect(checkStripeSignature(sign(raw.toString(), t), raw, SECRET, now)).toBe('valid');
    expect(
      checkStripeSignature(
        `${sign(raw.toString(), t, 'whsec_old')},v1=${sign(raw.toString(), t).split('v1=')[1]}`,
        raw,
        SECRET,
        now,
      ),
    ).toBe('valid');
    expect(checkStripeSignature(sign(raw.toString(), t, 'whsec_other'), raw, SECRET, now)).toBe('invalid');
    expect(checkStripeSignature(sign('{"id":"evt_2"}', t), raw, SECRET, now)).toBe('invalid');
    expect(checkStripeSignature(sign(raw.toString(), t - 301), raw, SECRET, now)).toBe('stale');
    expect(checkStripeSignature(sign(raw.toString(), t - 299), raw, SECRET, now)).toBe('valid');
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=x,v1=${'0'.repeat(64)}`])
      expect(checkStripeSignature(bad, raw, SECRET, now), String(bad)).toBe('invalid');
  });

  it('maps checkout.session.completed to a conversion of the payment intent, clicked via client_reference_id', () => {
    expect(events(eventsFromStripe(fixture('stripe-checkout-session-completed')))).toEqual([
      {
        type: 'conversion',
        event_id: 'stripe-evt_1NG8Du2eZvKYlo2CUI79vXWy',
        ts: 1764828000000,
        order_id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
        amount: 45,
        currency: 'EUR',
        status: 'approved',
        click_id: '__CLICK_ID__',
      },
    ]);
    const f = fixture('stripe-checkout-session-completed');
    f.data.object = {
      ...f.data.object,
      payment_status: 'unpaid',
      client_reference_id: null,
      metadata: { click_id: 'ck_meta', promo_code: 'ANA10', order_id: 'A-7' },
    };
    // a delayed payment method: the session completes unpaid (pending), and the order is approved once the money is
    expect(events(eventsFromStripe(f))[0]).toMatchObject({ status: 'pending', order_id: 'A-7' });
    const failed: Record<string, any> = { ...f, id: 'evt_failed', type: 'checkout.session.async_payment_failed' };
    expect(events(eventsFromStripe(failed))[0]).toMatchObject({ status: 'rejected', order_id: 'A-7' });
    const succeeded: Record<string, any> = { ...f, id: 'evt_async', type: 'checkout.session.async_payment_succeeded' };
    succeeded.data = { object: { ...f.data.object, payment_status: 'paid' } };
    expect(events(eventsFromStripe(succeeded))[0]).toMatchObject({
      event_id: 'stripe-evt_async',
      status: 'approved',
      click_id: 'ck_meta',
      promo_code: 'ANA10',
      order_id: 'A-7',
    });
  });

  it('maps charge.refunded to a refund per refund id, charge.dispute.created to a reversal with its reason', () => {
    expect(events(eventsFromStripe(fixture('stripe-charge-refunded')))).toEqual([
      {
        type: 'refund',
        event_id: 'stripe-re_1Nispe2eZvKYlo2Cd31jOCgZ',
        ts: 1764831600000,
        order_id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
        amount: 10,
        currency: 'EUR',
      },
    ]);
    const unlisted = fixture('stripe-charge-refunded');
    delete unlisted.data.object.refunds;
    unlisted.data.object.amount_refunded = 3000;
    unlisted.data.previous_attributes = { amount_refunded: 1000 };
    expect(events(eventsFromStripe(unlisted))).toEqual([
      {
        type: 'refund',
        event_id: 'stripe-ch_3MtwBwLkdIwHu7ix28a3tqPa-refunded-to-3000',
        ts: 1764831600000,
        order_id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
        amount: 20,
        currency: 'EUR',
      },
    ]);
    expect(events(eventsFromStripe(fixture('stripe-charge-dispute-created')))).toEqual([
      {
        type: 'status',
        event_id: 'stripe-dp_1MtJUT2eZvKYlo2CNaw2HvEv',
        ts: 1764835200000,
        order_id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
        status: 'reversed',
        reason: 'chargeback (general)',
      },
    ]);
  });

  it('ignores other event types and names a malformed field', () => {
    expect(eventsFromStripe({ id: 'evt_1', type: 'customer.created', data: { object: {} } })).toEqual({
      kind: 'ignored',
      topic: 'customer.created',
    });
    const bad = fixture('stripe-checkout-session-completed');
    bad.data.object.amount_total = '45.00';
    expect(eventsFromStripe(bad)).toMatchObject({ converted: [{ issues: [{ path: 'data.object.amount_total' }] }] });
  });
});

describe('Segment calls', () => {
  it('maps Order Completed with total, coupon, products and the UTM fields of context.campaign', () => {
    const r = eventFromSegmentCall(fixture('segment-order-completed'))!;
    expect(r.issues).toEqual([]);
    expect(r.event).toEqual({
      type: 'conversion',
      event_id: 'segment-ajs-next-1764828000000-8a9f0c5e-4c1d-4b7a-9d1e-2f3a4b5c6d7e',
      ts: '2026-12-04T06:00:00.000Z',
      order_id: '50314b8e9bcf000000000000',
      amount: 27.5,
      currency: 'EUR',
      promo_code: 'BEN5',
      items: 3,
      sub: ['tiktok', 'affiliate', 'spring', 'video-1', 'board games'],
    });
  });

  it('maps Order Refunded to a refund keyed on the call, and leaves other calls', () => {
    expect(eventFromSegmentCall(fixture('segment-order-refunded'))!.event).toMatchObject({
      type: 'refund',
      order_id: '50314b8e9bcf000000000000',
      amount: 5,
      currency: 'EUR',
    });
    expect(eventFromSegmentCall({ type: 'track', event: 'Product Viewed', properties: {} })).toBeNull();
    expect(eventFromSegmentCall({ type: 'page', name: 'Home' })).toBeNull();
    const noTotal = {
      ...fixture('segment-order-completed'),
      properties: { order_id: 'o', currency: 'EUR', products: [{ price: 2.5, quantity: 4 }] },
    };
    expect(eventFromSegmentCall(noTotal)!.event.amount).toBe(10);
    expect(eventFromSegmentCall({ ...noTotal, properties: { order_id: 'o' } })!.issues).toEqual([
      { path: 'properties.total', message: expect.stringMatching(/^expected the order total/) },
    ]);
  });
});

describe('signing secrets', () => {
  it('are sealed under the data key and open only with it', () => {
    const sealed = sealSecret('data-key-aaaaaaaaaaaaaaaa', 'whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(openSecret('data-key-aaaaaaaaaaaaaaaa', sealed)).toBe('whsec_abc');
    expect(openSecret('data-key-bbbbbbbbbbbbbbbb', sealed)).toBeNull();
    expect(openSecret('data-key-aaaaaaaaaaaaaaaa', sealed.slice(0, -2) + 'AA')).toBeNull();
    expect(openSecret('data-key-aaaaaaaaaaaaaaaa', 'not sealed')).toBeNull();
  });

  it('one HMAC check for every provider, in base64 or hex, false for any other length', () => {
    const mac = createHmac('sha256', 's').update('body').digest();
    expect(validHmacSha256('s', 'body', mac.toString('base64'), 'base64')).toBe(true);
    expect(validHmacSha256('s', 'body', mac.toString('hex'), 'hex')).toBe(true);
    expect(validHmacSha256('s', 'body!', mac.toString('base64'), 'base64')).toBe(false);
    expect(validHmacSha256('s', 'body', mac.toString('base64').slice(0, 10), 'base64')).toBe(false);
  });
});
