// A CSV upload read by ClickHouse's own CSVWithNames reader (quoting, escapes and line ends as it takes them): every
// cell as text or null, each row with its number; and the header's columns, for the required-column check first.
import type { ClickHouseClient } from '@clickhouse/client';
import { badRequest } from './httpErrors.js';

export type CsvRow<C extends string> = Record<C, string | null> & { row: number };

export async function readCsvText<C extends string>(
  client: ClickHouseClient,
  csv: string,
  columns: readonly C[],
): Promise<CsvRow<C>[]> {
  const structure = columns.map((c) => `${c} Nullable(String)`).join(', ');
  try {
    const rs = await client.query({
      query: `SELECT toUInt32(rowNumberInAllBlocks() + 1) AS row, * FROM format(CSVWithNames, {structure:String}, {csv:String})`,
      query_params: { structure, csv },
      format: 'JSONEachRow',
      // An unknown column is the sender's mistake (a misspelt header would otherwise be dropped silently).
      clickhouse_settings: { input_format_skip_unknown_fields: 0, input_format_csv_empty_as_default: 1 },
    });
    return await rs.json<CsvRow<C>>();
  } catch (e) {
    const message = (e as Error).message
      .split('\n')[0]
      .replace(/: While executing.*$/, '')
      .slice(0, 300);
    throw badRequest(
      'INVALID_CSV',
      `the CSV could not be read (expected the columns ${columns.join(', ')}): ${message}`,
    );
  }
}

/** The header's columns, as the first line names them. */
export function csvHeader(csv: string): string[] {
  const first = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return first.split(',').map((h) =>
    h
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}
