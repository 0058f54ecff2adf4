// rowDiff: a new row or one whose counts moved goes whole; one whose only moves are fee-derived goes as a patch of those fields.
import { describe, expect, it } from 'vitest';
import { computeMetrics, emptyTotals, type GroupRow } from '@pulseroom/schema';
import { rowChange } from './rowDiff.js';

const row = (views: number, fee: number, prevFee: number | null = 0): GroupRow => {
  const t = { ...emptyTotals(), views, likes: 2, commission_minor: 50, conversions: 1 };
  return { key: 'p1', metrics: computeMetrics(t, { followers: 10, feeShareMinor: fee, feeCommittedMinor: 1000 }), previous: prevFee === null ? null : computeMetrics(t, { followers: 10, feeShareMinor: prevFee, feeCommittedMinor: 1000 }) };
};

describe('rowChange', () => {
  it('sends nothing for an equal row and the whole row for a new one', () => {
    expect(rowChange(row(5, 1), row(5, 1))).toBeNull();
    expect(rowChange(undefined, row(5, 1))).toEqual({ full: row(5, 1) });
  });
  it('sends the whole row when a count moved', () => {
    expect(rowChange(row(5, 1), row(6, 1))).toEqual({ full: row(6, 1) });
  });
  it('sends only the moved fields when only the fee share moved', () => {
    const c = rowChange(row(5, 1, 3), row(5, 2, 4));
    expect(c).toEqual({ patch: { key: 'p1', metrics: { fee_minor: 2, cost_minor: 52, cpa_minor: 52 }, previous: { fee_minor: 4, cost_minor: 54, cpa_minor: 54 } } });
    expect(rowChange(row(5, 1, null), row(5, 2, null))).toEqual({ patch: { key: 'p1', metrics: { fee_minor: 2, cost_minor: 52, cpa_minor: 52 } } });
  });
});
