// keyedHash: the HMAC of personal identifiers, unchanged by the cached key objects behind it.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedHash } from './secrets.js';

describe('keyedHash', () => {
  it('is the HMAC-SHA256 of the value under the key, base64url, first 22 characters', () => {
    const key = 'a key of 32 bytes, or near that.';
    for (const v of ['198.51.100.7|Mozilla/5.0 (iPhone)', 'someone', 'ünïcödé 😍', '']) {
      expect(keyedHash(key, v)).toBe(createHmac('sha256', key).update(v).digest('base64url').slice(0, 22));
    }
  });

  it('keeps keys apart: the same value under two keys, alternately, hashes as under each alone', () => {
    const a = 'first key ................';
    const b = 'second key ...............';
    const alone = [keyedHash(a, 'visitor'), keyedHash(b, 'visitor')];
    const alternating = Array.from({ length: 6 }, (_, i) => keyedHash(i % 2 ? b : a, 'visitor'));
    expect(alone[0]).not.toBe(alone[1]);
    expect(alternating).toEqual([alone[0], alone[1], alone[0], alone[1], alone[0], alone[1]]);
  });

  it('stays right past the cache of key objects (more keys than it holds)', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key number ${i} .........`);
    for (const k of [...keys, ...keys]) expect(keyedHash(k, 'v')).toBe(createHmac('sha256', k).update('v').digest('base64url').slice(0, 22));
  });
});
