// A spool segment ClickHouse cannot read (a value its parser refuses) must not hold the spool back forever: the rows it
// refuses are set aside in the quarantine directory, every other row of the segment is stored once, later segments
// flow, and isolating the same segment again after a crash stores nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';
import { applyMigrations, openStore, type Store } from '@pulseroom/schema/server';
import { Flusher, isDataError } from './flusher.js';
import { IngestMetrics } from './metrics.js';
import { Spool } from './spool.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({
    PULSEROOM_DATA_DIR: mkdtempSync(join(tmpdir(), 'pulseroom-quarantine-')),
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'pulseroom',
  });
  await applyMigrations(store.client);
});
afterAll(async () => store?.close());

const NOW = Date.now();
const event = (id: string, views = 1): StoredEvent => ({
  ...blankStoredEvent(),
  event_id: id,
  source_id: 'src',
  campaign_id: 'spring',
  partner_id: 'ana',
  platform: 'instagram',
  ts: NOW,
  received_at: NOW,
  views,
});

async function stored(prefix: string): Promise<Record<string, number>> {
  const rs = await store.client.query({
    query: 'SELECT event_id, count() AS n FROM events WHERE startsWith(event_id, {p:String}) GROUP BY event_id',
    query_params: { p: prefix },
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await rs.json<{ event_id: string; n: number }>()).map((r) => [r.event_id, Number(r.n)]));
}

function flusherOf(spool: Spool): { flusher: Flusher; metrics: IngestMetrics } {
  const metrics = new IngestMetrics(
    () => spool.depth(),
    () => ({}),
  );
  return {
    flusher: new Flusher(
      spool,
      store,
      { flushRows: 10_000, flushMs: 10 },
      pino({ level: 'silent' }),
      metrics,
      Date.now,
    ),
    metrics,
  };
}

describe('a segment ClickHouse cannot read', () => {
  it('tells data errors from outages', () => {
    expect(isDataError({ type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' })).toBe(true);
    expect(isDataError({ type: 'TYPE_MISMATCH' })).toBe(true);
    expect(isDataError({ type: 'TIMEOUT_EXCEEDED' })).toBe(false);
    expect(isDataError(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(isDataError(null)).toBe(false);
  });

  it('stores every row but the refused ones, sets those aside, lets later segments through, and stores nothing twice when isolated again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulseroom-quarantine-spool-'));
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 24 });
    // 1e21 is written as "1e+21", which ClickHouse cannot read as Int64 (ingest's schema bounds views; a bug would
    // not).
    const first = [
      ...Array.from({ length: 37 }, (_, i) => event(`q-a${i}`)),
      event('q-bad1', 1e21),
      ...Array.from({ length: 20 }, (_, i) => event(`q-b${i}`)),
      event('q-bad2', 1e21),
    ];
    await spool.append(first);
    await spool.seal();
    await spool.append([event('q-later')]);
    await spool.seal();
    const [seg] = spool.sealedSegments();
    const copy = join(dir, 'copy.bak');
    copyFileSync(seg.file, copy);

    const { flusher, metrics } = flusherOf(spool);
    await flusher.tick(true);
    const rows = await stored('q-');
    expect(Object.keys(rows)).toHaveLength(58); // 57 good of the first segment + the later one
    expect(Object.values(rows).every((n) => n === 1)).toBe(true);
    expect(rows['q-bad1']).toBeUndefined();
    expect(spool.depth().rows).toBe(0);
    expect(flusher.status()).toMatchObject({ healthy: true, quarantinedRows: 2 });
    expect(await metrics.registry.getSingleMetricAsString('pulseroom_ingest_quarantined_rows_total')).toMatch(/ 2$/m);
    const qfile = join(dir, 'quarantine', `${seg.token}.jsonl`);
    const set = readFileSync(qfile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: string; row: { event_id: string } });
    expect(set.map((x) => x.row.event_id)).toEqual(['q-bad1', 'q-bad2']);
    expect(set[0].error).toMatch(/parse/i);
    await spool.close();

    // A crash before the segment was deleted: the next start isolates it again; nothing is stored twice.
    copyFileSync(copy, seg.file);
    const again = await Spool.open({ dir, maxBytes: 1 << 24 });
    expect(again.replay.rows).toBe(first.length);
    await flusherOf(again.spool).flusher.tick(true);
    const after = await stored('q-');
    expect(Object.keys(after)).toHaveLength(58);
    expect(Object.values(after).every((n) => n === 1)).toBe(true);
    expect(readdirSync(join(dir, 'quarantine'))).toEqual([`${seg.token}.jsonl`]);
    await again.spool.close();
  });
});
