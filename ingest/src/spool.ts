// The durable, append-only spool: acknowledged events wait here (fsync'd, checksummed) until ClickHouse has them.
//
// Layout: segment files seg-<seq>-<run id>.tsv; the run id is random per process start, so a batch
// token is never reused (a reused token would make ClickHouse drop new rows as a repeat), and the file
// name carries the token a replay must insert with. Appends go to the active segment; the flusher seals
// it (on size or age) and inserts each sealed segment as one ClickHouse batch whose id and deduplication
// token are `<run id>-<seq>`,
// then deletes it. A record is [u32 length][u32 crc32][rows as TabSeparated text, SPOOL_COLUMNS]; a torn or
// corrupt tail (a crash mid-write, never acknowledged) is detected by length/checksum, cut off and ignored on
// replay. Segments of earlier versions (seg-….log, a JSON array of compact rows per record) are still replayed.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { open, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';

const HEADER = 8;
const SEGMENT_RE = /^seg-(\d{12})-([a-z0-9]{6,32})\.(tsv|log)$/;

/** How a segment's records hold rows: TabSeparated text (this version) or a JSON array (`.log`, earlier versions). */
export type SpoolFormat = 'tsv' | 'json';

/** Is this file name a spool segment (either format)? */
export function isSegmentFile(name: string): boolean {
  return SEGMENT_RE.test(name);
}

export class SpoolFullError extends Error {
  readonly code = 'SPOOL_FULL';
}

export class SpoolClosedError extends Error {
  readonly code = 'SPOOL_CLOSED';
}

/** A sealed segment: one future ClickHouse batch. */
export interface SealedSegment {
  seq: number;
  /** Batch id and deduplication token of the insert. */
  token: string;
  file: string;
  format: SpoolFormat;
  bytes: number;
  rows: number;
}

export interface SpoolDepth {
  segments: number;
  rows: number;
  bytes: number;
}

const BLANK = blankStoredEvent() as unknown as Record<string, unknown>;

/**
 * Columns added to the spool after its first version, oldest first: each goes at the end (before `batch_id`), so a
 * segment spooled before it existed still reads, with fewer fields (see insertEventText).
 */
export const LATER_SPOOL_COLUMNS: readonly (readonly string[])[] = [
  ['sentiment_terms'],
  ['from_status', 'status_reason'],
];
const LATER = new Set(LATER_SPOOL_COLUMNS.flat());

/**
 * The columns of a spooled row, in the order of its TabSeparated fields: the stored event's, the postback sub ids, the
 * columns added later (LATER_SPOOL_COLUMNS), then `batch_id`, which is the segment's token and is added when the
 * segment is inserted (see segmentText). ClickHouse parses this text at about two thirds of the CPU of the same rows as
 * JSON (bench/analysis.md, 2026-12-03).
 */
export const SPOOL_COLUMNS: readonly string[] = [
  ...Object.keys(BLANK).filter((k) => k !== 'batch_id' && !LATER.has(k)),
  'sub',
  ...LATER_SPOOL_COLUMNS.flat(),
  'batch_id',
];
const FIELDS = SPOOL_COLUMNS.slice(0, -1);
/**
 * How each field is written and read back: `time` for the DateTime64(3) columns (epoch ms in the row, `seconds.mmm` in
 * the text: a bare 12-digit number is refused), `array` for the sub ids, `number` and `text` by the blank row's type.
 */
const KINDS: readonly ('time' | 'array' | 'number' | 'text')[] = FIELDS.map((k) =>
  k === 'ts' || k === 'received_at'
    ? 'time'
    : k === 'sub' || Array.isArray(BLANK[k])
      ? 'array'
      : typeof BLANK[k] === 'number'
        ? 'number'
        : 'text',
);

const TSV_SPECIAL = /[\\\t\n\r]/;
const TSV_SPECIALS = /[\\\t\n\r]/g;
const QUOTED_SPECIALS = /[\\'\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', "'": "\\'" };
const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0' };
const escapeChar = (c: string) => ESCAPES[c];

function tsvText(v: unknown): string {
  if (typeof v === 'string') return v === '' || !TSV_SPECIAL.test(v) ? v : v.replace(TSV_SPECIALS, escapeChar);
  return v === undefined || v === null ? '' : tsvText(String(v));
}

function tsvNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  return typeof v === 'boolean' ? Number(v) : 0;
}

function tsvTime(v: unknown): string {
  const ms = Math.max(0, Math.round(Number(v) || 0));
  const frac = ms % 1000;
  return `${(ms - frac) / 1000}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

/** An Array(String) as a TabSeparated field: `['a','b']`, quotes, backslashes, tabs and line breaks escaped. */
function tsvArray(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return '[]';
  return `[${v.map((x) => `'${String(x).replace(QUOTED_SPECIALS, escapeChar)}'`).join(',')}]`;
}

/**
 * One spool row as TabSeparated text: FIELDS, each followed by a tab, and a line break (batch_id comes at insert).
 * Compiled once from the column list (constant identifiers, checked) into one template of plain property reads: about
 * half the CPU of JSON.stringify on the compacted row, where a loop over the names cost as much as that.
 */
export const tsvRow: (row: StoredEvent) => string = (() => {
  const writer = { time: 'tsvTime', array: 'tsvArray', number: 'tsvNumber', text: 'tsvText' } as const;
  const cell = (k: string, i: number) => {
    if (!/^[a-z][a-z0-9_]*$/.test(k)) throw new Error(`spool column "${k}" is not a plain identifier`);
    return `\${${writer[KINDS[i]]}(r.${k})}`;
  };
  const template = `${FIELDS.map(cell).join('\t')}\t\n`;
  const compile = new Function('tsvText', 'tsvNumber', 'tsvTime', 'tsvArray', `return (r) => \`${template}\`;`);
  return compile(tsvText, tsvNumber, tsvTime, tsvArray) as (row: StoredEvent) => string;
})();

function unescapeTsv(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/gs, (_, c: string) => UNESCAPES[c] ?? c) : s;
}

/** `['a','b\\'c']` → ['a', "b'c"]. */
function parseTsvArray(s: string): string[] {
  const out: string[] = [];
  for (let i = s.indexOf("'"); i >= 0 && i < s.length;) {
    let v = '';
    let j = i + 1;
    for (; j < s.length && s[j] !== "'"; j++) v += s[j] === '\\' ? (UNESCAPES[s[++j]] ?? s[j]) : s[j];
    out.push(v);
    i = s.indexOf("'", j + 1);
  }
  return out;
}

