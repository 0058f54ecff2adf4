// Commissions by status as the screens show them: the labels and hints of each status, the bar of the commission split,
// and one partner's figures out of a campaign summary.
import type { CommissionsSummary, MoneyByState, MoneyState } from './contract';

export const MONEY_STATE_LABELS: { state: MoneyState; label: string; hint: string }[] = [
  { state: 'pending', label: 'Pending', hint: 'orders not approved yet' },
  { state: 'approved', label: 'Approved', hint: 'in the lock period (returns still possible)' },
  { state: 'payable', label: 'Payable', hint: 'past the lock date, not paid' },
  { state: 'paid', label: 'Paid', hint: 'in a payout marked paid' },
  { state: 'reversed', label: 'Reversed', hint: 'refunds and chargebacks after approval' },
];

/** The commission of pending, approved, payable and paid as shares of their sum (whole percents; reversed apart). */
export function moneyBar(m: MoneyByState): { state: MoneyState; label: string; minor: number; share: number }[] {
  const parts = MONEY_STATE_LABELS.filter((s) => s.state !== 'reversed').map((s) => ({
    state: s.state,
    label: s.label,
    minor: Math.max(0, m[s.state].commission_minor),
  }));
  const sum = parts.reduce((n, p) => n + p.minor, 0);
  if (sum === 0) return [];
  return parts.filter((p) => p.minor > 0).map((p) => ({ ...p, share: Math.round((p.minor / sum) * 1000) / 10 }));
}

export function partnerMoney(c: CommissionsSummary | null, partnerId: string): MoneyByState | null {
  return c?.partners.find((p) => p.partner_id === partnerId)?.states ?? null;
}

/** A KPI tile's detail: revenue or commission in each status. */
export function moneyDetail(
  m: MoneyByState | null,
  field: 'revenue_minor' | 'commission_minor',
  format: (minor: number) => string,
): { label: string; value: string }[] {
  if (!m) return [];
  return MONEY_STATE_LABELS.map((s) => ({ label: s.label, value: format(m[s.state][field]) }));
}
