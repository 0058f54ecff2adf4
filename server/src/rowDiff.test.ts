// rowDiff: a new row goes whole; a held row that moved goes as a patch of its moved base fields, from which the
// receiver recomputes the rest exactly.
import { describe, expect, it } from 'vitest';
import { computeMetrics, emptyTotals, patchMetrics, type GroupRow } from '@pulseroom/schema';
import { rowChange } from './rowDiff.js';

const row = (views: number, fee: number, prevFee: number | null = 0): GroupRow => {
  const t = { ...emptyTotals(), views, likes: 2, commission_minor: 50, conversions: 1 };
  return {
    key: 'p1',
    metrics: computeMetrics(t, { followers: 10, feeShareMinor: fee, feeCommittedMinor: 1000 }),
    previous:
      prevFee === null ? null : computeMetrics(t, { followers: 10, feeShareMinor: prevFee, feeCommittedMinor: 1000 }),
  };
};

describe('rowChange', () => {
  it('sends nothing for an equal row and the whole row for a new one', () => {
    expect(rowChange(row(5, 1), row(5, 1))).toBeNull();
    expect(rowChange(undefined, row(5, 1))).toEqual({ full: row(5, 1) });
  });
  it('sends only the moved base fields when counts moved, and the receiver rebuilds the row exactly', () => {
    const held = row(5, 1, 3);
    const next = row(6, 1, 3);
    const c = rowChange(held, next);
    expect(c).toEqual({ moved: { metrics: { views: 6 }, previous: { views: 6 } } });
    expect(patchMetrics(held.metrics, c!.moved!.metrics!)).toEqual(next.metrics);
    expect(patchMetrics(held.metrics, c!.moved!.metrics!).er).toBe((2 / 6) * 100);
  });
  it('sends only the fee share when only the fee share moved (cost, ROAS and CPA follow from it)', () => {
    const c = rowChange(row(5, 1, 3), row(5, 2, 4));
    expect(c).toEqual({ moved: { metrics: { fee_minor: 2 }, previous: { fee_minor: 4 } } });
    expect(patchMetrics(row(5, 1, 3).previous!, c!.moved!.previous!)).toEqual(row(5, 2, 4).previous);
    expect(rowChange(row(5, 1, null), row(5, 2, null))).toEqual({ moved: { metrics: { fee_minor: 2 } } });
  });
  it('sends the whole row when its previous window appears', () => {
    expect(rowChange(row(5, 1, null), row(5, 1, 0))).toEqual({ full: row(5, 1, 0) });
  });
});
