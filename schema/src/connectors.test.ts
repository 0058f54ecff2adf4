import { describe, expect, it } from 'vitest';
import { nextQuotaReset, pollIntervalMs, resolvePostUrl, youtubeQuotaPlan } from './connectors.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('resolvePostUrl', () => {
  it.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s', 'youtube', 'dQw4w9WgXcQ'],
    ['https://youtu.be/dQw4w9WgXcQ?si=abc', 'youtube', 'dQw4w9WgXcQ'],
    ['https://youtube.com/shorts/-abcdefghij', 'youtube', '-abcdefghij'],
    ['https://m.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube', 'dQw4w9WgXcQ'],
    ['https://www.instagram.com/p/C1a2B3c4D5e/', 'instagram', 'C1a2B3c4D5e'],
    ['https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=x', 'instagram', 'C1a2B3c4D5e'],
    ['https://www.tiktok.com/@ben.creates/video/7301234567890123456?lang=en', 'tiktok', '7301234567890123456'],
  ])('%s → %s %s', (url, platform, id) => {
    expect(resolvePostUrl(url)).toMatchObject({ platform, id });
  });

  it.each([
    ['not a url', /full URL/],
    ['https://www.youtube.com/channel/UC123', /YouTube video URL/],
    ['https://www.youtube.com/watch?v=short', /YouTube video URL/],
    ['https://www.instagram.com/ana/', /Instagram post or reel URL/],
    ['https://www.tiktok.com/@ben/photo/123', /TikTok video URL/],
    ['https://vimeo.com/123', /YouTube, Instagram or TikTok/],
    ['ftp://youtube.com/watch?v=dQw4w9WgXcQ', /http/],
  ])('refuses %s, saying what it expected', (url, message) => {
    const r = resolvePostUrl(url);
    expect('error' in r && r.error).toMatch(message);
  });
});

describe('pollIntervalMs', () => {
  it('is a minute in the first hour, 15 minutes from a day on, rising steadily between', () => {
    expect(pollIntervalMs(0)).toBe(MIN);
    expect(pollIntervalMs(HOUR)).toBe(MIN);
    expect(pollIntervalMs(24 * HOUR)).toBe(15 * MIN);
    expect(pollIntervalMs(7 * 24 * HOUR)).toBe(15 * MIN);
    const between = [2, 4, 6, 12, 23].map((h) => pollIntervalMs(h * HOUR));
    for (let i = 1; i < between.length; i++) expect(between[i]).toBeGreaterThan(between[i - 1]);
    expect(between[0]).toBeGreaterThan(MIN);
    expect(between[4]).toBeLessThan(15 * MIN);
  });
});

describe('youtubeQuotaPlan', () => {
  it('fits 100 day-old videos without stretching (96 polls a day, 50 ids a call)', () => {
    const plan = youtubeQuotaPlan({ postAgesMs: Array(100).fill(48 * HOUR), commentUnitsLastDay: 500, usedToday: 7 });
    expect(plan).toEqual({
      budget_units_per_day: 10_000,
      wanted_units_per_day: 692, // 100 × 96 / 50 + 500
      planned_units_per_day: 692,
      stretch: 1,
      used_today: 7,
    });
  });

  it('stretches the cadence of 5,000 fresh videos to fit 90 % of the budget', () => {
    const plan = youtubeQuotaPlan({ postAgesMs: Array(5000).fill(0), commentUnitsLastDay: 0, usedToday: 0 });
    expect(plan.wanted_units_per_day).toBe(144_000); // 5000 × 1440 / 50
    expect(plan.planned_units_per_day).toBe(9_000);
    expect(plan.stretch).toBe(16);
  });
});

describe('nextQuotaReset', () => {
  it('is the next midnight in Los Angeles', () => {
    const noonUtc = Date.parse('2026-12-04T12:00:00Z'); // 04:00 PST
    expect(new Date(nextQuotaReset(noonUtc)).toISOString()).toBe('2026-12-05T08:00:00.000Z');
  });
});
