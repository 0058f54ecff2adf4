// A click's user agent is classified once while it keeps coming back: isbot's regex is the costliest step of a click.
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('isbot', async (importOriginal) => {
  const real = await importOriginal<typeof import('isbot')>();
  return {
    ...real,
    isbot: (ua: string) => {
      calls.n += 1;
      return real.isbot(ua);
    },
  };
});
const { cachedDeviceClass, deviceClass } = await import('./clicks.js');

const agents = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
  'Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) Mobile/15E148',
];

describe('cachedDeviceClass', () => {
  it('answers as deviceClass, asking isbot once per user agent', () => {
    const expected = agents.map((ua) => deviceClass(ua));
    calls.n = 0;
    for (let round = 0; round < 5; round += 1) expect(agents.map((ua) => cachedDeviceClass(ua))).toEqual(expected);
    expect(calls.n).toBe(agents.length);
    expect(cachedDeviceClass(undefined)).toBe('other');
  });
});
