// The JS id hash must equal ClickHouse's murmurHash3_32 / xxHash32, or start-up would load hashes that never match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import { hash64, hash64Pair, pairText } from './idHash.js';

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store?.close();
});

const samples = [
  '',
  'a',
  'ab',
  'abc',
  'abcd',
  'abcde',
  'ck_AbCdEfGh12345678',
  'order-0000000001-round',
  'x'.repeat(15),
  'y'.repeat(16),
  'z'.repeat(33),
  'schön ✓ 😀',
  pairText('spring-drop', 'o-1'),
  'ü'.repeat(200),
  'q'.repeat(400),
];

describe('hash64', () => {
  it('equals murmurHash3_32 and xxHash32 of ClickHouse for ASCII, UTF-8, short and long ids', async () => {
    const rs = await store.client.query({
      query: 'SELECT s, murmurHash3_32(s) AS hi, xxHash32(s) AS lo FROM (SELECT arrayJoin({ss:Array(String)}) AS s)',
      query_params: { ss: samples },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ s: string; hi: number; lo: number }>();
    expect(rows).toHaveLength(samples.length);
    const out = { hi: 0, lo: 0 };
    for (const r of rows) expect(hash64(r.s, out), r.s).toEqual({ hi: Number(r.hi), lo: Number(r.lo) });
  });
});

describe('hash64Pair', () => {
  it('equals hash64 of the joined pair, for ASCII and non-ASCII halves', () => {
    const a = { hi: 0, lo: 0 };
    const b = { hi: 0, lo: 0 };
    for (const [x, y] of [
      ['src', 'evt-1'],
      ['', ''],
      ['schön', '✓😀'],
      ['a'.repeat(300), 'b'],
      ['c', 'ü'.repeat(300)],
    ]) {
      expect(hash64Pair(x, y, a)).toEqual(hash64(pairText(x, y), b));
    }
  });
});
