// Comment sentiment at ingest: language detection (tinyld), wink-nlp for English, the nlp.js
// lexicons for es/de/pt/fr, an emoji table and a small overlay (sentimentOverlay.ts), combined into
// one score in [-1, 1]; plus a worker-thread pool so scoring never caps ingest throughput.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { detectAll } from 'tinyld';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import {
  CASED_EN, COMPLAINT_SCORE, COMPLAINTS, CUE_WORDS, EMOJI, EMOTICONS, NEGATORS, SCORED_LANGS, TERMS, type ScoredLang,
} from './sentimentOverlay.js';

export interface SentimentResult {
  /** in [-1, 1]; 0 when unscored */
  score: number;
  label: 'pos' | 'neu' | 'neg' | 'unscored';
  /** ISO 639-1, '' when unknown (e.g. an emoji-only comment) */
  lang: string;
  /** the terms that weighed most in the score, strongest first (at most three); [] when none */
  terms: string[];
}

/** Half-width of the neutral band, tuned on fixtures/comments.json (see sentiment.test.ts). */
export const NEUTRAL_BAND: Readonly<Record<ScoredLang | '', number>> = {
  en: 0.05, es: 0.1, de: 0.1, pt: 0.1, fr: 0.1, '': 0.05,
};
/** Weight of wink's document score against one overlay/emoji hit. */
const WINK_WEIGHT = 1.5;
/** Texts with fewer Latin letters are English (or the hinted language): detection is unreliable. */
const SHORT_TEXT_LETTERS = 12;

// ---------- text normalisation ----------

