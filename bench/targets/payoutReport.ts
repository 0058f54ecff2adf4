// Payout-report benchmark process: one store with a campaign of 1,000 partners and 100,000 conversions over 60 days
// (a tenth pending then approved, a twentieth partly refunded, a few charged back; half the deals locked 14 days, a
// tenth with a fixed fee), then the payouts of the period and the commissions by status, timed, with the rows
// ClickHouse read (system.events SelectedRows: chDB keeps no query_log) — against a bare scan of the same rows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  applyMigrations,
  DimensionCache,
  openStore,
  upsertCampaigns,
  upsertDeals,
  upsertPartners,
} from '@pulseroom/schema/server';
import { MoneyBook } from '@pulseroom/server/money/moneyBook';
import { discardDir, ownPeakRssMb, sendResult } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: { partners: { type: 'string', default: '1000' }, conversions: { type: 'string', default: '100000' } },
});
const PARTNERS = Number(values.partners);
const CONVERSIONS = Number(values.conversions);
const DAY = 86_400_000;
const NOW = Date.now();
const C = 'payout-bench';

const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-payouts-'));
const store = await openStore({
  PULSEROOM_DATA_DIR: dataDir,
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  CLICKHOUSE_DATABASE: 'pulseroom',
});
const client = store.client;
await applyMigrations(client);
const iso = (ms: number) => new Date(ms).toISOString();
const ids = Array.from({ length: PARTNERS }, (_, i) => `p${i}`);
await upsertCampaigns(client, [
  {
    id: C,
    name: 'Payout bench',
    brand: 'Bench',
    start: iso(NOW - 61 * DAY),
    end: iso(NOW + 30 * DAY),
    currency: 'EUR',
  },
] as never);
await upsertPartners(
  client,
  ids.map((id) => ({
    id,
    handle: `@${id}`,
    display_name: id,
    type: 'affiliate',
    platforms: ['blog'],
    followers: 1000,
  })) as never,
);
await upsertDeals(
  client,
  ids.map((id, i) => ({
    id: `${C}--${id}`,
    campaign_id: C,
    partner_id: id,
    commission_percent: 10,
    lock_days: i % 2 === 0 ? 14 : 0,
    fixed_fee: i % 10 === 0 ? 500 : 0,
  })) as never,
);
const dims = await DimensionCache.open(client, 0);

// The rows ingest would have stored, made in the engine: conversions, then the status changes and refunds of some.
const common = `'${C}' AS campaign_id, concat('p', toString(number % ${PARTNERS})) AS partner_id, 'blog' AS platform,
  concat('o', toString(number)) AS order_id, 'EUR' AS currency, 'EUR' AS orig_currency, 1 AS attributed, 1 AS converted,
  'bench' AS source_id, 'bench-batch' AS batch_id`;
const at = (expr: string) => `fromUnixTimestamp64Milli(toInt64(${NOW - 60 * DAY} + ${expr}))`;
const cols = `event_id, type, ts, received_at, status, from_status, status_reason, amount_minor, orig_amount_minor,
  commission_minor, campaign_id, partner_id, platform, order_id, currency, orig_currency, attributed, converted, source_id,
  batch_id`;
const t0 = performance.now();
await client.command({
  query: `INSERT INTO events (${cols})
    SELECT concat('c', toString(number)), 'conversion', ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)}`)},
      ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)}`)}, if(number % 10 = 0, 'pending', 'approved'), '', '',
      2000 + number % 18000, 2000 + number % 18000, intDiv(2000 + number % 18000, 10), ${common}
    FROM numbers(${CONVERSIONS})`,
});
await client.command({
  query: `INSERT INTO events (${cols})
    SELECT concat('s', toString(number)), 'status', ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 3600000`)},
      ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 3600000`)}, 'approved', 'pending', 'paid',
      2000 + number % 18000, 2000 + number % 18000, intDiv(2000 + number % 18000, 10), ${common}
    FROM numbers(${CONVERSIONS}) WHERE number % 10 = 0`,
});
await client.command({
  query: `INSERT INTO events (${cols})
    SELECT concat('r', toString(number)), 'refund', ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 86400000`)},
      ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 86400000`)}, 'approved', '', '',
      -500, -500, -50, ${common}
    FROM numbers(${CONVERSIONS}) WHERE number % 20 = 1`,
});
await client.command({
  query: `INSERT INTO events (${cols})
    SELECT concat('x', toString(number)), 'status', ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 7200000`)},
      ${at(`number * ${Math.floor((60 * DAY) / CONVERSIONS)} + 7200000`)}, 'reversed', 'approved', 'chargeback',
      2000 + number % 18000, 2000 + number % 18000, intDiv(2000 + number % 18000, 10), ${common}
    FROM numbers(${CONVERSIONS}) WHERE number % 250 = 3`,
});
await client.command({ query: 'OPTIMIZE TABLE events FINAL' });
const seeded = Math.round(performance.now() - t0);
const [{ n: rowsStored }] = await (
  await client.query({ query: `SELECT count() AS n FROM events WHERE campaign_id = '${C}'`, format: 'JSONEachRow' })
).json<{ n: number }>();

async function selectedRows(): Promise<number> {
  const rs = await client.query({
    query: "SELECT value FROM system.events WHERE event = 'SelectedRows'",
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ value: number }>())[0]?.value ?? 0);
}
/** Median time and the rows read of `f`, over 5 rounds after one warm-up. */
async function measure(f: () => Promise<unknown>) {
  await f();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 5; i++) {
    const r0 = await selectedRows();
    const s = performance.now();
    await f();
    times.push(performance.now() - s);
    rows = (await selectedRows()) - r0;
  }
  return { ms: summarize(times).p50, rows_read: rows };
}

const money = new MoneyBook(client, dims);
const payouts = await measure(() => money.payouts(C, NOW, null));
const commissions = await measure(() => money.commissions(C, null, NOW));
const scan = await measure(async () =>
  (
    await client.query({
      query: `SELECT partner_id, sum(commission_minor), count() FROM events
              WHERE campaign_id = {c:String} AND type IN ('conversion', 'refund', 'status') AND order_id != ''
              GROUP BY partner_id`,
      query_params: { c: C },
      format: 'JSONEachRow',
    })
  ).json(),
);
const report = await money.payouts(C, NOW, null);
sendResult({
  partners: PARTNERS,
  conversions: CONVERSIONS,
  rows_stored: Number(rowsStored),
  seeded_ms: seeded,
  payouts,
  commissions,
  scan,
  due: report.rows.filter((r) => r.status === 'due').length,
  below_minimum: report.rows.filter((r) => r.status === 'below_minimum').length,
  total_due_minor: report.rows.reduce((n, r) => n + (r.status === 'due' ? r.total_minor : 0), 0),
  peak_rss_mb: ownPeakRssMb(),
});
await store.close();
discardDir(dataDir);
