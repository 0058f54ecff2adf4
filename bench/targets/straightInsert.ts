// Baseline process of the ingest benchmark: the rows ingest stored, inserted straight through the same
// @clickhouse/client into `events` as JSON rows (`client.insert`, the baseline) and, for reference, as ingest's
// spool text (TabSeparated through `exec`, what the flusher sends), batches of the flusher's size; then the in-engine
// INSERT … SELECT ceiling.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoredEvent } from '@pulseroom/schema';
import { insertEventBatch, insertEventText } from '@pulseroom/ingest/queries';
import { compactRow, encodeRecord, expandRow, segmentText } from '@pulseroom/ingest/spool';
import { applyMigrations, openStore } from '@pulseroom/schema/server';
import { engineVersion, insertHistory } from '../lib/history.js';
import { discardDir, ownPeakRssMb, sendResult } from '../lib/proc.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    batch: { type: 'string', default: '10000' },
    'duration-ms': { type: 'string', default: '10000' },
    'ceiling-rows': { type: 'string', default: '2000000' },
  },
});
const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-straight-'));
const store = await openStore({
  PULSEROOM_DATA_DIR: dataDir,
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  CLICKHOUSE_DATABASE: 'pulseroom',
});
await applyMigrations(store.client);
const version = await engineVersion(store.client);

// The stored rows as ingest holds them (times as epoch ms, every column), and compacted as JSON rows of earlier
// versions of the flusher were (columns at their blank value left out): both made before the timed loop.
const epochMs = (v: unknown) => (typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}Z`) : v);
const rows: StoredEvent[] = readFileSync(values.rows!, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const r = JSON.parse(l) as Record<string, unknown>;
    return expandRow({ ...r, ts: epochMs(r.ts), received_at: epochMs(r.received_at) });
  });
const compactRows = rows.map(compactRow);
const batch = Number(values.batch);
const durationMs = Number(values['duration-ms']);

/**
 * Inserts `size`-row batches for `ms`, alternating between the given formats batch by batch (so background merges and a
 * busy moment of the machine fall on each alike): rows/s and process CPU (client + chDB, all threads) per row of each.
 * JSON goes as row objects through `client.insert` (the baseline: ingest's own insertEventBatch); TSV as
 * ingest's spool text (TabSeparated) through `exec`, as the flusher sends it (insertEventText).
 */
async function straight(
  size: number,
  ms: number,
  formats: ('json' | 'tsv')[] = ['json'],
): Promise<Record<'json' | 'tsv', { rowsPerS: number; cpuUsPerRow: number }>> {
  const acc = { json: { rows: 0, ms: 0, cpuUs: 0 }, tsv: { rows: 0, ms: 0, cpuUs: 0 } };
  let round = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < rows.length && performance.now() - t0 < ms; i += size) {
      const format = formats[round % formats.length];
      const token = `straight-${format}-${size}-${round++}`;
      const slice = rows.slice(i, i + size);
      const cpu0 = process.cpuUsage();
      const b0 = performance.now();
      if (format === 'tsv') {
        // as ingest builds it: records of 500 rows (the load's batches), then the segment's text with its token
        const records: Buffer[] = [];
        for (let j = 0; j < slice.length; j += 500) records.push(encodeRecord(slice.slice(j, j + 500)));
        await insertEventText(store.client, token, segmentText(Buffer.concat(records), token, 'tsv').text, 'tsv');
      } else {
        // copies: insertEventBatch sets each row's batch_id, and the compact rows are replayed round after round
        await insertEventBatch(
          store.client,
          token,
          compactRows.slice(i, i + size).map((r) => ({ ...r })),
        );
      }
      const cpu = process.cpuUsage(cpu0);
      acc[format].ms += performance.now() - b0;
      acc[format].cpuUs += cpu.user + cpu.system;
      acc[format].rows += slice.length;
    }
  }
  const figures = (a: { rows: number; ms: number; cpuUs: number }) => ({
    rowsPerS: a.ms ? Math.round(a.rows / (a.ms / 1000)) : 0,
    cpuUsPerRow: a.rows ? Math.round((a.cpuUs / a.rows) * 10) / 10 : 0,
  });
  return { json: figures(acc.json), tsv: figures(acc.tsv) };
}

const both = await straight(batch, durationMs, ['json', 'tsv']);
const atBatch = both.json;
const asTsv = both.tsv;
const at500 = (await straight(500, Math.min(3000, durationMs))).json;
const ceilingRows = Number(values['ceiling-rows']);
const shape = { campaigns: 3, partnersPerCampaign: 40, spanMs: 3_600_000 };
// --ceiling-rows 0: no ceiling in this run (the ingest benchmark measures it once, in its last pair)
const ceilingS = ceilingRows > 0 ? await insertHistory(store.client, ceilingRows, { ...shape, offset: 1e9 }) : 0;
const ceiling2S =
  ceilingRows > 0
    ? await insertHistory(store.client, ceilingRows, { ...shape, offset: 2e9 }, { max_insert_threads: 2 })
    : 0;
await store.close();
discardDir(dataDir);
sendResult({
  engine_version: version,
  rows_available: rows.length,
  straight_rows_per_s: atBatch.rowsPerS,
  straight_batch: batch,
  straight_500_rows_per_s: at500.rowsPerS,
  straight_cpu_us_per_row: atBatch.cpuUsPerRow,
  straight_tsv_rows_per_s: asTsv.rowsPerS,
  straight_tsv_cpu_us_per_row: asTsv.cpuUsPerRow,
  ceiling_rows_per_s: ceilingS ? Math.round(ceilingRows / ceilingS) : null,
  ceiling_2_threads_rows_per_s: ceiling2S ? Math.round(ceilingRows / ceiling2S) : null,
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
