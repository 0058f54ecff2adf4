import { describe, expect, it } from 'vitest';
import { moneyBar, partnerMoney } from './money';
import type { MoneyByState } from './contract';

const f = (revenue_minor: number, commission_minor: number, n = 1) => ({ revenue_minor, commission_minor, n });
const money: MoneyByState = {
  pending: f(3_000, 300),
  approved: f(10_000, 1_000),
  payable: f(6_000, 600),
  paid: f(1_000, 100),
  reversed: f(2_000, 200),
};

describe('money by status on screen', () => {
  it('shares the commission of the four states in their sum, reversed apart, empty states left out', () => {
    expect(moneyBar(money).map((b) => [b.state, b.share])).toEqual([
      ['pending', 15],
      ['approved', 50],
      ['payable', 30],
      ['paid', 5],
    ]);
    expect(moneyBar({ ...money, pending: f(0, 0, 0), paid: f(0, 0, 0) }).map((b) => b.state)).toEqual([
      'approved',
      'payable',
    ]);
    // a payable figure made negative by a refund after payout draws nothing, and nothing at all draws no bar
    const none = f(0, 0, 0);
    expect(moneyBar({ pending: none, approved: none, payable: f(-500, -50), paid: none, reversed: none })).toEqual([]);
  });

  it("finds one partner's figures in a campaign summary", () => {
    const c = {
      campaign_id: 'c',
      currency: 'EUR',
      at: 0,
      total: money,
      partners: [{ partner_id: 'p1', states: money }],
    };
    expect(partnerMoney(c, 'p1')).toBe(money);
    expect(partnerMoney(c, 'p2')).toBeNull();
    expect(partnerMoney(null, 'p1')).toBeNull();
  });
});