const STRIP = /[\uFE0E\uFE0F\u200D\u{1F3FB}-\u{1F3FF}\u20E3]/gu;
const EMOJI_CHAR = /\p{Extended_Pictographic}/gu;
const URL_OR_MENTION = /\bhttps?:\/\/\S+|\bwww\.\S+|@[\w.]+/gu;
const EMOTICON_RE = /(?<=^|\s)(:-?\)|:-?D|;\)|<3|:-?\(|:'\(|:\/)(?=\s|$)/gu;

interface Prepared {
  /** text without emoji, mentions, links; elongations shortened */
  words: string;
  /** emoji and emoticon values found (0 when known-neutral) */
  emoji: number[];
}

/** Only the start of a very long comment is scored: some overlay patterns are quadratic in length. */
const MAX_CHARS = 1000;

function prepare(raw: string): Prepared {
  const head = raw.length > MAX_CHARS ? Array.from(raw).slice(0, MAX_CHARS).join('') : raw;
  let text = head.normalize('NFC').replace(STRIP, '').replace(URL_OR_MENTION, ' ').replace(/[’‘`´]/g, "'");
  const emoji: number[] = [];
  text = text.replace(EMOTICON_RE, (m) => {
    emoji.push(EMOTICONS[m] ?? 0);
    return ' ';
  });
  text = text.replace(EMOJI_CHAR, (e) => {
    emoji.push(emojiValue(e));
    return ' . '; // an emoji ends a clause: negation does not reach past it
  });
  // "cuteeee" → "cute", "goooood" → "good", "sooo" → "soo"
  text = text
    .replace(/(\p{L})\1{2,}(?=\P{L}|$)/gu, (_m, c: string) => ('lsfo'.includes(c.toLowerCase()) ? c + c : c))
    .replace(/(\p{L})\1{2,}/gu, '$1$1')
    .replace(/#(?=\p{L})/gu, '');
  return { words: text, emoji };
}

const emojiCache = new Map<string, number>();
function emojiValue(e: string): number {
  const known = EMOJI[e];
  if (known !== undefined) return known;
  let v = emojiCache.get(e);
  if (v === undefined) {
    v = Number(wink().nlp.readDoc(e).out(wink().its.sentiment)) || 0;
    emojiCache.set(e, v); // bounded: there are only a few thousand pictographs
  }
  return v;
}

// ---------- language ----------

const SCRIPTS: [RegExp, string][] = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 'ja'],
  [/\p{Script=Hangul}/u, 'ko'],
  [/\p{Script=Han}/u, 'zh'],
  [/\p{Script=Arabic}/u, 'ar'],
  [/\p{Script=Cyrillic}/u, 'ru'],
  [/\p{Script=Hebrew}/u, 'he'],
  [/\p{Script=Greek}/u, 'el'],
  [/\p{Script=Thai}/u, 'th'],
  [/\p{Script=Devanagari}/u, 'hi'],
];

function isScored(lang: string | undefined): lang is ScoredLang {
  return lang !== undefined && (SCORED_LANGS as readonly string[]).includes(lang);
}

/** Language of the words of a comment (ISO 639-1); '' when it has no letters or is not recognised. */
export function detectLanguage(words: string, hintLang?: string): string {
  const letters = words.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return '';
  const latin = words.match(/\p{Script=Latin}/gu)?.length ?? 0;
  const hint = hintLang?.toLowerCase().slice(0, 2);
  if (latin * 2 < letters) {
    // Mostly another script: the script decides, tinyld refines (ru/uk/bg, ar/fa, ja/zh).
    const found = SCRIPTS.find(([re]) => re.test(words))?.[1];
    if (found === 'ja' || found === 'ko') return found;
    const guess = detectAll(words)[0]?.lang;
    // never a scored (Latin-script) language for a text that is mostly another script
    return guess && guess.length === 2 && !isScored(guess) ? guess : (found ?? '');
  }
  if (latin < SHORT_TEXT_LETTERS) {
    if (isScored(hint)) return hint;
    // too short for tinyld: English, unless another language's cue words say otherwise ("Viel zu teuer")
    let best: ScoredLang = 'en';
    let bestCues = cueCount(words, 'en');
    for (const lang of SCORED_LANGS) {
      const n = cueCount(words, lang);
      if (n > bestCues) { best = lang; bestCues = n; }
    }
    return best;
  }
  const known = knownByCues(words, hint);
  if (known) return known;
  const ranked = detectAll(words);
  const top = ranked[0];
  if (!top) return isScored(hint) ? hint : 'en';
  if (top.accuracy >= 0.5) return top.lang;
  // tinyld is unsure (slang, short phrases, es/pt): let cue words decide among the scorable languages it
  // considered (plus English and the hint). Overriding an unscorable guess takes two cues, or one when
  // tinyld is nearly guessing, so a real Danish or Turkish comment stays unscored.
  const candidates = new Set<ScoredLang>(['en']);
  if (isScored(hint)) candidates.add(hint);
  for (const r of ranked.slice(0, 5)) if (isScored(r.lang)) candidates.add(r.lang);
  let best: ScoredLang | undefined;
  let bestCues = 0;
  const order = ranked.map((r) => r.lang);
  const rank = (l: string) => (l === hint ? -1 : order.indexOf(l) === -1 ? 99 : order.indexOf(l));
  for (const lang of [...candidates].sort((a, b) => rank(a) - rank(b))) {
    const n = cueCount(words, lang);
    if (n > bestCues) { best = lang; bestCues = n; }
  }
  if (isScored(top.lang)) return best && bestCues > cueCount(words, top.lang) ? best : top.lang;
  if (best && (bestCues >= 2 || (bestCues >= 1 && top.accuracy < 0.1))) return best;
  // a Latin-script text tinyld can hardly place, with no cue either: English, as for short texts
  return top.accuracy < 0.05 ? (isScored(hint) ? hint : 'en') : top.lang;
}

/** Share of an ASCII text's words that must be English cue words to skip tinyld. */
const EN_CUE_SHARE = 0.3;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The cheap answer that spares tinyld (the costliest step of scoring) when the words leave no doubt:
 * - the sender's language, when at least two of the words are its cue words and no other scorable
 *   language has as many (a hint alone is weak: "this is honestly the best collab" hinted 'es' is English);
 * - English, for an ASCII text of which at least 30 % of the words, and at least two, are English cue
 *   words and no word is a cue of es/de/pt/fr.
 * Otherwise undefined: tinyld decides.
 */
function knownByCues(words: string, hint: string | undefined): ScoredLang | undefined {
  const counts = SCORED_LANGS.map((lang) => cueCount(words, lang));
  if (isScored(hint)) {
    const h = counts[SCORED_LANGS.indexOf(hint)];
    if (h >= 2 && counts.every((n, i) => SCORED_LANGS[i] === hint || n < h)) return hint;
  }
  const en = counts[SCORED_LANGS.indexOf('en')];
  if (en < 2 || NON_ASCII.test(words) || counts.some((n, i) => SCORED_LANGS[i] !== 'en' && n > 0)) return undefined;
  return en >= tokenize(words, 'en').length * EN_CUE_SHARE ? 'en' : undefined;
}

const cueSets = new Map<ScoredLang, Set<string>>();
function cueCount(words: string, lang: ScoredLang): number {
  let cues = cueSets.get(lang);
  if (!cues) {
    cues = new Set([...CUE_WORDS[lang], ...NEGATORS[lang], ...Object.entries(TERMS[lang])
      .filter(([term, value]) => value !== 0 && !term.includes(' ')).map(([term]) => term)].map((w) => fold(w, lang)));
    cueSets.set(lang, cues);
  }
  let n = 0;
  for (const token of tokenize(fold(words, lang), lang)) if (cues.has(token)) n += 1;
  return n;
}

// ---------- lexicons ----------

interface Lexicon {
  stem(word: string): string;
  values: Record<string, number>;
  scale: number;
}

type WinkState = { nlp: ReturnType<typeof winkNLP>; its: ReturnType<typeof winkNLP>['its'] };
let winkState: WinkState | undefined;
function wink(): WinkState {
  if (!winkState) {
    const nlp = winkNLP(model, ['sbd', 'negation', 'sentiment']);
    winkState = { nlp, its: nlp.its };
  }
  return winkState;
}

interface NlpjsStemmer { stemWord(word: string): string; cache: Record<string, string> }
/** What an @nlpjs/lang-xx package exports (it ships no types). */
type NlpjsLang = Record<string, unknown>;
const lexicons = new Map<ScoredLang, Lexicon>();
function lexicon(lang: Exclude<ScoredLang, 'en'>): Lexicon {
  let lex = lexicons.get(lang);
  if (lex) return lex;
  const require = createRequire(import.meta.url);
  const mod = require(`@nlpjs/lang-${lang}`) as NlpjsLang;
  const cap = lang[0].toUpperCase() + lang[1];
  const Stemmer = mod[`Stemmer${cap}`] as new () => NlpjsStemmer;
  const data = mod[`Sentiment${cap}`] as Partial<Record<'senticon' | 'pattern' | 'afinn', Record<string, number>>>;
  const stemmer = new Stemmer();
  const values = data.senticon ?? data.pattern ?? data.afinn ?? {};
  let cached = 0;
  lex = {
    stem(word) {
      // nlp.js caches every stem forever: reset it so a long-running ingest does not grow without bound
      if (++cached > 50_000) { stemmer.cache = {}; cached = 0; }
      return stemmer.stemWord(word);
    },
    values,
    scale: data.senticon || data.pattern ? 1 : 4, // AFINN is -5..5
  };
  lexicons.set(lang, lex);
  return lex;
}

// ---------- overlay matching ----------

/** Lower case; for German umlauts as ae/oe/ue (so "schön" ≠ "schon"); accents stripped for es/pt/fr. */
function fold(text: string, lang: ScoredLang): string {
  let t = text.toLowerCase();
  if (lang === 'en') return t;
  if (lang === 'de') t = t.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss');
  return t.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function tokenize(clause: string, lang: ScoredLang): string[] {
  const re = lang === 'en' ? /[\p{L}\p{N}'/]+/gu : /[\p{L}\p{N}/]+/gu;
  return (clause.match(re) ?? []).map((t) => t.replace(/^'+|'+$/g, '')).filter(Boolean);
}

interface Phrase { tokens: string[]; value: number }
interface PhraseTable { phrases: Map<string, Phrase[]>; negators: Set<string>; stems: Map<string, number> }
const phraseTables = new Map<ScoredLang, PhraseTable>();
/** Single overlay words this long also match by stem ("wunderschöne" → "wunderschön"); shorter ones collide. */
const STEM_MATCH_LETTERS = 6;
function phraseTable(lang: ScoredLang): PhraseTable {
  let table = phraseTables.get(lang);
  if (table) return table;
  const phrases = new Map<string, Phrase[]>();
  const stems = new Map<string, number>();
  for (const [term, value] of Object.entries(TERMS[lang])) {
    const tokens = tokenize(fold(term, lang), lang);
    if (tokens.length === 0) continue;
    if (lang !== 'en' && tokens.length === 1 && tokens[0].length >= STEM_MATCH_LETTERS) {
      stems.set(lexicon(lang).stem(tokens[0]), value);
    }
    const list = phrases.get(tokens[0]) ?? [];
    list.push({ tokens, value });
    list.sort((a, b) => b.tokens.length - a.tokens.length);
    phrases.set(tokens[0], list);
  }
  table = { phrases, negators: new Set(NEGATORS[lang].map((n) => fold(n, lang))), stems };
  phraseTables.set(lang, table);
  return table;
}

/** Weight of library-lexicon hits inside a question. */
const QUESTION_WEIGHT = 0.25;
const NEGATION_SPAN = 3;

/**
 * Scores the words of one language. Overlay phrases win; then the language lexicon (nlp.js stems)
 * for es/de/pt/fr, or wink-nlp on the words the overlay did not consume for English.
 */
function scoreWords(words: string, lang: ScoredLang, hits: number[]): { wink: number } {
  const { phrases, negators, stems } = phraseTable(lang);
  const lex = lang === 'en' ? undefined : lexicon(lang);
  const leftover: string[] = [];
  const asked: string[] = [];
  for (const [rawClause, question] of clauses(words)) {
    // a question asks for information ("¿qué talla llevas?"): what the lexicon finds in it counts less
    const damp = question ? QUESTION_WEIGHT : 1;
    const original = tokenize(rawClause, lang);
    const tokens = original.map((t) => fold(t, lang));
    const kept: string[] = [];
    let negated = 0;
    for (let i = 0; i < tokens.length; i += 1) {
      const token = tokens[i];
      const sign = negated > 0 ? -1 : 1;
      if (lang === 'en' && CASED_EN[original[i]] !== undefined) {
        hits.push(sign * CASED_EN[original[i]]);
        negated = Math.max(0, negated - 1);
        continue;
      }
      const phrase = phrases.get(token)?.find((p) => p.tokens.every((t, k) => tokens[i + k] === t));
      if (phrase) {
        if (phrase.value !== 0) hits.push(sign * phrase.value);
        i += phrase.tokens.length - 1;
        negated = Math.max(0, negated - phrase.tokens.length);
        continue;
      }
      if (negators.has(token)) {
        negated = NEGATION_SPAN;
        kept.push(original[i]);
        continue;
      }
      const byStem = lex && token.length >= STEM_MATCH_LETTERS ? stems.get(lex.stem(token)) : undefined;
      if (byStem !== undefined) {
        if (byStem !== 0) hits.push(sign * byStem);
      } else if (lex) {
        // the nlp.js lexicons are keyed by stems of accent-stripped words ("schön" → "schon")
        const value = lex.values[lex.stem(original[i].toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''))];
        if (value) hits.push(Math.max(-1, Math.min(1, (sign * value) / lex.scale)) * damp);
      } else {
        kept.push(original[i]);
      }
      negated = Math.max(0, negated - 1);
    }
    if (kept.length > 0) (question ? asked : leftover).push(kept.join(' '));
  }
  const folded = fold(words, lang);
  for (const re of COMPLAINTS[lang]) if (re.test(folded)) hits.push(COMPLAINT_SCORE);
  if (lang !== 'en') return { wink: 0 };
  const { nlp, its } = wink();
  const said = leftover.length ? Number(nlp.readDoc(leftover.join('. ')).out(its.sentiment)) || 0 : 0;
  const q = asked.length ? Number(nlp.readDoc(asked.join('. ')).out(its.sentiment)) || 0 : 0;
  return { wink: said !== 0 && q !== 0 ? (said + q * QUESTION_WEIGHT) / 2 : said || q * QUESTION_WEIGHT };
}

/** Clauses of a text, each with whether it was asked as a question. */
function clauses(words: string): [string, boolean][] {
  const out: [string, boolean][] = [];
  const re = /([^.!?,;:()\n\r\u2026]*)([.!?,;:()\n\r\u2026]*)/gu;
  for (const m of words.matchAll(re)) {
    if (m[0] === '') break;
    if (m[1].trim() !== '') out.push([m[1], m[2].includes('?')]);
  }
  return out;
}

// ---------- public API ----------

function labelOf(score: number, lang: ScoredLang | ''): SentimentResult['label'] {
  const band = NEUTRAL_BAND[lang];
  return score > band ? 'pos' : score < -band ? 'neg' : 'neu';
}

/** Scores one comment in this thread. `hintLang` (e.g. the account's market) decides short texts. */
export function scoreComment(text: string, hintLang?: string): SentimentResult {
  const prepared = prepare(typeof text === 'string' ? text : '');
  const detected = detectLanguage(prepared.words, hintLang);
  // words in a language we cannot score: no score at all, even if it carries emoji ("最悪😂");
  // no letters at all (emoji, "???"): scored on its emoji, language unknown
  const hasLetters = /\p{L}/u.test(prepared.words);
  if (hasLetters && !isScored(detected)) return { score: 0, label: 'unscored', lang: detected, terms: [] };
  const lang: ScoredLang | '' = isScored(detected) ? detected : '';
  const hits: number[] = prepared.emoji.filter((v) => v !== 0);
  let winkScore = 0;
  if (lang !== '') winkScore = scoreWords(prepared.words, lang, hits).wink;
  let sum = hits.reduce((a, b) => a + b, 0);
  let weight = hits.length;
  if (winkScore !== 0) {
    sum += winkScore * WINK_WEIGHT;
    weight += WINK_WEIGHT;
  }
  const score = weight === 0 ? 0 : Math.round(Math.max(-1, Math.min(1, sum / weight)) * 1000) / 1000;
  return { score, label: labelOf(score, lang), lang, terms: [] };
}

// ---------- worker pool ----------

interface Job { items: { text: string; lang?: string }[]; resolve: (r: SentimentResult[]) => void }
interface Slot { worker: Worker; jobs: Map<number, Job>; alive: boolean }
interface Reply { id: number; results: SentimentResult[] }

export interface SentimentPoolOptions {
  /** worker threads; default: cores − 1, between 1 and 4 */
  threads?: number;
  /** told when a worker dies; its work is then scored in this thread */
  onWorkerError?: (err: unknown) => void;
}

function inThread(items: { text: string; lang?: string }[]): SentimentResult[] {
  return items.map((item) => scoreComment(item.text, item.lang));
}

/**
 * The worker's entry: a tiny ESM bootstrap that loads sentimentWorker.ts through tsx's API. Node 20
 * does not apply `--import tsx` hooks to a worker's own entry module (ERR_UNKNOWN_FILE_EXTENSION), so
 * `execArgv: ['--import', 'tsx']` alone fails; tsImport works under tsx, `node --import tsx` and vitest.
 */
function workerEntry(): URL {
  const workerFile = new URL('./sentimentWorker.ts', import.meta.url).href;
  // the ESM build of tsx's API, read from its exports map (require.resolve would pick the CJS build)
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const exportsMap = JSON.parse(readFileSync(tsxPackage, 'utf8')).exports as Record<string, { import: { default: string } }>;
  const tsxApi = new URL(exportsMap['./esm/api'].import.default, pathToFileURL(tsxPackage)).href;
  const source = `import { tsImport } from ${JSON.stringify(tsxApi)};\n` +
    `await tsImport(${JSON.stringify(workerFile)}, ${JSON.stringify(workerFile)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** Items per message: big enough to amortise the hop, small enough to spread a batch over workers. */
const CHUNK = 64;

/**
 * Scores batches on worker threads. A worker that dies is dropped and its in-flight work is scored in
 * this thread, as is everything once no worker is left; results always come back, in input order.
 */
export class SentimentPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(private readonly onWorkerError?: (err: unknown) => void) {}

  static create(opts: SentimentPoolOptions = {}): SentimentPool {
    const pool = new SentimentPool(opts.onWorkerError);
    const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    for (let i = 0; i < threads; i += 1) {
      try {
        pool.slots.push(pool.spawn(workerEntry()));
      } catch (err) {
        opts.onWorkerError?.(err);
      }
    }
    return pool;
  }

  /** Worker threads still alive. */
  get threads(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  private spawn(entry: URL): Slot {
    const worker = new Worker(entry);
    const slot: Slot = { worker, jobs: new Map(), alive: true };
    // referenced only while it has work, so an idle pool never holds the process open; unref() again
    // once online: on Node 20 an unref() before then did not stick (an unused pool kept node running)
    worker.unref();
    worker.once('online', () => { if (slot.jobs.size === 0) worker.unref(); });
    worker.on('message', (reply: Reply) => {
      const job = slot.jobs.get(reply.id);
      if (!job) return;
      slot.jobs.delete(reply.id);
      if (slot.jobs.size === 0) worker.unref();
      job.resolve(reply.results);
    });
    const die = (err: unknown) => {
      if (!slot.alive) return;
      slot.alive = false;
      if (!this.closed) this.onWorkerError?.(err);
      for (const job of slot.jobs.values()) job.resolve(inThread(job.items));
      slot.jobs.clear();
    };
    worker.on('error', die);
    worker.on('messageerror', (err) => { die(err); void worker.terminate(); });
    worker.on('exit', (code) => die(new Error(`sentiment worker exited with code ${code}`)));
    return slot;
  }

  async score(items: { text: string; lang?: string }[]): Promise<SentimentResult[]> {
    if (this.closed) throw new Error('SentimentPool is closed');
    if (items.length === 0) return [];
    const parts: Promise<SentimentResult[]>[] = [];
    for (let start = 0; start < items.length; start += CHUNK) {
      const chunk = items.slice(start, start + CHUNK);
      const slot = this.leastBusy();
      parts.push(slot ? this.send(slot, chunk) : Promise.resolve(inThread(chunk)));
    }
    return (await Promise.all(parts)).flat();
  }

  private leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.alive && (!best || slot.jobs.size < best.jobs.size)) best = slot;
    }
    return best;
  }

  private send(slot: Slot, items: Job['items']): Promise<SentimentResult[]> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      slot.jobs.set(id, { items, resolve });
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id, items: items.map((i) => ({ text: String(i.text), lang: i.lang })) });
      } catch {
        slot.jobs.delete(id);
        resolve(inThread(items));
      }
    });
  }

  /** Stops the workers; work still in flight is finished in this thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
