import { describe, expect, it } from 'vitest';
import {
  dayInZone,
  isoFromLocalInput,
  zonedDayBoundary,
  isWebUrl,
  numberOrUndefined,
  shareUrl,
  slugOf,
  suggestLinkCode,
} from './setup';

describe('setup console helpers', () => {
  it('makes ids from names, accents and punctuation folded', () => {
    expect(slugOf('Halo Launch – Été 2027!')).toBe('halo-launch-ete-2027');
    expect(slugOf('  ---  ')).toBe('');
    expect(slugOf('x'.repeat(100))).toHaveLength(64);
  });

  it('suggests link codes that are valid ids', () => {
    const code = suggestLinkCode('@Maya Glow', 'Halo Launch', () => 0.5);
    expect(code).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
    expect(code.startsWith('maya-glow-halo-launch-')).toBe(true);
  });

  it('builds the page a share link opens', () => {
    expect(shareUrl('https://p.example', { role: 'wall', campaign_ids: ['halo'] }, 'prt_1')).toBe(
      'https://p.example/wall/halo?token=prt_1',
    );
    expect(shareUrl('https://p.example', { role: 'viewer', campaign_ids: ['halo'] }, 'prt_2')).toBe(
      'https://p.example/campaigns/halo?token=prt_2',
    );
    expect(shareUrl('https://p.example', { role: 'viewer', campaign_ids: ['a', 'b'] }, 'prt_3')).toBe(
      'https://p.example/?token=prt_3',
    );
    expect(shareUrl('https://p.example', { role: 'manager', campaign_ids: [] }, 'prt_4')).toBe(
      'https://p.example/me?token=prt_4',
    );
  });

  it('reads form values: empty is "none", never 0 or an invalid date', () => {
    expect(numberOrUndefined('')).toBeUndefined();
    expect(numberOrUndefined('0')).toBe(0);
    expect(numberOrUndefined('12.5')).toBe(12.5);
    expect(numberOrUndefined('abc')).toBeUndefined();
    expect(isoFromLocalInput('')).toBeUndefined();
    expect(isoFromLocalInput('2027-03-01T09:30')).toMatch(/^2027-03-01T\d\d:30:00.000Z$/);
    expect(isWebUrl('https://shop.example.com/x')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('shop.example.com')).toBe(false);
  });

  it('puts a campaign day in its own time zone', () => {
    expect(zonedDayBoundary('2027-03-01', 'Europe/Berlin')).toBe('2027-02-28T23:00:00Z');
    expect(zonedDayBoundary('2027-07-01', 'Europe/Berlin')).toBe('2027-06-30T22:00:00Z');
    expect(zonedDayBoundary('2027-03-31', 'America/New_York', true)).toBe('2027-04-01T03:59:59Z');
    expect(zonedDayBoundary('2027-03-01', 'UTC')).toBe('2027-03-01T00:00:00Z');
    expect(dayInZone(Date.parse('2027-02-28T23:00:00Z'), 'Europe/Berlin')).toBe('2027-03-01');
  });
});