/** Rows of TabSeparated spool text back as objects (the stored event's fields; `sub` only when it has ids). */
export function parseTsvRows(text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cells = line.split('\t');
    const row: Record<string, unknown> = {};
    for (let i = 0; i < FIELDS.length; i++) {
      const cell = cells[i] ?? '';
      const kind = KINDS[i];
      if (kind === 'array') {
        const sub = parseTsvArray(cell);
        if (sub.length > 0) row[FIELDS[i]] = sub;
      } else
        row[FIELDS[i]] =
          kind === 'time' ? Math.round(Number(cell) * 1000) : kind === 'number' ? Number(cell) : unescapeTsv(cell);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * A row without the columns at their neutral value: a third of the bytes in the spool, and ClickHouse
 * parses it several times faster (omitted columns take their defaults, which are those same values).
 */
export function compactRow(row: StoredEvent): Record<string, unknown> {
  const r = row as unknown as Record<string, unknown>;
  // event_id first: segmentJson finds row starts by it.
  const out: Record<string, unknown> = { event_id: r.event_id, type: r.type };
  for (const k in r) {
    if (k === 'event_id' || k === 'type') continue;
    const v = r[k];
    if (v === undefined || v === BLANK[k] || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/** How every stored row begins (compactRow puts event_id first); inside a JSON string a quote is always escaped. */
const ROW_START = '{"event_id":';

/**
 * A segment's rows as one JSON array for a JSONEachRow insert, each row given `batch_id` first — built from the
 * records' text (checksums verified, torn tail cut as in decodeSegment) without parsing and re-serialising the rows.
 */
export function segmentJson(buf: Buffer, batchId: string): { json: string; rows: number } {
  const start = `{"batch_id":${JSON.stringify(batchId)},"event_id":`;
  const parts: string[] = [];
  let rows = 0;
  for (const { payload } of records(buf)) {
    const text = payload.toString('utf8');
    if (text.length <= 2 || text[0] !== '[' || text[text.length - 1] !== ']') break; // as decodeSegment: not a record
    parts.push(
      text.slice(1, -1).replaceAll(ROW_START, () => {
        rows++;
        return start;
      }),
    );
  }
  return { json: `[${parts.join(',')}]`, rows };
}

/**
 * A segment as the body of one insert in its own format, every row given the batch id — built from the records'
 * text (checksums verified, torn tail cut as in decodeSegment) without parsing the rows. In TabSeparated text a
 * line break only ends a row (one inside a value is escaped), so the token goes in before each one.
 */
export function segmentText(buf: Buffer, batchId: string, format: SpoolFormat): { text: string; rows: number } {
  if (format === 'json') {
    const { json, rows } = segmentJson(buf, batchId);
    return { text: json, rows };
  }
  const parts: string[] = [];
  for (const { payload } of records(buf)) {
    const text = payload.toString('utf8');
    if (!text.endsWith('\n')) break; // as decodeSegment: not a record
    parts.push(text);
  }
  let rows = 0;
  const end = `${tsvText(batchId)}\n`;
  const text = parts.join('').replaceAll('\n', () => {
    rows++;
    return end;
  });
  return { text, rows };
}

/** The records of a segment whose length and checksum hold, in order, each with the offset just past it. */
function* records(buf: Buffer): Generator<{ payload: Buffer; end: number }> {
  let at = 0;
  while (at + HEADER <= buf.length) {
    const len = buf.readUInt32LE(at);
    const sum = buf.readUInt32LE(at + 4);
    if (at + HEADER + len > buf.length) return;
    const payload = buf.subarray(at + HEADER, at + HEADER + len);
    if (crc32(payload) !== sum) return;
    at += HEADER + len;
    yield { payload, end: at };
  }
}

export function expandRow(c: Record<string, unknown>): StoredEvent {
  return { ...blankStoredEvent(), ...c } as StoredEvent;
}

/** One spool record of rows, in this version's format (TabSeparated). */
export function encodeRecord(rows: readonly StoredEvent[]): Buffer {
  let text = '';
  for (const r of rows) text += tsvRow(r);
  return frame(Buffer.from(text));
}

/** One record as earlier versions wrote it (a JSON array of compact rows): what a `.log` segment holds. */
export function encodeJsonRecord(rows: readonly StoredEvent[]): Buffer {
  return frame(Buffer.from(JSON.stringify(rows.map(compactRow))));
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/**
 * Reads the valid records of a segment (rows as stored: a JSON segment's compact, a TabSeparated one's whole);
 * `validBytes` < file size means the tail was torn.
 */
export function decodeSegment(
  buf: Buffer,
  format: SpoolFormat = 'tsv',
): { rows: Record<string, unknown>[]; validBytes: number; records: number } {
  const rows: Record<string, unknown>[] = [];
  let validBytes = 0;
  let count = 0;
  for (const { payload, end } of records(buf)) {
    const text = payload.toString('utf8');
    let parsed: unknown;
    if (format === 'tsv') {
      if (!text.endsWith('\n')) break;
      parsed = parseTsvRows(text);
    } else {
      try {
        parsed = JSON.parse(text);
      } catch {
        break;
      }
    }
    if (!Array.isArray(parsed)) break;
    for (const r of parsed) rows.push(r as Record<string, unknown>);
    validBytes = end;
    count++;
  }
  return { rows, validBytes, records: count };
}

interface PendingAppend {
  buf: Buffer;
  rows: number;
  /** Called with the token of the segment the rows were written to (the batch id ClickHouse will store them under). */
  resolve: (token: string) => void;
  reject: (e: unknown) => void;
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /** Seal the active segment once it holds this many rows. */
  sealRows?: number;
  clock?: () => number;
}

export interface ReplayInfo {
  segments: number;
  rows: number;
  tornBytes: number;
}

export class Spool {
  /** This run's id: part of every batch token it creates. */
  readonly id: string;
  private sealed: SealedSegment[] = [];
  private active: { seq: number; file: string; fh: FileHandle; bytes: number; rows: number; openedAt: number } | null =
    null;
  private nextSeq = 1;
  private pending: PendingAppend[] = [];
  private pendingBytes = 0;
  /** The group being written and fsync'd: neither pending nor in the active segment's counts until that is done. */
  private writing = { rows: 0, bytes: 0 };
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly clock: () => number;

  private constructor(
    private readonly opts: SpoolOptions,
    id: string,
  ) {
    this.id = id;
    this.clock = opts.clock ?? Date.now;
  }

  /**
   * Opens the spool: every segment left by an earlier run (a crash or a stop while ClickHouse was
   * down) becomes a sealed segment to insert, its torn tail cut off.
   */
  static async open(opts: SpoolOptions): Promise<{ spool: Spool; replay: ReplayInfo }> {
    mkdirSync(opts.dir, { recursive: true });
    const spool = new Spool(opts, randomBytes(5).toString('hex'));
    const replay: ReplayInfo = { segments: 0, rows: 0, tornBytes: 0 };
    const names = readdirSync(opts.dir)
      .filter((f) => SEGMENT_RE.test(f))
      .sort();
    for (const name of names) {
      const [, seqText, runId, ext] = SEGMENT_RE.exec(name)!;
      const seq = Number(seqText);
      const file = join(opts.dir, name);
      const format: SpoolFormat = ext === 'tsv' ? 'tsv' : 'json';
      const buf = await readFile(file);
      const { rows, validBytes } = decodeSegment(buf, format);
      if (validBytes < buf.length) {
        replay.tornBytes += buf.length - validBytes;
        await truncate(file, validBytes);
      }
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
      if (rows.length === 0) {
        await unlink(file);
        continue;
      }
      spool.sealed.push({ seq, token: `${runId}-${seq}`, file, format, bytes: validBytes, rows: rows.length });
      replay.segments++;
      replay.rows += rows.length;
    }
    return { spool, replay };
  }

  tokenOf(seq: number): string {
    return `${this.id}-${seq}`;
  }

  depth(): SpoolDepth {
    let bytes = this.pendingBytes + this.writing.bytes;
    let rows = this.writing.rows;
    for (const s of this.sealed) {
      bytes += s.bytes;
      rows += s.rows;
    }
    if (this.active) {
      bytes += this.active.bytes;
      rows += this.active.rows;
    }
    for (const p of this.pending) rows += p.rows;
    return { segments: this.sealed.length + (this.active ? 1 : 0), rows, bytes };
  }

  /** Rows in the active segment and how long ago it was opened: the flusher's size and age triggers. */
  activeState(): { rows: number; ageMs: number } {
    const rows = (this.active?.rows ?? 0) + this.writing.rows + this.pending.reduce((n, p) => n + p.rows, 0);
    return { rows, ageMs: this.active ? this.clock() - this.active.openedAt : 0 };
  }

  /** Would `bytes` more exceed the limit? Checked before enrichment so a full spool answers 503 early. */
  isFull(extraBytes = 0): boolean {
    return this.depth().bytes + extraBytes > this.opts.maxBytes;
  }

  /**
   * Appends rows durably: resolves once they are written and fsync'd, with the token of the segment that holds them.
   * Concurrent appends share one write + fsync (group commit).
   */
  append(rows: readonly StoredEvent[]): Promise<string> {
    if (this.closed) return Promise.reject(new SpoolClosedError('the spool is closed'));
    if (rows.length === 0) return Promise.resolve('');
    const buf = encodeRecord(rows);
    if (this.isFull(buf.length))
      return Promise.reject(
        new SpoolFullError(`the spool holds more than ${this.opts.maxBytes} bytes waiting for the store`),
      );
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ buf, rows: rows.length, resolve, reject });
      this.pendingBytes += buf.length;
      if (!this.scheduled) {
        this.scheduled = true;
        this.enqueue(() => this.writePending());
      }
    });
  }

  /** Seals the active segment (if it holds rows) so the flusher can insert it. */
  seal(): Promise<void> {
    return this.enqueue(() => this.sealActive());
  }

  private async sealActive(): Promise<void> {
    if (!this.active || this.active.rows === 0) return;
    const a = this.active;
    this.active = null;
    await a.fh.close();
    this.sealed.push({
      seq: a.seq,
      token: this.tokenOf(a.seq),
      file: a.file,
      format: 'tsv',
      bytes: a.bytes,
      rows: a.rows,
    });
  }

  /** Sealed segments, oldest first. */
  sealedSegments(): readonly SealedSegment[] {
    return this.sealed;
  }

  /** The rows of a sealed segment, whole. */
  async readSegment(seg: SealedSegment): Promise<StoredEvent[]> {
    return (await this.readCompact(seg)).map(expandRow);
  }

  /** The rows as stored (a JSON segment's without their neutral columns). */
  async readCompact(seg: SealedSegment): Promise<Record<string, unknown>[]> {
    return decodeSegment(await readFile(seg.file), seg.format).rows;
  }

  /** A sealed segment as one insert body in its format, each row with the segment's batch id (see segmentText). */
  async readText(seg: SealedSegment): Promise<{ text: string; rows: number }> {
    return segmentText(await readFile(seg.file), seg.token, seg.format);
  }

  /**
   * Sets aside rows ClickHouse refused (one JSON line each, with its message) in `quarantine/<batch>.jsonl`, fsync'd
   * before the segment may be deleted; written whole again if the same segment is isolated again after a crash.
   */
  async quarantine(seg: SealedSegment, jsonLines: string): Promise<string> {
    const dir = join(this.opts.dir, 'quarantine');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${seg.token}.jsonl`);
    const fh = await open(file, 'w');
    try {
      await fh.writeFile(jsonLines);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    fsyncDir(dir);
    return file;
  }

  /** Called once ClickHouse has a sealed segment: it is deleted. */
  async remove(seg: SealedSegment): Promise<void> {
    await unlink(seg.file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    this.sealed = this.sealed.filter((s) => s.seq !== seg.seq);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    if (this.active) {
      const a = this.active;
      this.active = null;
      await a.fh.close();
      if (a.rows > 0)
        this.sealed.push({
          seq: a.seq,
          token: this.tokenOf(a.seq),
          file: a.file,
          format: 'tsv',
          bytes: a.bytes,
          rows: a.rows,
        });
      else await unlink(a.file).catch(() => undefined);
    }
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (batch.length === 0) return;
    // Writes are chained one after another (enqueue), so this group is the only one in flight.
    const group = { rows: 0, bytes: 0 };
    for (const p of batch) {
      group.rows += p.rows;
      group.bytes += p.buf.length;
    }
    this.writing = group;
    let token = '';
    try {
      if (!this.active) await this.openActive();
      const a = this.active!;
      token = this.tokenOf(a.seq);
      await a.fh.writev(batch.map((p) => p.buf));
      await a.fh.datasync();
      a.bytes += group.bytes;
      a.rows += group.rows;
      this.writing = { rows: 0, bytes: 0 };
      // A full segment is sealed here, whatever the flusher is doing, so batches stay near the best insert size.
      if (this.opts.sealRows && a.rows >= this.opts.sealRows) await this.sealActive();
    } catch (e) {
      this.writing = { rows: 0, bytes: 0 };
      // Nothing of this group is acknowledged; cut what may have been written so the file stays clean.
      if (this.active) {
        const size = await stat(this.active.file)
          .then((s) => s.size)
          .catch(() => -1);
        if (size > this.active.bytes) await this.active.fh.truncate(this.active.bytes).catch(() => undefined);
      }
      for (const p of batch) p.reject(e);
      return;
    }
    for (const p of batch) p.resolve(token);
  }

  private async openActive(): Promise<void> {
    const seq = this.nextSeq++;
    const file = join(this.opts.dir, `seg-${String(seq).padStart(12, '0')}-${this.id}.tsv`);
    const fh = await open(file, 'a');
    fsyncDir(this.opts.dir); // the new file's directory entry must survive a crash too
    this.active = { seq, file, fh, bytes: 0, rows: 0, openedAt: this.clock() };
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems do not allow fsync on a directory; the file data itself is still fsync'd.
  }
}
