import { describe, expect, it } from 'vitest';
import { incomingEvent } from '@pulseroom/schema';
import { eventFromConversionJson, eventFromPostback, POSTBACK_PARAMETERS } from './postbacks.js';
import { redirectUrl } from './trackingLinks.js';
import { deviceClass } from './enrich/clicks.js';

describe('postback parameters', () => {
  it('maps the affiliate-network style to a conversion, numbers parsed and sub ids kept in order', () => {
    const { event: ev, issues } = eventFromPostback(
      {
        transaction_id: 'ck_1',
        order_id: 'A-1',
        amount: '19.99',
        currency: 'eur',
        status: 'Confirmed',
        sub2: 'b',
        sub1: 'a',
        sub4: 'd',
      },
      1_800_000_000_000,
    );
    expect(issues).toEqual([]);
    expect(ev).toEqual({
      type: 'conversion',
      event_id: 'pb-A-1-approved',
      ts: 1_800_000_000_000,
      order_id: 'A-1',
      amount: 19.99,
      currency: 'EUR',
      click_id: 'ck_1',
      status: 'approved',
      sub: ['a', 'b', '', 'd'],
    });
    expect(incomingEvent.safeParse({ ...ev, campaign_id: 'c1' }).success).toBe(true);
  });

  it('turns status=refunded into a refund of the order, and a chargeback into its reversal', () => {
    expect(eventFromPostback({ order_id: 'A-1', amount: '5', status: 'refunded', campaign_id: 'c1' }, 1).event).toEqual(
      { type: 'refund', event_id: 'pb-A-1-refunded-5', ts: 1, campaign_id: 'c1', order_id: 'A-1', amount: 5 },
    );
    // the order resent with its new status: a change of a known order (ingest/src/lifecycle.test.ts)
    expect(
      eventFromPostback({ order_id: 'A-1', amount: '5', status: 'chargeback', campaign_id: 'c1' }, 1).event,
    ).toMatchObject({ type: 'conversion', event_id: 'pb-A-1-reversed', order_id: 'A-1', status: 'reversed' });
  });

  it('leaves what is not a number for validation to name', () => {
    const { event: ev } = eventFromPostback(
      { order_id: 'A-1', amount: '12,50', campaign_id: 'c1', currency: 'EUR' },
      1_800_000_000_000,
    );
    const r = incomingEvent.safeParse(ev);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['amount']);
  });

  it('keys a refund on its own id (refund_id, or transaction_id as networks name it), else on order and amount', () => {
    const refund = (p: Record<string, unknown>) =>
      eventFromPostback({ order_id: 'A-1', amount: '20.00', status: 'refunded', campaign_id: 'c1', ...p }, 1).event
        .event_id;
    expect(refund({ refund_id: 'r-1' })).toBe('pb-A-1-refund-r-1');
    expect(refund({ refund_id: 'r-2' })).toBe('pb-A-1-refund-r-2');
    expect(refund({ transaction_id: 'tx-9' })).toBe('pb-A-1-refund-tx-9');
    expect(refund({})).toBe('pb-A-1-refunded-20');
  });

  it('names every known parameter sent with the wrong type instead of dropping it', () => {
    const wrong: Record<string, unknown> = { text: { a: 1 }, number: true, time: { at: 1 }, list: 'abc' };
    for (const [name, kind] of Object.entries(POSTBACK_PARAMETERS)) {
      const { event, issues } = eventFromConversionJson(
        { order_id: 'A-1', amount: 1, currency: 'EUR', campaign_id: 'c1', [name]: wrong[kind] },
        1,
      );
      expect(issues, name).toEqual([{ path: name, message: expect.stringMatching(/^expected /) }]);
      expect(Object.values(event)).not.toContainEqual(wrong[kind]);
    }
    expect(eventFromPostback({ order_id: 'A-1', sub1: ['a', 'b'] }, 1).issues).toEqual([
      { path: 'sub1', message: 'expected a string, not a repeated parameter' },
    ]);
  });

  it('takes JSON conversions with typed values and a sub array', () => {
    expect(
      eventFromConversionJson(
        { order_id: 'B', amount: 3, currency: 'USD', campaign_id: 'c1', sub: ['x'], event_id: 'own-id' },
        7,
      ).event,
    ).toMatchObject({ event_id: 'own-id', amount: 3, sub: ['x'], ts: 7 });
  });
});

describe('tracking links', () => {
  it('redirects to the stored destination only, with the link UTM fields and the click id', () => {
    const url = redirectUrl(
      {
        code: 'x',
        destination: 'https://shop.example.com/p?ref=a&utm_source=old#top',
        utm_source: 'tiktok',
        utm_campaign: 'drop',
      },
      'ck_abc',
    );
    expect(url).toBe('https://shop.example.com/p?ref=a&utm_source=tiktok&utm_campaign=drop&click_id=ck_abc#top');
  });
});

describe('device class', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36', 'mobile'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'tablet'],
    ['Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'tablet'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15', 'desktop'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['curl/8.4.0', 'bot'],
    ['', 'other'],
  ])('%s → %s', (ua, cls) => {
    expect(deviceClass(ua)).toBe(cls);
  });
});
