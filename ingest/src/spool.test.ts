import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';
import {
  decodeSegment,
  encodeJsonRecord,
  encodeRecord,
  expandRow,
  parseTsvRows,
  segmentJson,
  segmentText,
  Spool,
  SpoolFullError,
  SPOOL_COLUMNS,
  tsvRow,
} from './spool.js';

const row = (id: string): StoredEvent => ({
  ...blankStoredEvent(),
  event_id: id,
  source_id: 's',
  campaign_id: 'c',
  ts: 1,
  received_at: 1,
});
const dir = () => mkdtempSync(join(tmpdir(), 'spool-test-'));

describe('spool', () => {
  it('writes rows as TabSeparated text that reads back the same, whatever the values hold', () => {
    const tricky = {
      ...row('t\t1'),
      type: 'comment',
      text: 'tab\there, line\nbreak, cr\r, back\\slash \\t literal, quote \' "x" [1,2] ü 😍',
      sentiment: -0.625,
      amount_minor: -1999,
      ts: 1764756603059,
      sub: ["it's", 'a\\b', 'tab\tin', ''],
    } as StoredEvent;
    const old = {
      ...row('y2k'),
      ts: Date.UTC(2001, 0, 1, 0, 0, 0, 7),
      received_at: Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    };
    const text = tsvRow(row('a')) + tsvRow(tricky) + tsvRow(old);
    expect(text.split('\n')).toHaveLength(4); // a line break only ends a row
    expect(text.split('\n')[0].split('\t')).toHaveLength(SPOOL_COLUMNS.length); // batch_id, the last, comes at insert
    expect(text.split('\n')[2].split('\t').slice(3, 5)).toEqual(['978307200.007', '946684799.999']); // times as seconds.mmm
    const [a, t, o] = parseTsvRows(text);
    expect(expandRow(a)).toEqual(row('a'));
    expect(expandRow(t)).toEqual(tricky);
    expect(expandRow(o)).toEqual(old);
  });

  it('gives a TabSeparated segment as one insert body with the batch id on every row, torn tail cut', () => {
    const a = encodeRecord([row('a'), { ...row('t1'), text: 'x\ny\tz' }]);
    const b = encodeRecord([row('b')]);
    const torn = encodeRecord([row('c')]).subarray(0, 15);
    const { text, rows } = segmentText(Buffer.concat([a, b, torn]), 'run1-7', 'tsv');
    expect(rows).toBe(3);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => l.split('\t')).map((c) => [c[0], c[c.length - 1], c.length])).toEqual([
      ['a', 'run1-7', SPOOL_COLUMNS.length],
      ['t1', 'run1-7', SPOOL_COLUMNS.length],
      ['b', 'run1-7', SPOOL_COLUMNS.length],
    ]);
    expect(decodeSegment(Buffer.concat([a, b, torn])).rows.map((r) => r.event_id)).toEqual(['a', 't1', 'b']);
    expect(segmentText(Buffer.alloc(0), 'x', 'tsv')).toEqual({ text: '', rows: 0 });
  });

  it('gives a segment of an earlier version (JSON) as one JSON array with the batch id on every row, without touching row text that looks like a row start', () => {
    const tricky = { ...row('t1'), type: 'comment', text: 'he wrote {"event_id":"x"} and [1,2] here' } as StoredEvent;
    const a = encodeJsonRecord([row('a'), tricky]);
    const b = encodeJsonRecord([row('b')]);
    const torn = encodeJsonRecord([row('c')]).subarray(0, 15);
    const { json, rows } = segmentJson(Buffer.concat([a, b, torn]), 'tok-"1"');
    expect(rows).toBe(3);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    expect(parsed.map((r) => [r.batch_id, r.event_id])).toEqual([
      ['tok-"1"', 'a'],
      ['tok-"1"', 't1'],
      ['tok-"1"', 'b'],
    ]);
    expect(parsed[1].text).toBe(tricky.text);
    expect(parsed).toEqual(
      decodeSegment(Buffer.concat([a, b, torn]), 'json').rows.map((r) => ({ batch_id: 'tok-"1"', ...r })),
    );
    expect(segmentJson(Buffer.alloc(0), 'x')).toEqual({ json: '[]', rows: 0 });
    expect(segmentText(Buffer.concat([a, b]), 'tok-"1"', 'json')).toEqual({
      text: segmentJson(Buffer.concat([a, b]), 'tok-"1"').json,
      rows: 3,
    });
  });

  it('replays a segment an earlier version left (JSON, .log) beside its own', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'seg-000000000004-oldrun1.log'),
      Buffer.concat([encodeJsonRecord([row('old1'), row('old2')])]),
    );
    const { spool, replay } = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    expect(replay).toMatchObject({ segments: 1, rows: 2, tornBytes: 0 });
    await spool.append([row('new1')]);
    await spool.close();
    const segs = spool.sealedSegments();
    expect(segs.map((s) => [s.token, s.format, s.rows])).toEqual([
      ['oldrun1-4', 'json', 2],
      [`${spool.id}-5`, 'tsv', 1],
    ]);
    expect((await spool.readSegment(segs[0])).map((r) => r.event_id)).toEqual(['old1', 'old2']);
    expect((await spool.readText(segs[0])).rows).toBe(2);
    expect(await spool.readSegment(segs[1])).toEqual([row('new1')]);
  });

  it('appends durably, seals, replays after a restart and removes flushed segments', async () => {
    const d = dir();
    const { spool } = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await Promise.all([spool.append([row('a'), row('b')]), spool.append([row('c')])]); // one group commit
    await spool.seal();
    await spool.append([row('d')]);
    expect(spool.depth()).toMatchObject({ rows: 4, segments: 2 });
    await spool.close();

    const again = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    expect(again.replay).toMatchObject({ segments: 2, rows: 4, tornBytes: 0 });
    const segs = again.spool.sealedSegments();
    expect((await again.spool.readSegment(segs[0])).map((r) => r.event_id)).toEqual(['a', 'b', 'c']);
    // Replayed segments keep the token of the run that wrote them; new ones get this run's.
    expect(segs.map((s) => s.token)).toEqual([`${spool.id}-1`, `${spool.id}-2`]);
    expect(again.spool.id).not.toBe(spool.id);
    await again.spool.remove(segs[0]);
    await again.spool.remove(segs[1]);
    await again.spool.append([row('e')]);
    await again.spool.close();
    expect(again.spool.sealedSegments().map((s) => s.token)).toEqual([`${again.spool.id}-3`]);
    expect(readdirSync(d).sort()).toEqual([`seg-000000000003-${again.spool.id}.tsv`]);

    // An empty spool restarts numbering, but the run id keeps every token new.
    const third = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await third.spool.remove(third.spool.sealedSegments()[0]);
    await third.spool.close();
    const fourth = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await fourth.spool.append([row('f')]);
    await fourth.spool.close();
    expect(fourth.spool.sealedSegments()[0].token).toBe(`${fourth.spool.id}-1`);
    expect(new Set([spool.id, again.spool.id, third.spool.id, fourth.spool.id]).size).toBe(4);
  });

  it('ignores and cuts a torn or corrupt tail', async () => {
    const d = dir();
    const good = encodeRecord([row('a')]);
    const torn = encodeRecord([row('b')]).subarray(0, 20);
    const file = join(d, 'seg-000000000001-abcdef.tsv');
    writeFileSync(file, Buffer.concat([good, torn]));
    const { spool, replay } = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    expect(replay).toMatchObject({ rows: 1, tornBytes: torn.length });
    expect(statSync(file).size).toBe(good.length);
    await spool.close();

    const bad = encodeRecord([row('z')]);
    bad[bad.length - 2] ^= 0xff; // flipped bits: the checksum no longer matches
    appendFileSync(file, bad);
    expect(decodeSegment(Buffer.concat([good, bad])).rows.map((r) => r.event_id)).toEqual(['a']);
  });

  it('refuses appends past its byte limit', async () => {
    const { spool } = await Spool.open({ dir: dir(), maxBytes: encodeRecord([row('a')]).length + 100 });
    await spool.append([row('a')]);
    await expect(spool.append(Array.from({ length: 5 }, (_, i) => row(`x${i}`)))).rejects.toBeInstanceOf(
      SpoolFullError,
    );
    await spool.close();
  });
});
