// The commission ledger of a campaign, from its stored conversion, refund and status rows: each approval, refund and
// reversal a line with the date it is due (lock periods), what is pending, approved, payable, paid and reversed, each
// order's history, and the payouts of a period. Pure arithmetic: money.test.ts holds it to hand-computed cases.
import {
  isAppliedChange,
  MONEY_STATES,
  type MoneyByState,
  type MoneyState,
  type OrderHistory,
  type PartnerMoney,
  type PayoutRow,
} from '@pulseroom/schema';

export const DAY_MS = 86_400_000;

/** A stored money row of the campaign, in the order received (as ingest applied them). */
export interface LedgerRow {
  partner_id: string;
  order_id: string;
  event_id: string;
  type: 'conversion' | 'refund' | 'status';
  ts: number;
  status: string;
  from_status: string;
  status_reason: string;
  amount_minor: number;
  commission_minor: number;
  converted: number;
  currency: string;
}

/** A line of commission: an approval (positive), or a refund or reversal of an approved order (negative). */
export interface LedgerLine {
  /** The event that made it: what a payout records as paid. */
  event_id: string;
  partner_id: string;
  order_id: string;
  kind: 'approval' | 'refund' | 'reversal';
  ts: number;
  /** When it turns payable: an approval at its lock date; a refund or reversal at its own time or that lock date. */
  due: number;
  revenue_minor: number;
  commission_minor: number;
}

/** An order as its rows leave it: OrderHistory without where its commission stands (that needs the payouts). */
export type OrderState = Omit<OrderHistory, 'state' | 'payout_id'>;

export interface Ledger {
  lines: LedgerLine[];
  orders: Map<string, OrderState>;
}

/**
 * Lines and order states of one campaign's rows; `lockDays` gives each partner's deal lock period. Unattributed orders
 * (no partner) and unconverted amounts owe no commission and make no line.
 */
export function buildLedger(
  rows: readonly LedgerRow[],
  lockDays: (partnerId: string) => number,
  withSteps = true,
): Ledger {
  const lines: LedgerLine[] = [];
  const orders = new Map<string, OrderState>();
  const lockOf = new Map<string, number>();
  const lock = (p: string) => {
    let d = lockOf.get(p);
    if (d === undefined) lockOf.set(p, (d = lockDays(p) * DAY_MS));
    return d;
  };
  for (const r of rows) {
    let o = orders.get(r.order_id);
    if (r.type === 'conversion') {
      const prior = o?.steps ?? []; // changes and refunds that waited for it
      o = {
        order_id: r.order_id,
        partner_id: r.partner_id,
        currency: r.currency,
        status: r.status,
        placed_at: r.ts,
        amount_minor: r.amount_minor,
        commission_minor: r.commission_minor,
        approved_at: null,
        lock_until: null,
        steps: prior,
      };
      orders.set(r.order_id, o);
    } else if (!o) {
      // waiting for its order: kept in the history once the order arrives
      o = {
        order_id: r.order_id,
        partner_id: '',
        currency: r.currency,
        status: '',
        placed_at: r.ts,
        amount_minor: 0,
        commission_minor: 0,
        approved_at: null,
        lock_until: null,
        steps: [],
      };
      orders.set(r.order_id, o);
    }
    if (withSteps)
      o.steps.push({
        event_id: r.event_id,
        ts: r.ts,
        kind: r.type,
        from: r.type === 'status' ? r.from_status : '',
        status: r.status,
        reason: r.status_reason,
        amount_minor: r.amount_minor,
        commission_minor: r.commission_minor,
      });
    if (o.status === '') continue; // its order has not arrived: it moves nothing yet
    const owed = r.converted === 1 && o.partner_id !== '';
    const enters =
      (r.type === 'conversion' && r.status === 'approved') || (isAppliedChange(r) && r.status === 'approved');
    if (enters) {
      o.approved_at ??= r.ts;
      o.lock_until ??= r.ts + lock(o.partner_id);
      if (owed)
        lines.push({
          event_id: r.event_id,
          partner_id: o.partner_id,
          order_id: o.order_id,
          kind: 'approval',
          ts: r.ts,
          due: r.ts + lock(o.partner_id),
          revenue_minor: r.amount_minor,
          commission_minor: r.commission_minor,
        });
    }
    if (isAppliedChange(r)) {
      if (r.from_status === 'approved' && owed)
        lines.push({
          event_id: r.event_id,
          partner_id: o.partner_id,
          order_id: o.order_id,
          kind: 'reversal',
          ts: r.ts,
          due: Math.max(r.ts, o.lock_until ?? r.ts),
          revenue_minor: -r.amount_minor,
          commission_minor: -r.commission_minor,
        });
      o.status = r.status;
    }
    if (r.type === 'refund' && r.status !== '') {
      o.amount_minor += r.amount_minor;
      o.commission_minor += r.commission_minor;
      if (r.status === 'approved' && owed)
        lines.push({
          event_id: r.event_id,
          partner_id: o.partner_id,
          order_id: o.order_id,
          kind: 'refund',
          ts: r.ts,
          due: Math.max(r.ts, o.lock_until ?? r.ts),
          revenue_minor: r.amount_minor,
          commission_minor: r.commission_minor,
        });
    }
  }
  for (const [id, o] of orders) if (o.status === '') orders.delete(id); // still waiting: no order yet
  return { lines, orders };
}

export const emptyMoney = (): MoneyByState =>
  Object.fromEntries(MONEY_STATES.map((s) => [s, { revenue_minor: 0, commission_minor: 0, n: 0 }])) as MoneyByState;

/** Where a line stands at `now`: paid (in a paid payout), payable (due), or approved (still locked). */
export function lineState(line: LedgerLine, paid: ReadonlySet<string>, now: number): MoneyState {
  if (paid.has(line.event_id)) return 'paid';
  return line.due <= now ? 'payable' : 'approved';
}

