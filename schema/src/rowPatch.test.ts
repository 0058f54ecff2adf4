// rowPatch: moved base fields pivot field by field and back, and a patched row equals the row computed whole.
import { describe, expect, it } from 'vitest';
import { computeMetrics, emptyTotals } from './metrics.js';
import { addToFieldPatch, fieldsByRow, patchRows } from './rowPatch.js';
import type { FieldPatch, GroupRow } from './live.js';

const ctx = (fee: number) => ({ followers: 500, feeShareMinor: fee, feeCommittedMinor: 9000 });
const row = (key: string, views: number, fee: number): GroupRow => ({
  key,
  metrics: computeMetrics({ ...emptyTotals(), views, likes: 5, revenue_minor: 4000 }, ctx(fee)),
  previous: null,
});

describe('row patches', () => {
  it('pivots moved fields by field and back by row, any key being data', () => {
    const p: FieldPatch = {};
    addToFieldPatch(p, 'p1', { views: 3, fee_minor: 1.5 });
    addToFieldPatch(p, '__proto__', { fee_minor: 2.5 });
    expect(JSON.parse(JSON.stringify(p))).toEqual(
      JSON.parse('{"views":{"p1":3},"fee_minor":{"p1":1.5,"__proto__":2.5}}'),
    );
    expect(fieldsByRow(JSON.parse(JSON.stringify(p)))).toEqual(
      new Map([
        ['p1', { views: 3, fee_minor: 1.5 }],
        ['__proto__', { fee_minor: 2.5 }],
      ]),
    );
  });
  it('patches held rows into the rows computed whole, leaving the others as they were', () => {
    const held = [row('p1', 10, 100), row('p2', 20, 200)];
    const out = patchRows(held, { metrics: { views: { p1: 40 }, fee_minor: { p1: 150, p9: 1 } } });
    expect(out).toEqual([row('p1', 40, 150), row('p2', 20, 200)]);
    expect(out[1]).toBe(held[1]);
    expect(out[0].metrics.roas).toBe(4000 / 150);
  });
});
