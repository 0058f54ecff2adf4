import { describe, expect, it } from 'vitest';
import { buildLeaderboard, nextSort } from './leaderboard';
import { row } from './testData';
import type { PartnerInfo } from './contract';

const partner = (id: string, name: string): PartnerInfo => ({
  id,
  handle: `@${name}`,
  display_name: name,
  type: 'influencer',
  tier: 'micro',
  followers: 50_000,
  platforms: ['instagram'],
  manager_id: 'm',
});
const partners = [partner('a', 'Ann'), partner('b', 'Bob'), partner('c', 'Cat')];

describe('leaderboard', () => {
  it('sorts by a metric with nulls last in both directions', () => {
    const rows = [row('a', { roas: 2 }), row('b', { roas: null }), row('c', { roas: 5 })];
    expect(buildLeaderboard(rows, partners, 'roas', 'desc').map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(buildLeaderboard(rows, partners, 'roas', 'asc').map((r) => r.key)).toEqual(['a', 'c', 'b']);
    expect(buildLeaderboard(rows, partners, 'name', 'asc').map((r) => r.name)).toEqual(['Ann', 'Bob', 'Cat']);
  });
  it('shows rank movement against the previous window', () => {
    const rows = [
      row('a', { revenue_minor: 100, views: 1 }, { revenue_minor: 500, views: 1 }),
      row('b', { revenue_minor: 300, views: 1 }, { revenue_minor: 100, views: 1 }),
      row('c', { revenue_minor: 200, views: 1 }, null),
    ];
    const lb = buildLeaderboard(rows, partners, 'revenue_minor', 'desc');
    expect(lb.map((r) => [r.key, r.rank, r.movement])).toEqual([
      ['b', 1, 1],
      ['c', 2, null],
      ['a', 3, -2],
    ]);
  });
  it('falls back to the key for unknown partners', () => {
    expect(buildLeaderboard([row('zz')], [], 'revenue_minor', 'desc')[0].name).toBe('zz');
  });
  it('toggles direction on the same column', () => {
    expect(nextSort({ sort: 'roas', dir: 'desc' }, 'roas')).toEqual({ sort: 'roas', dir: 'asc' });
    expect(nextSort({ sort: 'roas', dir: 'asc' }, 'cr')).toEqual({ sort: 'cr', dir: 'desc' });
  });
});

describe('unattributed rows', () => {
  it('names the empty key', () => {
    expect(buildLeaderboard([row('')], [], 'revenue_minor', 'desc')[0].name).toBe('Unattributed');
  });
});
