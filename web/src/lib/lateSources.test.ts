import { describe, expect, it } from 'vitest';
import { lateSourceLines } from './lateSources';

const src = (name: string, last: number | null, late: boolean) => ({
  source_id: `src_${name.length}`,
  name,
  last_event_at: last,
  expected_every_ms: 300_000,
  late,
});

describe('lateSourceLines', () => {
  it('names each late source by its name, the longest quiet first; on-time sources are left out', () => {
    const now = 10_000_000;
    const sources = [
      src('Shop webhooks', now - 60_000, false),
      src('TikTok connector', now - 9 * 60_000, true),
      src('Instagram connector', now - 6 * 60_000, true),
      src('', null, true),
    ];
    expect(lateSourceLines(sources, now)).toEqual([
      'src_0: no data yet',
      'TikTok connector: no data for 9 min',
      'Instagram connector: no data for 6 min',
    ]);
  });
});
