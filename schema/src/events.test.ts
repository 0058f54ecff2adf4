import { describe, expect, it } from 'vitest';
import { incomingEvent } from './events.js';
import { dimensionFile, tokenRequest } from './dimensions.js';
import { convertMinor, currencyExponent, toMinor } from './money.js';
import { describeZodError, fieldErrors } from './zodErrors.js';
import { readFileSync } from 'node:fs';

const base = {
  event_id: 'e1',
  ts: '2026-11-25T10:00:00Z',
  campaign_id: 'aurora-launch',
  partner_id: 'p001',
  platform: 'instagram',
};

describe('event schemas', () => {
  it('accepts each event type and normalises time to epoch ms', () => {
    const events = [
      { ...base, type: 'engagement', content_id: 'post1', views: 100, likes: 5 },
      { ...base, type: 'comment', content_id: 'post1', text: 'love it 😍', author: 'someone' },
      { ...base, type: 'click', link_code: 'aur-p001', visitor: 'v1' },
      { ...base, type: 'conversion', order_id: 'o1', amount: 49.99, currency: 'EUR', click_id: 'c1' },
      { ...base, type: 'refund', order_id: 'o1', amount: 10 },
      {
        ...base,
        type: 'post',
        content_id: 'post1',
        url: 'https://instagram.com/p/1',
        caption: '#ad new serum',
        branded_content: true,
      },
    ];
    for (const e of events) {
      const r = incomingEvent.safeParse(e);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      expect(r.data?.ts).toBe(Date.UTC(2026, 10, 25, 10));
    }
    expect(incomingEvent.parse({ ...events[0], ts: 1764064800000 }).ts).toBe(1764064800000);
  });

  it('names the path of each error', () => {
    const r = incomingEvent.safeParse({ ...base, type: 'conversion', order_id: 'o1', amount: -3, currency: 'EUR' });
    expect(r.success).toBe(false);
    expect(describeZodError(r.error!, 'events[3]')).toBe('events[3].amount: expected a number ≥ 0');
  });

  it('rejects unknown types, bad times and negative deltas without a correction', () => {
    expect(fieldErrors(incomingEvent.safeParse({ ...base, type: 'hug' }).error!)[0].path).toBe('type');
    expect(
      fieldErrors(incomingEvent.safeParse({ ...base, type: 'engagement', content_id: 'x', ts: 'yesterday' }).error!)[0]
        .path,
    ).toBe('ts');
    const neg = incomingEvent.safeParse({ ...base, type: 'engagement', content_id: 'x', likes: -4 });
    expect(fieldErrors(neg.error!)).toEqual([
      { path: 'likes', message: 'expected a number ≥ 0 (send correction: true to subtract)' },
    ]);
    expect(
      incomingEvent.safeParse({ ...base, type: 'engagement', content_id: 'x', likes: -4, correction: true }).success,
    ).toBe(true);
  });

  it('respects what each platform reports', () => {
    const r = incomingEvent.safeParse({
      ...base,
      platform: 'tiktok',
      type: 'engagement',
      content_id: 'x',
      views: 10,
      reach: 5,
      saves: 1,
    });
    expect(fieldErrors(r.error!).map((e) => e.path)).toEqual(['reach', 'saves']);
  });

  it('rejects control characters and oversized text', () => {
    expect(incomingEvent.safeParse({ ...base, type: 'comment', content_id: 'x', text: 'a\u0000b' }).success).toBe(
      false,
    );
    expect(incomingEvent.safeParse({ ...base, type: 'comment', content_id: 'x', text: 'a'.repeat(5001) }).success).toBe(
      false,
    );
  });
});

describe('money', () => {
  it('parses decimals to minor units exactly', () => {
    expect(toMinor(19.99, 'USD')).toBe(1999);
    expect(toMinor(0.1 + 0.2, 'USD')).toBe(30);
    expect(toMinor(1.005, 'USD')).toBe(101);
    expect(toMinor(1999, 'JPY')).toBe(1999);
    expect(toMinor(1.2345, 'KWD')).toBe(1235);
    expect(currencyExponent('JPY')).toBe(0);
  });
  it('converts with configured rates and says when it cannot', () => {
    const rates = { EUR: 1.1, GBP: 1.25 };
    expect(convertMinor(10_000, 'EUR', 'USD', rates)).toBe(11_000);
    expect(convertMinor(12_500, 'USD', 'GBP', rates)).toBe(10_000);
    expect(convertMinor(10_000, 'EUR', 'EUR', rates)).toBe(10_000);
    expect(convertMinor(10_000, 'CHF', 'USD', rates)).toBeNull();
  });
});

describe('dimension file', () => {
  it('accepts the example launch', () => {
    const r = dimensionFile.safeParse(JSON.parse(readFileSync('examples/launch.json', 'utf8')));
    expect(r.success, r.error && describeZodError(r.error)).toBe(true);
    expect(r.data!.partners.length).toBeGreaterThanOrEqual(60);
    expect(new Set(r.data!.partners.map((p) => p.type))).toEqual(
      new Set(['influencer', 'affiliate', 'ambassador', 'hybrid']),
    );
  });
  it('reports every error of a bad file with its path', () => {
    const r = dimensionFile.safeParse(JSON.parse(readFileSync('examples/bad-launch.json', 'utf8')));
    const paths = fieldErrors(r.error!).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'campaigns[0].currency',
        'partners[0].platforms[0]',
        'partners[0].followers',
        'partners[0].type',
        'deals[0].fixed_fee',
      ]),
    );
  });
  it('checks references between campaigns, partners and deals', () => {
    const file = JSON.parse(readFileSync('examples/launch.json', 'utf8'));
    file.deals[1].campaign_id = 'nope';
    file.deals[2].links[0].code = file.deals[0].links[0].code;
    const r = dimensionFile.safeParse(file);
    expect(describeZodError(r.error!)).toBe(
      'deals[1].campaign_id: unknown campaign "nope" (not in this file)\n' +
        `deals[2].links[0].code: link code "${file.deals[0].links[0].code}" is already used by deal "${file.deals[0].id}"`,
    );
  });
  it('bounds campaign dates', () => {
    const file = JSON.parse(readFileSync('examples/launch.json', 'utf8'));
    file.campaigns[0].start = '1900-01-01T00:00:00Z';
    expect(describeZodError(dimensionFile.safeParse(file).error!)).toBe(
      'campaigns[0].start: expected a date between 2000 and 2100',
    );
  });
  it('checks token scopes', () => {
    expect(tokenRequest.safeParse({ role: 'wall', campaign_ids: [] }).success).toBe(false);
    expect(tokenRequest.safeParse({ role: 'manager' }).success).toBe(false);
    expect(tokenRequest.safeParse({ role: 'manager', manager_id: 'am-ines' }).success).toBe(true);
  });
});
