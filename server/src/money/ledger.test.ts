// The commission ledger against figures computed by hand: lock periods, refunds before and after the lock date, a
// chargeback after payout carried into the next payout, fixed fees accrued, the minimum payout.
import { describe, expect, it } from 'vitest';
import { buildLedger, DAY_MS, duePayouts, moneyByPartner, type LedgerRow, type PayoutTerms } from './ledger.js';

const row = (
  r: Partial<LedgerRow> & Pick<LedgerRow, 'order_id' | 'event_id' | 'type' | 'ts' | 'status'>,
): LedgerRow => ({
  partner_id: 'pa1',
  from_status: '',
  status_reason: '',
  amount_minor: 0,
  commission_minor: 0,
  converted: 1,
  currency: 'EUR',
  ...r,
});

// pa1's deal locks commission for 14 days.
const ROWS: LedgerRow[] = [
  row({
    order_id: 'O1',
    event_id: 'o1',
    type: 'conversion',
    ts: 0,
    status: 'approved',
    amount_minor: 10_000,
    commission_minor: 1_000,
  }),
  row({
    order_id: 'O1',
    event_id: 'o1r',
    type: 'refund',
    ts: 2 * DAY_MS,
    status: 'approved',
    amount_minor: -2_000,
    commission_minor: -200,
  }),
  row({
    order_id: 'O2',
    event_id: 'o2',
    type: 'conversion',
    ts: DAY_MS,
    status: 'approved',
    amount_minor: 5_000,
    commission_minor: 500,
  }),
  row({
    order_id: 'O2',
    event_id: 'o2x',
    type: 'status',
    ts: 20 * DAY_MS,
    status: 'reversed',
    from_status: 'approved',
    status_reason: 'chargeback',
    amount_minor: 5_000,
    commission_minor: 500,
  }),
  row({
    order_id: 'O3',
    event_id: 'o3',
    type: 'conversion',
    ts: 3 * DAY_MS,
    status: 'pending',
    amount_minor: 3_000,
    commission_minor: 300,
  }),
  row({
    order_id: 'O4',
    event_id: 'o4',
    type: 'conversion',
    ts: 4 * DAY_MS,
    status: 'pending',
    amount_minor: 4_000,
    commission_minor: 400,
  }),
  row({
    order_id: 'O4',
    event_id: 'o4a',
    type: 'status',
    ts: 5 * DAY_MS,
    status: 'approved',
    from_status: 'pending',
    amount_minor: 4_000,
    commission_minor: 400,
  }),
  // an old "pending" delivered late (from = to): history only
  row({
    order_id: 'O4',
    event_id: 'o4p',
    type: 'status',
    ts: 4 * DAY_MS,
    status: 'pending',
    from_status: 'pending',
    amount_minor: 4_000,
    commission_minor: 400,
  }),
  // an unattributed order owes nothing
  row({
    order_id: 'O5',
    event_id: 'o5',
    type: 'conversion',
    ts: 0,
    status: 'approved',
    partner_id: '',
    amount_minor: 7_000,
  }),
];
const ledger = buildLedger(ROWS, (p) => (p === 'pa1' ? 14 : 0));
const NONE = new Set<string>();

