// Commissions and payouts of a campaign read from the store: the ledger built from its money rows, the paid lines,
// and marking a period's payouts paid (its lines recorded, so they are never paid twice).
import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  toMinor,
  type CommissionsSummary,
  type OrderHistory,
  type PayoutRow,
  type PayoutsResponse,
} from '@pulseroom/schema';
import { conflict, type DimensionCache } from '@pulseroom/schema/server';
import {
  buildLedger,
  duePayouts,
  moneyByPartner,
  orderHistory,
  totalOf,
  type Ledger,
  type LedgerRow,
  type PayoutTerms,
} from './ledger.js';

/** Partners a reader may see (null: all, unattributed included). */
export type PartnerFilter = ReadonlySet<string> | null;

/** The query parameters of a campaign read limited to some partners (`all` when not). */
const scopeParams = (campaignId: string, partners: PartnerFilter) => ({
  c: campaignId,
  all: partners === null,
  partners: partners ? [...partners] : [],
});

const LEDGER_COLUMNS = [
  'partner_id',
  'order_id',
  'event_id',
  'type',
  'ts',
  'status',
  'from_status',
  'status_reason',
  'amount_minor',
  'commission_minor',
  'converted',
  'currency',
] as const;

type PaidPayout = Omit<PayoutRow, 'payout_id' | 'partner_name' | 'status' | 'paid_at'> & {
  id: string;
  paid_at: number;
};

