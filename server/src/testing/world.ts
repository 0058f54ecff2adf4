// Test support: a small launch — two campaigns, eight partners under two account managers, deals with fixed fees.
import type { World } from './harness.js';

export const NOW = Date.UTC(2026, 10, 25, 12, 0, 3, 250);
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

export const PARTNERS = [
  { id: 'pa1', type: 'influencer', followers: 5_000, platforms: ['instagram', 'tiktok'], manager_id: 'am-a' },
  { id: 'pa2', type: 'affiliate', followers: 50_000, platforms: ['blog'], manager_id: 'am-a' },
  { id: 'pa3', type: 'ambassador', followers: 500_000, platforms: ['youtube', 'instagram'], manager_id: 'am-a' },
  { id: 'pa4', type: 'hybrid', followers: 2_000_000, platforms: ['tiktok'], manager_id: 'am-a' },
  { id: 'pb1', type: 'influencer', followers: 8_000, platforms: ['instagram'], manager_id: 'am-b' },
  {
    id: 'pb2',
    type: 'influencer',
    followers: 80_000,
    platforms: ['youtube', 'tiktok', 'instagram'],
    manager_id: 'am-b',
  },
  { id: 'pb3', type: 'affiliate', followers: 800_000, platforms: ['newsletter'], manager_id: 'am-b' },
  { id: 'pb4', type: 'ambassador', followers: 1_500_000, platforms: ['x'], manager_id: 'am-b' },
] as const;

export function testWorld(): World {
  return {
    campaigns: [
      {
        id: 'c1',
        name: 'Launch',
        brand: 'Brand',
        start: iso(NOW - 10 * DAY),
        end: iso(NOW + 20 * DAY),
        currency: 'EUR',
        budget: 100000,
        goals: { revenue: 1_000_000, clicks: 1_000_000 },
      },
      {
        id: 'c2',
        name: 'Other',
        brand: 'Other brand',
        start: iso(NOW - 5 * DAY),
        end: iso(NOW + 5 * DAY),
        currency: 'EUR',
      },
    ],
    partners: PARTNERS.map((p) => ({
      ...p,
      platforms: [...p.platforms],
      handle: `@${p.id}`,
      display_name: `Partner ${p.id}`,
    })),
    deals: [
      ...PARTNERS.map((p, i) => ({
        id: `c1--${p.id}`,
        campaign_id: 'c1',
        partner_id: p.id,
        fixed_fee: 1000 + i * 337.33,
        commission_percent: 10,
        // One deal runs only part of the campaign: its fee is spread over its own run.
        ...(p.id === 'pa2' ? { start: iso(NOW - 30 * 3_600_000), end: iso(NOW + 2 * DAY) } : {}),
      })),
      { id: 'c2--pb1', campaign_id: 'c2', partner_id: 'pb1', fixed_fee: 500 },
    ],
  };
}

/** partner id → platforms, for random events. */
export const EVENT_PARTNERS: Record<string, string[]> = Object.fromEntries(
  PARTNERS.map((p) => [p.id, [...p.platforms]]),
);