describe('commission ledger', () => {
  it('makes an approval line due at its lock date, refunds and reversals due at their time or that date', () => {
    expect(ledger.lines.map((l) => [l.event_id, l.kind, l.commission_minor, l.due / DAY_MS])).toEqual([
      ['o1', 'approval', 1_000, 14],
      ['o1r', 'refund', -200, 14],
      ['o2', 'approval', 500, 15],
      ['o2x', 'reversal', -500, 20],
      ['o4a', 'approval', 400, 19],
    ]);
    expect(ledger.orders.get('O4')).toMatchObject({
      status: 'approved',
      approved_at: 5 * DAY_MS,
      lock_until: 19 * DAY_MS,
    });
  });

  it('splits money by state as time passes the lock dates', () => {
    // what the store holds at a time: the rows up to it
    const at = (now: number) =>
      moneyByPartner(
        buildLedger(
          ROWS.filter((r) => r.ts <= now),
          () => 14,
        ),
        NONE,
        now,
      );
    const at10 = at(10 * DAY_MS).get('pa1')!;
    expect(at10.pending).toEqual({ revenue_minor: 3_000, commission_minor: 300, n: 1 });
    // O1 net 80.00 (commission 8.00), O2 50.00 (5.00), O4 40.00 (4.00): all still locked
    expect(at10.approved).toEqual({ revenue_minor: 17_000, commission_minor: 1_700, n: 3 });
    expect(at10.payable).toEqual({ revenue_minor: 0, commission_minor: 0, n: 0 });
    expect(at10.reversed).toEqual({ revenue_minor: 2_000, commission_minor: 200, n: 1 });

    const at16 = at(16 * DAY_MS).get('pa1')!;
    expect(at16.payable).toEqual({ revenue_minor: 13_000, commission_minor: 1_300, n: 2 });
    expect(at16.approved).toEqual({ revenue_minor: 4_000, commission_minor: 400, n: 1 });
    expect(at(16 * DAY_MS).has('')).toBe(false);
    // after the chargeback: O2 leaves the payable figures and shows as reversed
    const at21 = at(21 * DAY_MS).get('pa1')!;
    expect(at21.payable).toEqual({ revenue_minor: 12_000, commission_minor: 1_200, n: 3 });
    expect(at21.reversed).toEqual({ revenue_minor: 7_000, commission_minor: 700, n: 2 });
  });

  it('pays a period, then carries a chargeback of paid commission into the next payout with the fees accrued', () => {
    const terms: PayoutTerms[] = [
      {
        partner_id: 'pa1',
        partner_name: 'Partner pa1',
        currency: 'EUR',
        fee_minor: 10_000,
        run_start: 0,
        run_end: 100 * DAY_MS,
        fees_paid_minor: 0,
        period_start: 0,
      },
    ];
    const [first] = duePayouts(ledger, NONE, terms, 16 * DAY_MS, 0);
    // commission 10.00 − 2.00 + 5.00; fee 100.00 × 16/100 = 16.00
    expect(first.row).toMatchObject({
      commission_minor: 1_300,
      fees_minor: 1_600,
      carried_minor: 0,
      total_minor: 2_900,
      conversions: 2,
      lines: 3,
      status: 'due',
    });
    const paid = new Set(first.lines.map((l) => l.event_id));
    const byState = moneyByPartner(ledger, paid, 16 * DAY_MS).get('pa1')!;
    expect(byState.paid).toEqual({ revenue_minor: 13_000, commission_minor: 1_300, n: 2 });
    expect(byState.payable.commission_minor).toBe(0);

    const next = [{ ...terms[0], fees_paid_minor: 1_600, period_start: 16 * DAY_MS }];
    const [second] = duePayouts(ledger, paid, next, 21 * DAY_MS, 0);
    // O4's 4.00 payable; O2's chargeback after its 5.00 was paid: −5.00 carried; fee 21.00 − 16.00 paid = 5.00
    expect(second.row).toMatchObject({
      commission_minor: 400,
      carried_minor: -500,
      fees_minor: 500,
      total_minor: 400,
      conversions: 1,
      status: 'due',
    });
    // below the campaign's minimum payout (10.00): carried into the next period
    expect(duePayouts(ledger, paid, next, 21 * DAY_MS, 1_000)[0].row.status).toBe('below_minimum');
    // before anything is due and without fees
    const bare = [{ ...terms[0], fee_minor: 0 }];
    expect(duePayouts(ledger, NONE, bare, 10 * DAY_MS, 0)[0].row).toMatchObject({
      status: 'nothing_due',
      total_minor: 0,
    });
  });

  it('keeps a change that waits for its order out of the figures until the order comes', () => {
    const waiting = buildLedger(
      [row({ order_id: 'W', event_id: 'w1', type: 'status', ts: 5, status: 'approved', from_status: '' })],
      () => 0,
    );
    expect(waiting.lines).toEqual([]);
    expect(waiting.orders.size).toBe(0);
    const applied = buildLedger(
      [
        row({ order_id: 'W', event_id: 'w1', type: 'status', ts: 5, status: 'approved', from_status: '' }),
        row({
          order_id: 'W',
          event_id: 'w0',
          type: 'conversion',
          ts: 1,
          status: 'pending',
          amount_minor: 900,
          commission_minor: 90,
        }),
        row({
          order_id: 'W',
          event_id: 'w1~applied',
          type: 'status',
          ts: 5,
          status: 'approved',
          from_status: 'pending',
          amount_minor: 900,
          commission_minor: 90,
        }),
      ],
      () => 0,
    );
    expect(applied.lines.map((l) => [l.event_id, l.commission_minor, l.due])).toEqual([['w1~applied', 90, 5]]);
    expect(applied.orders.get('W')?.steps.map((s) => s.event_id)).toEqual(['w1', 'w0', 'w1~applied']);
  });
});
