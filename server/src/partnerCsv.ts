// Partners as CSV: an import parsed by ClickHouse's own CSVWithNames reader, each row checked by the partner schema
// with its errors named by row and column, planned (create, update, unchanged) before anything is written; and the
// export of the list in the same columns.
import type { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { formatPath, partner as partnerSchema, type Partner } from '@pulseroom/schema';
import { badRequest, csvHeader, readCsvText, type DimensionCache } from '@pulseroom/schema/server';

/** The columns of an import and an export, in order; `id` may be left empty (the partner is then found by handle). */
export const PARTNER_CSV_COLUMNS = [
  'id',
  'handle',
  'display_name',
  'type',
  'platforms',
  'followers',
  'manager_id',
  'accounts',
] as const;
type Column = (typeof PARTNER_CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['handle', 'display_name', 'type', 'platforms', 'followers'];

/**
 * A file to start from: the columns, and one partner of each kind. Platforms are separated by "|"; `accounts`
 * (optional) gives the handle and followers on each platform as `platform:handle:followers|…`.
 */
export const PARTNER_CSV_SAMPLE = [
  PARTNER_CSV_COLUMNS.join(','),
  'maya-glow,@mayaglow,Maya Glow,influencer,instagram|tiktok,48200,am-ines,instagram:@mayaglow:36100|tiktok:@maya.glow:12100',
  ',@dealfinder,Deal Finder,affiliate,blog|newsletter,12000,,',
  'leo-runs,@leoruns,"Leo Martins, runner",ambassador,instagram,153000,am-ines,instagram:@leoruns:153000',
  '',
].join('\n');

export interface ImportRow {
  /** 1-based, the header not counted (row 1 is the first partner). */
  row: number;
  id: string;
  action: 'create' | 'update' | 'unchanged';
  partner: Partner;
}

export interface ImportProblem {
  row: number;
  column: Column | '(row)';
  message: string;
}

export interface ImportPlan {
  rows: ImportRow[];
  errors: ImportProblem[];
  summary: { create: number; update: number; unchanged: number; errors: number };
}

type Raw = Record<Column, string | null> & { row: number };

const slug = (handle: string) =>
  handle
    .replace(/^@/, '')
    .toLowerCase()
    .replace(/[^a-z0-9._:-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);

/** "48,200", "48 200" or "48_200" as "48200": counts are often typed with thousands separators. */
const withoutThousands = (s: string) => s.replace(/(?<=\d)[ ,_'](?=\d{3}\b)/g, '');

/** A row's cells as the partner document they describe (numbers and lists from their text). */
function documentOf(r: Raw, id: string): Record<string, unknown> {
  const text = (c: Column) => (r[c] ?? '').trim();
  const followers = withoutThousands(text('followers'));
  const doc: Record<string, unknown> = {
    id,
    handle: text('handle'),
    display_name: text('display_name'),
    type: text('type').toLowerCase(),
    platforms: text('platforms')
      .toLowerCase()
      .split(/[|;,\s]+/)
      .filter(Boolean),
    followers: /^\d+$/.test(followers) ? Number(followers) : text('followers'),
  };
  if (text('manager_id')) doc.manager_id = text('manager_id');
  if (text('accounts')) {
    // platform:handle:followers — the handle may hold a ":" (a site's address), the followers are the last field.
    doc.accounts = text('accounts')
      .split('|')
      .map((a) => {
        const parts = a.trim().split(':');
        const followers = withoutThousands(parts.length >= 3 ? parts.pop()! : '');
        return {
          platform: (parts.shift() ?? '').toLowerCase(),
          handle: parts.join(':'),
          followers: /^\d+$/.test(followers) ? Number(followers) : followers,
        };
      });
  }
  return doc;
}

/** An id made from a handle, suffixed until no partner and no earlier row has it. */
function freeId(dims: DimensionCache, base: string, taken: ReadonlyMap<string, number>): string {
  let id = base || 'partner';
  for (let n = 2; dims.partner(id) || taken.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
  return id;
}

const same = (a: Partner, b: Partner) =>
  JSON.stringify({ ...a, platforms: [...a.platforms].sort() }) ===
  JSON.stringify({ ...b, platforms: [...b.platforms].sort() });

/**
 * What importing this CSV would do, row by row: a row with an id updates that partner (or creates it); a row without
 * one updates the partner with its handle, or creates one with an id made from the handle. Nothing is written here.
 */
export async function planPartnerImport(
  client: ClickHouseClient,
  dims: DimensionCache,
  csv: string,
): Promise<ImportPlan> {
  const header = csvHeader(csv);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw badRequest(
      'INVALID_CSV',
      `the CSV header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${PARTNER_CSV_COLUMNS.join(', ')})`,
    );
  const raws = (await readCsvText(client, csv, PARTNER_CSV_COLUMNS)) as Raw[];
  if (raws.length === 0) throw badRequest('INVALID_CSV', 'the CSV has a header but no partner rows');
  const byHandle = new Map(dims.allPartners().map((p) => [p.handle.toLowerCase(), p]));
  const plan: ImportPlan = { rows: [], errors: [], summary: { create: 0, update: 0, unchanged: 0, errors: 0 } };
  const seenIds = new Map<string, number>();
  const seenHandles = new Map<string, number>();
  for (const r of raws) {
    const row = Number(r.row);
    const handle = (r.handle ?? '').trim();
    const id = (r.id ?? '').trim() || byHandle.get(handle.toLowerCase())?.id || freeId(dims, slug(handle), seenIds);
    const parsed = partnerSchema.safeParse(documentOf(r, id));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '(row)');
        plan.errors.push({
          row,
          column: (PARTNER_CSV_COLUMNS as readonly string[]).includes(column) ? (column as Column) : '(row)',
          message: issue.path.length > 1 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message,
        });
      }
      continue;
    }
    const p = parsed.data;
    const owner = byHandle.get(p.handle.toLowerCase());
    if (owner && owner.id !== p.id)
      plan.errors.push({
        row,
        column: 'handle',
        message: `${p.handle} is partner "${owner.id}" already (leave id empty, or use that id, to update it)`,
      });
    if (seenIds.has(p.id))
      plan.errors.push({ row, column: 'id', message: `"${p.id}" is also row ${seenIds.get(p.id)}` });
    if (seenHandles.has(p.handle.toLowerCase()))
      plan.errors.push({
        row,
        column: 'handle',
        message: `${p.handle} is also row ${seenHandles.get(p.handle.toLowerCase())}`,
      });
    seenIds.set(p.id, row);
    seenHandles.set(p.handle.toLowerCase(), row);
    const existing = dims.partner(p.id);
    plan.rows.push({
      row,
      id: p.id,
      action: !existing ? 'create' : same(existing, p) ? 'unchanged' : 'update',
      partner: p,
    });
  }
  const bad = new Set(plan.errors.map((e) => e.row));
  plan.rows = plan.rows.filter((r) => !bad.has(r.row));
  for (const r of plan.rows) plan.summary[r.action]++;
  plan.summary.errors = bad.size;
  const order = (c: ImportProblem['column']) => (PARTNER_CSV_COLUMNS as readonly string[]).indexOf(c);
  plan.errors.sort((a, b) => a.row - b.row || order(a.column) - order(b.column));
  return plan;
}

/** The partners as CSVWithNames, in the import's columns (what an export round-trips through an import unchanged). */
export async function partnersCsv(client: ClickHouseClient): Promise<Readable> {
  const rs = await client.exec({
    query: `SELECT id, JSONExtractString(doc, 'handle') AS handle, JSONExtractString(doc, 'display_name') AS display_name,
              JSONExtractString(doc, 'type') AS type, arrayStringConcat(JSONExtract(doc, 'platforms', 'Array(String)'), '|') AS platforms,
              JSONExtractUInt(doc, 'followers') AS followers, manager_id,
              arrayStringConcat(arrayMap(a -> concat(a.1, ':', a.2, ':', toString(a.3)),
                JSONExtract(doc, 'accounts', 'Array(Tuple(platform String, handle String, followers UInt64))')), '|') AS accounts
            FROM partners FINAL WHERE deleted = 0 ORDER BY id FORMAT CSVWithNames`,
  });
  return rs.stream as Readable;
}
