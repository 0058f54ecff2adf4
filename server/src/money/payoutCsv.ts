// A period's payouts as the CSV finance imports: written by ClickHouse's own CSVWithNames writer from the rows (quoting
// and escaping as its reader takes them back), amounts in minor units and as decimals of the payout's currency.
import type { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { currencyExponent, type PayoutRow } from '@pulseroom/schema';

/** The CSV's columns, in order. */
export const PAYOUT_CSV_COLUMNS = [
  'partner_id',
  'partner_name',
  'period_start',
  'period_end',
  'currency',
  'commission_minor',
  'commission',
  'fees_minor',
  'fees',
  'carried_over_minor',
  'carried_over',
  'total_minor',
  'total',
  'conversions',
  'lines',
  'status',
  'payout_id',
  'paid_at',
  'reference',
] as const;

/** Minor units as a decimal of the currency ("1234.50", "-3.10", "1200" for JPY): never through a float. */
export function decimalOf(minor: number, currency: string): string {
  const digits = currencyExponent(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export async function payoutsCsv(client: ClickHouseClient, rows: readonly PayoutRow[]): Promise<Readable> {
  const data = rows
    .map((r) =>
      JSON.stringify({
        partner_id: r.partner_id,
        partner_name: r.partner_name,
        period_start: iso(r.period_start),
        period_end: iso(r.period_end),
        currency: r.currency,
        commission_minor: r.commission_minor,
        commission: decimalOf(r.commission_minor, r.currency),
        fees_minor: r.fees_minor,
        fees: decimalOf(r.fees_minor, r.currency),
        carried_over_minor: r.carried_minor,
        carried_over: decimalOf(r.carried_minor, r.currency),
        total_minor: r.total_minor,
        total: decimalOf(r.total_minor, r.currency),
        conversions: r.conversions,
        lines: r.lines,
        status: r.status,
        payout_id: r.payout_id ?? '',
        paid_at: iso(r.paid_at),
        reference: r.reference,
      }),
    )
    .join('\n');
  const structure = PAYOUT_CSV_COLUMNS.map(
    (c) => `${c} ${/_minor$|^conversions$|^lines$/.test(c) ? 'Int64' : 'String'}`,
  ).join(', ');
  const rs = await client.exec({
    query: `SELECT * FROM format(JSONEachRow, {structure:String}, {data:String}) FORMAT CSVWithNames`,
    query_params: { structure, data },
  });
  return rs.stream as Readable;
}