/**
 * Money by state per partner: pending from the orders pending now; approved, payable and paid from the lines (an
 * approval and a refund before its lock date net out in `approved`); reversed from the refund and reversal lines.
 */
export function moneyByPartner(ledger: Ledger, paid: ReadonlySet<string>, now: number): Map<string, MoneyByState> {
  const out = new Map<string, MoneyByState>();
  const of = (p: string) => {
    let m = out.get(p);
    if (!m) out.set(p, (m = emptyMoney()));
    return m;
  };
  for (const o of ledger.orders.values()) {
    if (o.status !== 'pending' || o.partner_id === '') continue;
    const m = of(o.partner_id).pending;
    m.revenue_minor += o.amount_minor;
    m.commission_minor += o.commission_minor;
    m.n++;
  }
  for (const l of ledger.lines) {
    const m = of(l.partner_id);
    const s = m[lineState(l, paid, now)];
    s.revenue_minor += l.revenue_minor;
    s.commission_minor += l.commission_minor;
    if (l.kind === 'approval') s.n++;
    else {
      m.reversed.revenue_minor -= l.revenue_minor;
      m.reversed.commission_minor -= l.commission_minor;
      m.reversed.n++;
    }
  }
  return out;
}

/** The sum of some partners' money by state: a summary's total. */
export function totalOf(partners: readonly PartnerMoney[]): MoneyByState {
  const total = emptyMoney();
  for (const p of partners)
    for (const s of MONEY_STATES) {
      total[s].revenue_minor += p.states[s].revenue_minor;
      total[s].commission_minor += p.states[s].commission_minor;
      total[s].n += p.states[s].n;
    }
  return total;
}

/** An order's history as the API shows it, with where its commission stands. */
export function orderHistory(
  o: OrderState,
  lines: readonly LedgerLine[],
  paidIn: ReadonlyMap<string, string>,
  now: number,
): OrderHistory {
  const approval = lines.find((l) => l.order_id === o.order_id && l.kind === 'approval');
  let state: OrderHistory['state'] = null;
  if (o.status === 'pending') state = 'pending';
  else if (o.status === 'rejected') state = 'rejected';
  else if (o.status === 'reversed') state = 'reversed';
  else if (approval) state = lineState(approval, new Set(paidIn.keys()), now);
  return {
    order_id: o.order_id,
    partner_id: o.partner_id,
    currency: o.currency,
    status: o.status,
    placed_at: o.placed_at,
    amount_minor: o.amount_minor,
    commission_minor: o.commission_minor,
    approved_at: o.approved_at,
    lock_until: o.lock_until,
    state,
    payout_id: approval ? (paidIn.get(approval.event_id) ?? null) : null,
    steps: [...o.steps].sort((a, b) => a.ts - b.ts),
  };
}

export interface PayoutTerms {
  partner_id: string;
  partner_name: string;
  currency: string;
  /** The deal's fixed fee (minor units) and its run: it accrues evenly over the run. */
  fee_minor: number;
  run_start: number;
  run_end: number;
  /** Fees paid in earlier payouts. */
  fees_paid_minor: number;
  /** The end of the partner's last paid period (the next one starts there), or the run's start. */
  period_start: number;
}

/**
 * The payout of each partner for the period ending `periodEnd`: its unpaid lines due by then (a refund or reversal of
 * a line already paid is carried over as negative), plus the fixed fee accrued by then and not paid. A total below
 * the campaign's minimum (or not above zero) is not due: it is carried into the next period.
 */
export function duePayouts(
  ledger: Ledger,
  paid: ReadonlySet<string>,
  terms: readonly PayoutTerms[],
  periodEnd: number,
  minPayoutMinor: number,
): { row: PayoutRow; lines: LedgerLine[] }[] {
  const approvalPaid = new Set(
    ledger.lines.filter((l) => l.kind === 'approval' && paid.has(l.event_id)).map((l) => l.order_id),
  );
  const byPartner = new Map<string, LedgerLine[]>();
  for (const l of ledger.lines) {
    if (paid.has(l.event_id) || l.due > periodEnd) continue;
    const list = byPartner.get(l.partner_id) ?? [];
    list.push(l);
    byPartner.set(l.partner_id, list);
  }
  return terms.map((t) => {
    const lines = byPartner.get(t.partner_id) ?? [];
    let commission = 0;
    let carried = 0;
    let conversions = 0;
    for (const l of lines) {
      if (l.kind === 'approval') conversions++;
      if (l.kind !== 'approval' && approvalPaid.has(l.order_id)) carried += l.commission_minor;
      else commission += l.commission_minor;
    }
    const accrued =
      t.fee_minor > 0 && t.run_end > t.run_start
        ? Math.round(
            (t.fee_minor * Math.max(0, Math.min(periodEnd, t.run_end) - t.run_start)) / (t.run_end - t.run_start),
          )
        : 0;
    const fees = Math.max(0, accrued - t.fees_paid_minor);
    const total = commission + fees + carried;
    const status: PayoutRow['status'] =
      lines.length === 0 && fees === 0 ? 'nothing_due' : total > 0 && total >= minPayoutMinor ? 'due' : 'below_minimum';
    return {
      row: {
        payout_id: null,
        partner_id: t.partner_id,
        partner_name: t.partner_name,
        period_start: t.period_start,
        period_end: periodEnd,
        currency: t.currency,
        commission_minor: commission,
        fees_minor: fees,
        carried_minor: carried,
        total_minor: total,
        conversions,
        lines: lines.length,
        status,
        paid_at: null,
        reference: '',
      },
      lines,
    };
  });
}
