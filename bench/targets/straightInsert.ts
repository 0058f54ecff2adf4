// Baseline process of the ingest benchmark: the rows ingest stored, inserted straight through the same @clickhouse/client
// into `events` (same format and settings as ingest's flusher, batches of its size), then the in-engine INSERT … SELECT ceiling.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { blankStoredEvent } from '@pulseroom/schema';
import { applyMigrations, openStore } from '@pulseroom/schema/server';
import { engineVersion, insertHistory } from '../lib/history.js';
import { ownPeakRssMb, sendResult } from '../lib/proc.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    batch: { type: 'string', default: '10000' },
    'duration-ms': { type: 'string', default: '10000' },
    'ceiling-rows': { type: 'string', default: '2000000' },
  },
});
const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-straight-'));
const store = await openStore({ PULSEROOM_DATA_DIR: dataDir, CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: 'pulseroom' });
await applyMigrations(store.client);
const version = await engineVersion(store.client);

// As ingest's flusher sends them: times as epoch ms, columns at their blank value left out (spool.ts compactRow).
const blank = blankStoredEvent() as unknown as Record<string, unknown>;
const epochMs = (v: unknown) => (typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}Z`) : v);
const rows = readFileSync(values.rows!, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const full = JSON.parse(l) as Record<string, unknown>;
    const out: Record<string, unknown> = { event_id: full.event_id, type: full.type };
    for (const [k, v] of Object.entries(full)) {
      if (k === 'ts' || k === 'received_at') out[k] = epochMs(v);
      else if (v !== blank[k] && !(Array.isArray(v) && v.length === 0)) out[k] = v;
    }
    return out;
  });
const batch = Number(values.batch);
const durationMs = Number(values['duration-ms']);

/** Rows/s and process CPU (client + chDB, all threads) per row of inserting `size`-row batches for `ms`. */
async function straight(size: number, ms: number): Promise<{ rowsPerS: number; cpuUsPerRow: number }> {
  let inserted = 0;
  const cpu0 = process.cpuUsage();
  let round = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < rows.length && performance.now() - t0 < ms; i += size) {
      const token = `straight-${size}-${round++}`;
      const values = rows.slice(i, i + size).map((r) => ({ ...r, batch_id: token }));
      await store.client.insert({
        table: 'events',
        values,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: token, deduplicate_blocks_in_dependent_materialized_views: 1 },
      });
      inserted += values.length;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { rowsPerS: Math.round(inserted / ((performance.now() - t0) / 1000)), cpuUsPerRow: Math.round(((cpu.user + cpu.system) / inserted) * 10) / 10 };
}

const atBatch = await straight(batch, durationMs);
const at500 = await straight(500, Math.min(3000, durationMs));
const ceilingRows = Number(values['ceiling-rows']);
const shape = { campaigns: 3, partnersPerCampaign: 40, spanMs: 3_600_000 };
const ceilingS = await insertHistory(store.client, ceilingRows, { ...shape, offset: 1e9 });
const ceiling2S = await insertHistory(store.client, ceilingRows, { ...shape, offset: 2e9 }, { max_insert_threads: 2 });
await store.close();
rmSync(dataDir, { recursive: true, force: true });
sendResult({
  engine_version: version,
  rows_available: rows.length,
  straight_rows_per_s: atBatch.rowsPerS,
  straight_batch: batch,
  straight_500_rows_per_s: at500.rowsPerS,
  straight_cpu_us_per_row: atBatch.cpuUsPerRow,
  ceiling_rows_per_s: Math.round(ceilingRows / ceilingS),
  ceiling_2_threads_rows_per_s: Math.round(ceilingRows / ceiling2S),
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
