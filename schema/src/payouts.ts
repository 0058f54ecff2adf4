// Commissions by status, order histories and payouts: what REST answers and the socket pushes (`commissions`).

/**
 * Where money stands: `pending` (the order is not approved yet), `approved` (approved, commission still inside the
 * deal's lock period), `payable` (past the lock date, not paid), `paid` (in a payout marked paid), `reversed` (taken
 * back after approval by a refund or a chargeback; shown as a positive amount).
 */
export const MONEY_STATES = ['pending', 'approved', 'payable', 'paid', 'reversed'] as const;
export type MoneyState = (typeof MONEY_STATES)[number];

export interface MoneyFigure {
  /** Revenue in the campaign currency (minor units). */
  revenue_minor: number;
  commission_minor: number;
  /** Orders (pending), approvals (approved, payable, paid) or reversals and refunds (reversed). */
  n: number;
}

export type MoneyByState = Record<MoneyState, MoneyFigure>;

export interface PartnerMoney {
  partner_id: string;
  states: MoneyByState;
}

/** GET /api/campaigns/:id/commissions, and the socket's `commissions` event: the same figures for the same scope. */
export interface CommissionsSummary {
  campaign_id: string;
  currency: string;
  /** When the figures were computed (the lock dates are compared with this time). */
  at: number;
  total: MoneyByState;
  partners: PartnerMoney[];
}

/** One step of an order's history. */
export interface OrderStep {
  event_id: string;
  ts: number;
  kind: 'conversion' | 'status' | 'refund';
  /** The status before (a status change); '' otherwise. */
  from: string;
  /** The status after the step ('' for a change or refund still waiting for its order). */
  status: string;
  reason: string;
  amount_minor: number;
  commission_minor: number;
}

/** GET /api/campaigns/:id/orders?partner_id= : an order's figures now and its history, newest orders first. */
export interface OrderHistory {
  order_id: string;
  partner_id: string;
  currency: string;
  status: string;
  placed_at: number;
  /** Net of refunds. */
  amount_minor: number;
  commission_minor: number;
  approved_at: number | null;
  /** When its commission turns payable (approved_at + the deal's lock period). */
  lock_until: number | null;
  /** Where its commission stands now. */
  state: MoneyState | 'rejected' | 'reversed' | null;
  payout_id: string | null;
  steps: OrderStep[];
}

export const PAYOUT_STATUSES = ['due', 'below_minimum', 'nothing_due', 'paid'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** One partner's payout for a period: due (not paid yet) or paid. */
export interface PayoutRow {
  payout_id: string | null;
  partner_id: string;
  partner_name: string;
  period_start: number;
  period_end: number;
  currency: string;
  /** Commission payable in the period (its approvals, and what was taken back of them before they were paid). */
  commission_minor: number;
  /** Fixed fees accrued by the period's end and not paid before. */
  fees_minor: number;
  /** Negative lines carried over: refunds and reversals of commission already paid. */
  carried_minor: number;
  total_minor: number;
  conversions: number;
  lines: number;
  status: PayoutStatus;
  paid_at: number | null;
  reference: string;
}

/** GET /api/campaigns/:id/payouts?period_end= */
export interface PayoutsResponse {
  campaign_id: string;
  currency: string;
  period_end: number;
  min_payout_minor: number;
  rows: PayoutRow[];
}
