// keyedHash: the HMAC of personal identifiers, unchanged by the cached key objects behind it; the keys kept in the
// data dir.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataKeyOf, keyedHash, persistedKey } from './secrets.js';

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
    for (const k of [...keys, ...keys])
      expect(keyedHash(k, 'v')).toBe(createHmac('sha256', k).update('v').digest('base64url').slice(0, 22));
  });
});

describe('persisted keys', () => {
  it('are made once in the data dir and read back; an existing one is never replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulseroom-keys-'));
    const first = persistedKey(dir, 'secrets.key');
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(persistedKey(dir, 'secrets.key')).toBe(first);
    expect(readFileSync(join(dir, 'secrets.key'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(dataKeyOf({ PULSEROOM_DATA_DIR: dir })).toBe(first);
    const fromEnv = dataKeyOf({ PULSEROOM_DATA_DIR: dir, PULSEROOM_SECRETS_KEY: 'from-the-environment' });
    expect(fromEnv).toBe('from-the-environment');
  });
});
