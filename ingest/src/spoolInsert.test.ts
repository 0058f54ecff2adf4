// The spool's TabSeparated text as ClickHouse reads it: every column of a stored row comes back as it was spooled
// (escapes, sub ids, signed and fractional numbers, millisecond times), a segment of an earlier version (JSON) too,
// and a re-sent segment is a no-op.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';
import { applyMigrations, openStore, type Store } from '@pulseroom/schema/server';
import { insertEventText } from './queries.js';
import { encodeJsonRecord, encodeRecord, segmentText } from './spool.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({
    PULSEROOM_DATA_DIR: mkdtempSync(join(tmpdir(), 'pulseroom-spool-insert-')),
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'pulseroom',
  });
  await applyMigrations(store.client);
});
afterAll(async () => store?.close());

const TS = Date.UTC(2026, 11, 3, 10, 10, 3, 59);
const event = (id: string, extra: Partial<StoredEvent> & Record<string, unknown> = {}): StoredEvent =>
  ({
    ...blankStoredEvent(),
    event_id: id,
    source_id: 'src',
    campaign_id: 'spring',
    partner_id: 'ana',
    platform: 'instagram',
    ts: TS,
    received_at: TS + 1,
    ...extra,
  }) as StoredEvent;

async function stored(prefix: string): Promise<Record<string, unknown>[]> {
  const rs = await store.client.query({
    query: `SELECT * EXCEPT (inserted_at, ts, received_at), toUnixTimestamp64Milli(events.ts) AS ts, toUnixTimestamp64Milli(events.received_at) AS received_at
            FROM events WHERE startsWith(event_id, {p:String}) ORDER BY event_id`,
    query_params: { p: prefix },
    format: 'JSONEachRow',
  });
  return rs.json();
}

describe('spool text into ClickHouse', () => {
  it('stores every column of a TabSeparated segment as it was spooled, once even when the segment is sent again', async () => {
    const rows = [
      event('tsv-1', {
        type: 'comment',
        text: 'tab\there, line\nbreak, cr\r, back\\slash \\t literal, quote \' "x" ü 😍',
        sentiment: -0.625,
        label: 'neg',
        lang: 'en',
        author_hash: 'h1',
        sentiment_terms: ["rip-off's", '🙄', 'back\\slash'],
      }),
      event('tsv-2', {
        type: 'conversion',
        order_id: 'o-1',
        status: 'approved',
        amount_minor: -1999,
        orig_amount_minor: -2150,
        currency: 'EUR',
        orig_currency: 'USD',
        commission_minor: 199,
        attributed: 1,
        converted: 1,
        items: 3,
        sub: ["it's", 'a\\b', 'tab\tin'],
      }),
      event('tsv-3', {
        type: 'engagement',
        views: 9_007_199_254_740,
        reach: 12,
        has_reach: 1,
        likes: 5,
        correction: 1,
      }),
      event('tsv-4', { ts: Date.UTC(2001, 0, 1), received_at: Date.UTC(1999, 11, 31, 23, 59, 59, 999) }), // 12-digit epoch ms
      event('tsv-5', { ts: Date.UTC(2099, 11, 31, 23, 59, 59, 999), received_at: TS + 10 }),
    ];
    const buf = Buffer.concat([encodeRecord(rows.slice(0, 2)), encodeRecord(rows.slice(2))]);
    const { text, rows: n } = segmentText(buf, 'run-tsv-1', 'tsv');
    expect(n).toBe(5);
    await insertEventText(store.client, 'run-tsv-1', text, 'tsv');
    await insertEventText(store.client, 'run-tsv-1', text, 'tsv'); // the answer was lost: sent again
    const back = await stored('tsv-');
    expect(back).toHaveLength(5);
    for (const [i, r] of rows.entries()) {
      expect(back[i]).toEqual({ ...r, batch_id: 'run-tsv-1', sub: (r as Record<string, unknown>).sub ?? [] });
    }
  });

  it('stores a JSON segment an earlier version spooled the same way', async () => {
    const rows = [
      event('json-1', { type: 'comment', text: 'a\tb "q"', sentiment: 0.5, label: 'pos' }),
      event('json-2', { type: 'click', link_code: 'ana-spring', bot: 1 }),
    ];
    const { text } = segmentText(encodeJsonRecord(rows), 'run-json-1', 'json');
    await insertEventText(store.client, 'run-json-1', text, 'json');
    const back = await stored('json-');
    expect(back).toEqual(rows.map((r) => ({ ...r, batch_id: 'run-json-1', sub: [] })));
  });

  it('stores TabSeparated segments spooled before sentiment_terms and the status columns existed', async () => {
    const rows = [event('old-1', { type: 'comment', text: 'so mid', sentiment: -0.5, label: 'neg', lang: 'en' })];
    const { text } = segmentText(encodeRecord(rows), 'run-old-1', 'tsv');
    // as the previous version wrote it: no from_status and status_reason (the two empty fields before the batch id)
    const beforeStatus = text.replace('\t[]\t\t\trun-old-1\n', '\t[]\trun-old-1\n');
    expect(beforeStatus.split('\t')).toHaveLength(text.split('\t').length - 2);
    await insertEventText(store.client, 'run-old-1', beforeStatus, 'tsv');
    expect(await stored('old-1')).toEqual(rows.map((r) => ({ ...r, batch_id: 'run-old-1', sub: [] })));
    // and the version before that: no sentiment terms either
    const rows2 = [event('old-2', { type: 'comment', text: 'meh', sentiment: -0.5, label: 'neg', lang: 'en' })];
    const text2 = segmentText(encodeRecord(rows2), 'run-old-2', 'tsv').text;
    const beforeTerms = text2.replace('\t[]\t[]\t\t\trun-old-2\n', '\t[]\trun-old-2\n');
    expect(beforeTerms.split('\t')).toHaveLength(text2.split('\t').length - 3);
    await insertEventText(store.client, 'run-old-2', beforeTerms, 'tsv');
    expect(await stored('old-2')).toEqual(rows2.map((r) => ({ ...r, batch_id: 'run-old-2', sub: [] })));
  });
});
