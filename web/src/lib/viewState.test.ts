import { describe, expect, it } from 'vitest';
import { defaultView, filterOf, parseView, toggle, writeView } from './viewState';
import { SORTABLE_KEYS } from './leaderboard';
import { parseRoute } from './routes';
import { takeToken, TOKEN_KEY } from './token';

describe('view state in the URL', () => {
  it('round-trips window, filters and sort', () => {
    const v = {
      ...defaultView(),
      window: '1h' as const,
      type: ['affiliate' as const],
      tier: ['micro' as const, 'nano' as const],
      platform: ['tiktok' as const],
      sort: 'roas',
      dir: 'asc' as const,
    };
    const qs = writeView(v, '?campaign=x');
    expect(qs).toContain('campaign=x');
    expect(qs).toContain('tier=nano,micro');
    const back = parseView(qs, SORTABLE_KEYS);
    expect(back).toEqual({ ...v, tier: ['nano', 'micro'] });
  });
  it('leaves defaults out and ignores junk', () => {
    expect(writeView(defaultView())).toBe('');
    const v = parseView('?window=7y&type=alien,affiliate&sort=drop table&dir=sideways', SORTABLE_KEYS);
    expect(v).toEqual({ ...defaultView(), type: ['affiliate'] });
  });
  it('never writes the token back', () => {
    expect(writeView(defaultView(), '?token=abc')).toBe('');
  });
  it('builds the subscribe filter only from what is set', () => {
    expect(filterOf(defaultView())).toBeUndefined();
    expect(filterOf({ ...defaultView(), platform: ['instagram'] })).toEqual({ platform: ['instagram'] });
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
  });
});

describe('routes', () => {
  it('parses each screen', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/campaigns/aurora-launch')).toEqual({ name: 'campaign', campaignId: 'aurora-launch' });
    expect(parseRoute('/partners/p001')).toEqual({ name: 'partner', partnerId: 'p001' });
    expect(parseRoute('/me')).toEqual({ name: 'manager' });
    expect(parseRoute('/wall/aurora-launch/')).toEqual({ name: 'wall', campaignId: 'aurora-launch' });
    expect(parseRoute('/nope/x/y').name).toBe('notFound');
  });
});

describe('token', () => {
  function memory() {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
      m,
    };
  }
  it('takes the token from the URL, stores it and strips it', () => {
    const s = memory();
    const r = takeToken('http://h/wall/x?panels=kpis&token=secret#a', s);
    expect(r).toEqual({ token: 'secret', cleanUrl: '/wall/x?panels=kpis#a' });
    expect(s.m.get(TOKEN_KEY)).toBe('secret');
    expect(takeToken('http://h/wall/x', s)).toEqual({ token: 'secret', cleanUrl: null });
  });
  it('works without storage', () => {
    expect(takeToken('http://h/?token=t', null).token).toBe('t');
    expect(takeToken('http://h/', null).token).toBeNull();
  });
});

import { canOpen } from './session';
describe('access by role', () => {
  const me = (role: 'admin' | 'viewer' | 'manager' | 'wall', campaign_ids: string[] = []) => ({
    role,
    campaign_ids,
    manager_id: role === 'manager' ? 'am-1' : '',
    label: '',
  });
  it('keeps a wall token on its wall', () => {
    expect(canOpen(me('wall', ['c1']), 'wall', 'c1')).toBe(true);
    expect(canOpen(me('wall', ['c1']), 'wall', 'c2')).toBe(false);
    expect(canOpen(me('wall', ['c1']), 'campaign', 'c1')).toBe(false);
    expect(canOpen(me('wall', ['c1']), 'manager')).toBe(false);
    expect(canOpen(me('wall', ['c1']), 'partner')).toBe(false);
  });
  it('gives the manager view to managers only', () => {
    expect(canOpen(me('manager'), 'manager')).toBe(true);
    expect(canOpen(me('admin'), 'manager')).toBe(false);
    expect(canOpen(me('viewer', ['c1']), 'campaign', 'c1')).toBe(true);
  });
});

import { orderCampaigns } from './session';
describe('campaign order', () => {
  it('puts running campaigns first, newest launch first', () => {
    const c = (id: string, start: number, end: number) => ({ id, start, end });
    const out = orderCampaigns(
      [c('ended', 0, 10), c('old-live', 1, 100), c('new-live', 5, 100), c('soon', 60, 100)],
      50,
    );
    expect(out.map((x) => x.id)).toEqual(['new-live', 'old-live', 'soon', 'ended']);
  });
});
