// The honest evaluation of comment sentiment and caption disclosure: the labelled sets in fixtures/, split once by a
// fixed seed into a tuning half and a held-out half, and per-category accuracy on either half.
import { readFileSync } from 'node:fs';
import { checkDisclosure, type DisclosureStatus } from './disclosure.js';
import { scoreComment, type SentimentResult } from './sentiment.js';

export interface LabelledComment {
  text: string;
  label: SentimentResult['label'];
  /** what kind of comment it is: plain, emoji, slang, sarcasm, contrast, question, price, delivery, … */
  category: string;
  /** ISO 639-1 of the words; '' for emoji only */
  lang: string;
}

export interface LabelledCaption {
  caption: string;
  platform: string;
  branded_content: boolean;
  expected: DisclosureStatus;
  /** the look-alike or placement the caption tests ("trap-adfree", "trap-20tags", …), or "plain" */
  trap: string;
}

export type Half = 'tune' | 'holdout';

/** Fixed once; changing it would let the held-out half be chosen after the fact. */
export const SPLIT_SEED = 23;

function readFixture<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T[];
}

/** mulberry32: a small seeded generator, so the split is the same on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Halves of a set, stratified by `key` (each category is split in two, the odd one out going to the held-out half). */
export function splitHalves<T>(rows: readonly T[], key: (row: T) => string, seed = SPLIT_SEED): Record<Half, T[]> {
  const random = seeded(seed);
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  const out: Record<Half, T[]> = { tune: [], holdout: [] };
  for (const k of [...groups.keys()].sort()) {
    const group = groups.get(k) ?? [];
    for (let i = group.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
    }
    const tune = Math.floor(group.length / 2);
    out.tune.push(...group.slice(0, tune));
    out.holdout.push(...group.slice(tune));
  }
  return out;
}

export function labelledComments(half: Half): LabelledComment[] {
  return splitHalves(readFixture<LabelledComment>('labelled-comments.json'), (r) => `${r.category}/${r.label}`)[half];
}

export function labelledCaptions(half: Half): LabelledCaption[] {
  return splitHalves(readFixture<LabelledCaption>('labelled-captions.json'), (r) => `${r.expected}/${r.trap}`)[half];
}

export interface Tally {
  ok: number;
  n: number;
}
export const percent = (t: Tally) => (t.n === 0 ? 100 : Math.round((1000 * t.ok) / t.n) / 10);

export interface SentimentReport {
  overall: Tally;
  byCategory: Record<string, Tally>;
  byLang: Record<string, Tally>;
  /** negative comments scored positive: the worst mistake to show during a crisis */
  negAsPos: Tally;
  misses: string[];
}

function bump(map: Record<string, Tally>, key: string, ok: boolean): void {
  const t = (map[key] ??= { ok: 0, n: 0 });
  t.n += 1;
  if (ok) t.ok += 1;
}

export function evaluateComments(rows: readonly LabelledComment[]): SentimentReport {
  const report: SentimentReport = {
    overall: { ok: 0, n: 0 },
    byCategory: {},
    byLang: {},
    negAsPos: { ok: 0, n: 0 },
    misses: [],
  };
  for (const row of rows) {
    const got = scoreComment(row.text);
    const ok = got.label === row.label;
    report.overall.n += 1;
    if (ok) report.overall.ok += 1;
    bump(report.byCategory, row.category, ok);
    bump(report.byLang, row.lang || 'emoji', ok);
    if (row.label === 'neg') {
      report.negAsPos.n += 1;
      if (got.label === 'pos') report.negAsPos.ok += 1;
    }
    if (!ok) {
      const why = got.terms?.length ? ` [${got.terms.join(', ')}]` : '';
      const verdict = `${got.label} (${got.score}, ${got.lang || '-'})${why}`;
      report.misses.push(`${row.category} ${JSON.stringify(row.text)}: ${row.label} → ${verdict}`);
    }
  }
  return report;
}

export interface DisclosureReport {
  overall: Tally;
  byTrap: Record<string, Tally>;
  misses: string[];
}

export function evaluateCaptions(rows: readonly LabelledCaption[]): DisclosureReport {
  const report: DisclosureReport = { overall: { ok: 0, n: 0 }, byTrap: {}, misses: [] };
  for (const row of rows) {
    const got = checkDisclosure(row.caption, row.branded_content, row.platform);
    const ok = got.status === row.expected;
    report.overall.n += 1;
    if (ok) report.overall.ok += 1;
    bump(report.byTrap, row.trap, ok);
    if (!ok) {
      report.misses.push(`${row.trap} ${JSON.stringify(row.caption)}: ${row.expected} → ${got.status} (${got.reason})`);
    }
  }
  return report;
}

/** The report as lines of text, for the bench and the test's log. */
export function describeReports(s: SentimentReport, d: DisclosureReport): string[] {
  const line = (name: string, t: Tally) =>
    `${name.padEnd(14)} ${String(t.ok).padStart(3)}/${String(t.n).padEnd(3)} ${percent(t)} %`;
  return [
    line('overall', s.overall),
    ...Object.entries(s.byCategory)
      .sort()
      .map(([k, t]) => line(`  ${k}`, t)),
    ...Object.entries(s.byLang)
      .sort()
      .map(([k, t]) => line(`  lang ${k}`, t)),
    `negatives scored positive: ${s.negAsPos.ok}/${s.negAsPos.n} = ${percent(s.negAsPos)} %`,
    line('disclosure', d.overall),
    ...Object.entries(d.byTrap)
      .sort()
      .map(([k, t]) => line(`  ${k}`, t)),
  ];
}