export class MoneyBook {
  /** Payouts are marked one at a time: two at once could pay the same line twice. */
  private marking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly dims: DimensionCache,
  ) {}

  /**
   * The campaign's money rows (of these partners), in the order ingest applied them; and its ledger (with each order's
   * steps only when asked: a summary of 100,000 orders needs none). Read as columns (one JSON document, numbers
   * unquoted): a row object per line of JSON cost more than the ledger itself (bench: payouts).
   */
  async ledger(campaignId: string, partners: PartnerFilter, withSteps = false): Promise<Ledger> {
    const rs = await this.client.query({
      query: `SELECT partner_id, order_id, event_id, type, toUnixTimestamp64Milli(ts) AS ts, status, from_status,
                     status_reason, amount_minor, commission_minor, converted, currency
              FROM events
              WHERE campaign_id = {c:String} AND type IN ('conversion', 'refund', 'status') AND order_id != ''
                AND ({all:Bool} OR partner_id IN {partners:Array(String)})
              ORDER BY order_id, received_at, type != 'conversion', ts, event_id`,
      query_params: scopeParams(campaignId, partners),
      format: 'JSONColumnsWithMetadata',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    const c = ((await rs.json()) as unknown as { data: Record<(typeof LEDGER_COLUMNS)[number], unknown[]> }).data;
    const n = c.order_id?.length ?? 0;
    const rows: LedgerRow[] = new Array(n);
    for (let i = 0; i < n; i++)
      rows[i] = {
        partner_id: c.partner_id[i] as string,
        order_id: c.order_id[i] as string,
        event_id: c.event_id[i] as string,
        type: c.type[i] as LedgerRow['type'],
        ts: Number(c.ts[i]),
        status: c.status[i] as string,
        from_status: c.from_status[i] as string,
        status_reason: c.status_reason[i] as string,
        amount_minor: Number(c.amount_minor[i]),
        commission_minor: Number(c.commission_minor[i]),
        converted: Number(c.converted[i]),
        currency: c.currency[i] as string,
      };
    return buildLedger(rows, (p) => this.dims.dealFor(campaignId, p)?.lock_days ?? 0, withSteps);
  }

  /** Ledger lines already paid (event id → payout id). */
  async paidLines(campaignId: string, partners: PartnerFilter): Promise<Map<string, string>> {
    const rs = await this.client.query({
      query: `SELECT event_id, payout_id FROM payout_lines FINAL
              WHERE campaign_id = {c:String} AND ({all:Bool} OR partner_id IN {partners:Array(String)})`,
      query_params: scopeParams(campaignId, partners),
      format: 'JSONCompactEachRow',
    });
    return new Map((await rs.json<[string, string]>()).map(([e, p]) => [e, p]));
  }

  async paidPayouts(campaignId: string, partners: PartnerFilter): Promise<PaidPayout[]> {
    const rs = await this.client.query({
      query: `SELECT id, partner_id, toUnixTimestamp64Milli(period_start) AS period_start,
                     toUnixTimestamp64Milli(period_end) AS period_end, currency, commission_minor, fees_minor,
                     carried_minor, total_minor, conversions, lines, toUnixTimestamp64Milli(paid_at) AS paid_at, reference
              FROM payouts FINAL
              WHERE campaign_id = {c:String} AND ({all:Bool} OR partner_id IN {partners:Array(String)})
              ORDER BY period_end, partner_id`,
      query_params: scopeParams(campaignId, partners),
      format: 'JSONEachRow',
    });
    return (await rs.json<Record<string, unknown>>()).map((r) => {
      const o = { ...r } as Record<string, unknown>;
      for (const k of [
        'period_start',
        'period_end',
        'commission_minor',
        'fees_minor',
        'carried_minor',
        'total_minor',
        'conversions',
        'lines',
        'paid_at',
      ])
        o[k] = Number(o[k]);
      return o as unknown as PaidPayout;
    });
  }

  /** Money by state for the partners a reader may see, and their total. */
  async commissions(campaignId: string, partners: PartnerFilter, now: number): Promise<CommissionsSummary> {
    const [ledger, paid] = await Promise.all([this.ledger(campaignId, partners), this.paidLines(campaignId, partners)]);
    return this.summarize(campaignId, ledger, new Set(paid.keys()), now);
  }

  summarize(campaignId: string, ledger: Ledger, paid: ReadonlySet<string>, now: number): CommissionsSummary {
    const partners = [...moneyByPartner(ledger, paid, now).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([partner_id, states]) => ({ partner_id, states }));
    return {
      campaign_id: campaignId,
      currency: this.dims.campaign(campaignId)?.currency ?? 'USD',
      at: now,
      total: totalOf(partners),
      partners,
    };
  }

  /** Orders of one partner (newest first) with their histories. */
  async orders(campaignId: string, partnerId: string, now: number, limit: number): Promise<OrderHistory[]> {
    const only = new Set([partnerId]);
    const [ledger, paid] = await Promise.all([this.ledger(campaignId, only, true), this.paidLines(campaignId, only)]);
    return [...ledger.orders.values()]
      .filter((o) => o.partner_id === partnerId)
      .sort((a, b) => b.placed_at - a.placed_at || (a.order_id < b.order_id ? -1 : 1))
      .slice(0, limit)
      .map((o) => orderHistory(o, ledger.lines, paid, now));
  }

  /**
   * The payouts of the period ending `periodEnd`: those paid for it, and for every other partner with a deal what is
   * due (or carried over) by then.
   */
  async payouts(campaignId: string, periodEnd: number, partners: PartnerFilter): Promise<PayoutsResponse> {
    const { ledger, paid, done, terms, minMinor, currency } = await this.period(campaignId, periodEnd, partners);
    const name = (p: string) => this.dims.partner(p)?.display_name ?? p;
    const paidRows: PayoutRow[] = done
      .filter((p) => p.period_end === periodEnd)
      .map((p) => ({ ...p, payout_id: p.id, partner_name: name(p.partner_id), status: 'paid' }));
    const paidNow = new Set(paidRows.map((r) => r.partner_id));
    const due = duePayouts(ledger, new Set(paid.keys()), terms, periodEnd, minMinor)
      .map((d) => d.row)
      .filter((r) => !paidNow.has(r.partner_id));
    const rows = [...paidRows, ...due].sort((a, b) => (a.partner_id < b.partner_id ? -1 : 1));
    return { campaign_id: campaignId, currency, period_end: periodEnd, min_payout_minor: minMinor, rows };
  }

  /**
   * Marks the due payouts of the period paid (of the given partners, or all due): each a payout with its lines, which
   * no later payout includes. A period already paid for a partner is a conflict.
   */
  async markPaid(
    campaignId: string,
    periodEnd: number,
    partnerIds: string[] | null,
    reference: string,
    by: string,
    now: number,
  ): Promise<PayoutRow[]> {
    const run = this.marking.then(async () => {
      const { ledger, paid, done, terms, minMinor } = await this.period(campaignId, periodEnd, null);
      const due = duePayouts(ledger, new Set(paid.keys()), terms, periodEnd, minMinor).filter(
        (d) => d.row.status === 'due' && (partnerIds === null || partnerIds.includes(d.row.partner_id)),
      );
      for (const p of partnerIds ?? []) {
        if (done.some((x) => x.partner_id === p && x.period_end >= periodEnd))
          throw conflict('PAYOUT_EXISTS', `partner "${p}" was already paid for a period ending on or after this one`);
      }
      const out: PayoutRow[] = [];
      for (const { row, lines } of due) {
        const id = `po_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
        // the lines first: a payout row without them would let its lines be paid again
        await this.client.insert({
          table: 'payout_lines',
          format: 'JSONEachRow',
          values: lines.map((l) => ({
            campaign_id: campaignId,
            partner_id: row.partner_id,
            event_id: l.event_id,
            payout_id: id,
            commission_minor: l.commission_minor,
            revenue_minor: l.revenue_minor,
          })),
        });
        await this.client.insert({
          table: 'payouts',
          format: 'JSONEachRow',
          values: [
            {
              id,
              campaign_id: campaignId,
              partner_id: row.partner_id,
              period_start: row.period_start,
              period_end: row.period_end,
              currency: row.currency,
              commission_minor: row.commission_minor,
              fees_minor: row.fees_minor,
              carried_minor: row.carried_minor,
              total_minor: row.total_minor,
              conversions: row.conversions,
              lines: row.lines,
              paid_at: now,
              paid_by: by,
              reference,
            },
          ],
        });
        out.push({ ...row, payout_id: id, status: 'paid', paid_at: now, reference });
      }
      return out;
    });
    this.marking = run.catch(() => undefined);
    return run;
  }

  private async period(campaignId: string, periodEnd: number, partners: PartnerFilter) {
    const campaign = this.dims.campaign(campaignId);
    const currency = campaign?.currency ?? 'USD';
    const [ledger, paid, done] = await Promise.all([
      this.ledger(campaignId, partners),
      this.paidLines(campaignId, partners),
      this.paidPayouts(campaignId, partners),
    ]);
    const terms: PayoutTerms[] = this.dims
      .dealsOf(campaignId)
      .filter((d) => partners === null || partners.has(d.partner_id))
      .map((d) => {
        const mine = done.filter((p) => p.partner_id === d.partner_id);
        const runStart = d.start ?? campaign?.start ?? 0;
        return {
          partner_id: d.partner_id,
          partner_name: this.dims.partner(d.partner_id)?.display_name ?? d.partner_id,
          currency,
          fee_minor: toMinor(d.fixed_fee, currency),
          run_start: runStart,
          run_end: d.end ?? campaign?.end ?? runStart,
          fees_paid_minor: mine.reduce((n, p) => n + p.fees_minor, 0),
          period_start: mine.reduce((t, p) => Math.max(t, p.period_end), runStart),
        };
      });
    const minMinor = toMinor(campaign?.min_payout ?? 0, currency);
    return { ledger, paid, done, terms, minMinor, currency };
  }
}
