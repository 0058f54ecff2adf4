import { describe, expect, it } from 'vitest';
import { Api, ApiError, buildQuery, csvFilename, exportPath, seriesCsvPath } from './api';
import { groupKeyLabel, platformName } from './labels';

describe('api', () => {
  it('builds queries without empty values and joins lists with commas', () => {
    expect(buildQuery({ a: 1, b: undefined, c: null, d: [], e: ['x', 'y'] })).toBe('?a=1&e=x%2Cy');
    expect(buildQuery({})).toBe('');
  });
  it('asks the server export for what is on screen', () => {
    expect(exportPath('aurora-launch', '1h', 'partner', { type: ['affiliate'], platform: ['tiktok', 'x'] })).toBe(
      '/api/campaigns/aurora-launch/export.csv?window=1h&group=partner&type=affiliate&platform=tiktok%2Cx',
    );
    expect(seriesCsvPath('c 1', 1, 2)).toBe('/api/campaigns/c%201/series.csv?from=1&to=2');
    expect(csvFilename('aurora-launch', 'by-partner', '5m', Date.UTC(2026, 10, 25, 14, 3))).toBe(
      'pulseroom-aurora-launch-by-partner-5m-202611251403.csv',
    );
  });
  it('sends the token as a bearer header and turns errors into ApiError with the server message', async () => {
    const seen: { url: string; auth: string | null }[] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      seen.push({ url, auth: new Headers(init?.headers).get('authorization') });
      if (url.includes('/partners/'))
        return new Response(JSON.stringify({ error: { code: 'PARTNER_NOT_FOUND', message: 'no partner "x"' } }), {
          status: 404,
        });
      return new Response(JSON.stringify({ role: 'viewer', campaign_ids: ['c'], manager_id: '' }), { status: 200 });
    }) as typeof fetch;
    const api = new Api('secret', fake);
    expect((await api.me()).role).toBe('viewer');
    expect(seen[0]).toEqual({ url: '/api/me', auth: 'Bearer secret' });
    const err = await api.partner('x', 'c').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'PARTNER_NOT_FOUND', message: 'no partner "x"' });
    expect(seen[1].url).toBe('/api/partners/x?campaign_id=c');
  });
  it('reports an unreachable server as a network error', async () => {
    const api = new Api('t', (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch);
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

describe('labels', () => {
  it('names platforms and breakdown keys', () => {
    expect(platformName('tiktok')).toBe('TikTok');
    expect(groupKeyLabel('platform', '')).toBe('Platform unknown (promo codes, postbacks)');
    expect(groupKeyLabel('type', '')).toBe('Unattributed');
    expect(groupKeyLabel('tier', 'micro')).toBe('Micro');
  });
});
