// Comment sentiment at ingest: language detection (tinyld and cue words), wink-nlp's word values for English, the
// nlp.js lexicons for es/de/pt/fr, an emoji table and the overlay (sentimentOverlay.ts), read clause by clause
// (contrast, negation, questions, sarcasm) into one score in [-1, 1] and the terms that decided it; plus a
// worker-thread pool so scoring never caps ingest throughput.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { detectAll } from 'tinyld';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import {
  CASED_EN,
  CLAP,
  COMPLAINT_SCORE,
  COMPLAINTS,
  CONTRAST_WORDS,
  CUE_WORDS,
  EMOJI,
  EMOTICONS,
  NEGATORS,
  PRAISE_INTERJECTIONS,
  PRICE_COMPLAINTS,
  PRICE_SCORE,
  QUESTION_OPENERS,
  RHETORICAL,
  SARCASM_CUES,
  SARCASM_EMOJI,
  SCORED_LANGS,
  SPAM,
  table,
  TERMS,
  UNPLEASANT_LIKE,
  UNSCORED_CUES,
  type ScoredLang,
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
  en: 0.05,
  es: 0.1,
  de: 0.1,
  pt: 0.1,
  fr: 0.1,
  '': 0.05,
};
/** Texts with fewer Latin letters are English (or the hinted language): detection is unreliable. */
const SHORT_TEXT_LETTERS = 12;

// ---------- text normalisation ----------

const STRIP = /[\u0001\uFE0E\uFE0F\u200D\u{1F3FB}-\u{1F3FF}\u20E3]/gu; // \u0001 is MARK, below
const EMOJI_CHAR = /\p{Extended_Pictographic}/gu;
const URL_OR_MENTION = /\bhttps?:\/\/\S+|\bwww\.\S+|@[\w.]+/gu;
const EMOTICON_RE = /(?<=^|\s)(:-?\)|:-?D|;\)|<3|:-?\(|:'\(|:\/)(?=\s|$)/gu;

interface Prepared {
  /** text without mentions and links, each emoji or emoticon replaced by MARK; elongations shortened */
  words: string;
  /** the emoji and emoticons found, in order, with their values (0 when known-neutral) */
  emoji: { char: string; value: number }[];
}

/** Stands for the n-th emoji in Prepared.words; it ends a clause, so negation does not reach past it. */
const MARK = '\u0001';
const MARKS = /\u0001/g;

/** Only the start of a very long comment is scored: some overlay patterns are quadratic in length. */
const MAX_CHARS = 1000;

function prepare(raw: string): Prepared {
  const head = raw.length > MAX_CHARS ? Array.from(raw).slice(0, MAX_CHARS).join('') : raw;
  let text = head.normalize('NFC').replace(STRIP, '').replace(URL_OR_MENTION, ' ').replace(/[’`´]/g, "'");
  const emoji: Prepared['emoji'] = [];
  text = text.replace(EMOTICON_RE, (m) => {
    emoji.push({ char: m, value: EMOTICONS[m] ?? 0 });
    return ` ${MARK} . `;
  });
  text = text.replace(EMOJI_CHAR, (e) => {
    emoji.push({ char: e, value: emojiValue(e) });
    return ` ${MARK} . `;
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
    // too short for tinyld: the language whose cue words it has ("Viel zu teuer", "Mooi!", "Za drogie"), else English
    let best: ScoredLang = 'en';
    let bestCues = cueCount(words, 'en');
    for (const lang of SCORED_LANGS) {
      const n = cueCount(words, lang);
      if (n > bestCues) {
        best = lang;
        bestCues = n;
      }
    }
    const other = unscoredByCues(words);
    if (other && other.cues >= bestCues) return other.lang;
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
    if (n > bestCues) {
      best = lang;
      bestCues = n;
    }
  }
  if (isScored(top.lang)) return best && bestCues > cueCount(words, top.lang) ? best : top.lang;
  const other = unscoredByCues(words);
  if (other && other.cues >= bestCues) return other.lang; // "virkelig flot, hvor har du den fra" is Danish
  if (best && (bestCues >= 2 || (bestCues >= 1 && top.accuracy < 0.1))) return best;
  // a Latin-script text tinyld can hardly place, with no cue either: English, as for short texts
  return top.accuracy < 0.05 ? (isScored(hint) ? hint : 'en') : top.lang;
}

/** Share of an ASCII text's words that must be English cue words to skip tinyld. */
const EN_CUE_SHARE = 0.3;
/** The same for es/de/pt/fr, which need two cue words and no cue of another language. */
const OTHER_CUE_SHARE = 0.33;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The cheap answer that spares tinyld (the costliest step of scoring) when the words leave no doubt:
 * - the sender's language, when at least two of the words are its cue words and no other scorable
 *   language has as many (a hint alone is weak: "this is honestly the best collab" hinted 'es' is English);
 * - English, for an ASCII text of which at least 30 % of the words, and at least two, are English cue
 *   words or words English scores, and no word is a cue of another language (scored or not);
 * - es/de/pt/fr, when a third of the words, and at least two, are its cues and no other language has one.
 * Otherwise undefined: tinyld decides.
 */
function knownByCues(words: string, hint: string | undefined): ScoredLang | undefined {
  const counts = cueCounts(words);
  if (isScored(hint)) {
    const h = counts[SCORED_LANGS.indexOf(hint)];
    if (h >= 2 && counts.every((n, i) => SCORED_LANGS[i] === hint || n < h)) return hint;
  }
  const top = counts.indexOf(Math.max(...counts));
  const n = counts[top];
  if (n === 0 || counts.some((m, i) => i !== top && m > 0) || unscoredByCues(words)) return undefined;
  if (SCORED_LANGS[top] === 'en') {
    // English also by the words it scores ("daylight robbery"): wink and the overlay know no other language's words
    if (NON_ASCII.test(words)) return undefined;
    const tokens = tokenize(words.toLowerCase(), 'en');
    const known = tokens.filter((t) => TERMS.en[t] !== undefined || winkWord(t) !== 0).length;
    return n + known >= 2 && n + known >= tokens.length * EN_CUE_SHARE ? 'en' : undefined;
  }
  // es/de/pt/fr: two cue words, a third of the words, no other language's cue (Italian and Catalan share some)
  return n >= 2 && n >= tokenize(words, 'fr').length * OTHER_CUE_SHARE ? SCORED_LANGS[top] : undefined;
}

const unscoredCues = new Map<string, string>(
  Object.entries(UNSCORED_CUES).flatMap(([lang, words]) => words.map((w) => [w, lang] as [string, string])),
);
/** Letters only some unscored languages use: Polish ą ę ł ń ś ź ż, Turkish ğ ı ş, Nordic å æ ø, Czech ř ě ů. */
const UNSCORED_LETTERS: [RegExp, string][] = [
  [/[ąęłńśźż]/iu, 'pl'],
  [/[ğış]/iu, 'tr'],
  [/[åæø]/iu, 'sv'],
  [/[řěů]/iu, 'cs'],
];

/** An unscored language a short text's words or letters point to, with how many cues point there. */
function unscoredByCues(words: string): { lang: string; cues: number } | undefined {
  const letter = UNSCORED_LETTERS.find(([re]) => re.test(words));
  if (letter) return { lang: letter[1], cues: 99 };
  const counts = new Map<string, number>();
  for (const token of tokenize(
    words
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, ''),
    'es',
  )) {
    const lang = unscoredCues.get(token);
    if (lang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  }
  let best: { lang: string; cues: number } | undefined;
  for (const [lang, cues] of counts) if (!best || cues > best.cues) best = { lang, cues };
  return best;
}

const cueSets = new Map<ScoredLang, Set<string>>();
function cueSet(lang: ScoredLang): Set<string> {
  let cues = cueSets.get(lang);
  if (!cues) {
    // a term English shares ("top", "super", "cringe", "content") is no evidence of another language
    const english = (w: string) =>
      lang !== 'en' && (TERMS.en[w] !== undefined || CUE_WORDS.en.includes(w) || winkWord(w) !== 0);
    const terms = Object.entries(TERMS[lang]).filter(
      ([term, value]) => value !== 0 && !term.includes(' ') && !english(term),
    );
    cues = new Set([...CUE_WORDS[lang], ...NEGATORS[lang], ...terms.map(([term]) => term)].map((w) => fold(w, lang)));
    cueSets.set(lang, cues);
  }
  return cues;
}

let lastCues: { words: string; counts: number[] } = { words: '', counts: SCORED_LANGS.map(() => 0) };
/** Cue words of each scored language in a text (in SCORED_LANGS order); es/pt/fr share one folding and tokenizing. */
function cueCounts(words: string): number[] {
  if (lastCues.words === words) return lastCues.counts; // detection asks several times about one text
  const stripped = tokenize(fold(words, 'fr'), 'fr');
  const counts = SCORED_LANGS.map((lang) => {
    const tokens = lang === 'en' || lang === 'de' ? tokenize(fold(words, lang), lang) : stripped;
    const cues = cueSet(lang);
    let n = 0;
    for (const token of tokens) if (cues.has(token)) n += 1;
    return n;
  });
  lastCues = { words, counts };
  return counts;
}

function cueCount(words: string, lang: ScoredLang): number {
  return cueCounts(words)[SCORED_LANGS.indexOf(lang)];
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

interface NlpjsStemmer {
  stemWord(word: string): string;
  cache: Record<string, string>;
}
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
      if (++cached > 50_000) {
        stemmer.cache = {};
        cached = 0;
      }
      return stemmer.stemWord(word);
    },
    values: table(values),
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

interface Phrase {
  tokens: string[];
  value: number;
}
interface PhraseTable {
  phrases: Map<string, Phrase[]>;
  negators: Set<string>;
  stems: Map<string, number>;
}
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

const NEGATION_SPAN = 3;
/** A negated negative word is a mild positive ("not bad"): this share of its strength, sign flipped. */
const NEGATED_NEGATIVE = 0.6;
/** Words of wink's lexicon weaker than this carry no opinion in comments ("friend", "free"). */
const WINK_MIN = 0.25;
/** Negative evidence counts this much more than positive: showing a complaint as praise is the costly mistake. */
const NEGATIVE_WEIGHT = 1.5;
/** Weight of what comes before a contrast word ("nice colour, but …"), when what follows carries a judgement. */
const BEFORE_CONTRAST = 0.25;
/** What praise is worth once a comment reads as sarcastic. */
const SARCASTIC_PRAISE = -0.6;

/** One piece of evidence: its value in [-1, 1], the term as written, and its weight. */
interface Hit {
  value: number;
  term: string;
  weight: number;
}

const wordCache = new Map<string, number>();
/** wink-nlp's value of one English word alone, cached (bounded: cleared past 50k words). */
function winkWord(word: string): number {
  let v = wordCache.get(word);
  if (v === undefined) {
    if (wordCache.size > 50_000) wordCache.clear();
    v = /^\p{N}+$/u.test(word) ? 0 : Number(wink().nlp.readDoc(word).out(wink().its.sentiment)) || 0;
    if (Math.abs(v) < WINK_MIN) v = 0;
    wordCache.set(word, v);
  }
  return v;
}

/** Whether a clause asks for information; a rhetorical question ("why is it so expensive?") judges. */
function asks(clause: string, questionMark: boolean, lang: ScoredLang): boolean {
  const lower = clause.toLowerCase();
  if (RHETORICAL.some((re) => re.test(lower))) return false;
  if (questionMark || lower.includes('¿')) return true;
  return lang === 'en' && QUESTION_OPENERS.has(lower.match(/^\s*(\p{L}+)\s/u)?.[1] ?? '');
}

/** Words of a segment of one language: overlay phrases first, then the nlp.js lexicon (es/de/pt/fr) or wink (en). */
function scoreWords(words: string, lang: ScoredLang, quoted: Set<string>, hits: Hit[]): void {
  const { phrases, negators, stems } = phraseTable(lang);
  const lex = lang === 'en' ? undefined : lexicon(lang);
  for (const [rawClause, questionMark] of clauses(words)) {
    // a question asks for information ("does it work for oily skin?"): its words are no judgement
    if (asks(rawClause, questionMark, lang)) continue;
    const original = tokenize(rawClause, lang);
    const tokens = original.map((t) => fold(t, lang));
    let negated = 0;
    let last = -1; // index in hits of the last word hit of this clause, and its token position
    let lastAt = -99;
    const add = (value: number, term: string, at: number) => {
      const sign = negated > 0 ? -1 : 1;
      const v = sign < 0 && value < 0 ? -value * NEGATED_NEGATIVE : sign * value;
      hits.push({ value: quoted.has(tokens[at]) && v > 0 ? SARCASTIC_PRAISE * v : v, term, weight: 1 });
      last = hits.length - 1;
      lastAt = at;
    };
    for (let i = 0; i < tokens.length; i += 1) {
      const token = tokens[i];
      if (lang === 'en' && CASED_EN[original[i]] !== undefined) {
        add(CASED_EN[original[i]], original[i], i);
        negated = Math.max(0, negated - 1);
        continue;
      }
      const phrase = phrases.get(token)?.find((p) => p.tokens.every((t, k) => tokens[i + k] === t));
      if (phrase) {
        if (phrase.value !== 0) add(phrase.value, original.slice(i, i + phrase.tokens.length).join(' '), i);
        i += phrase.tokens.length - 1;
        negated = Math.max(0, negated - phrase.tokens.length);
        continue;
      }
      if (negators.has(token)) {
        // German puts "nicht" after the verb: "gefällt mir überhaupt nicht" flips what came just before
        const nothingAfter = !tokens.slice(i + 1).some((t) => phrases.has(t));
        if (lang === 'de' && last >= 0 && i - lastAt <= NEGATION_SPAN && nothingAfter) {
          const h = hits[last];
          h.value = h.value < 0 ? -h.value * NEGATED_NEGATIVE : -h.value;
          last = -1;
          continue;
        }
        negated = NEGATION_SPAN;
        continue;
      }
      const byStem = lex && token.length >= STEM_MATCH_LETTERS ? stems.get(lex.stem(token)) : undefined;
      if (byStem !== undefined) {
        if (byStem !== 0) add(byStem, original[i], i);
      } else if (lex) {
        // the nlp.js lexicons are keyed by stems of accent-stripped words ("schön" → "schon")
        const value =
          lex.values[
            lex.stem(
              original[i]
                .toLowerCase()
                .normalize('NFD')
                .replace(/[\u0300-\u036f]/g, ''),
            )
          ];
        if (value) add(Math.max(-1, Math.min(1, value / lex.scale)), original[i], i);
      } else {
        const value = winkWord(token);
        if (value !== 0) add(value, original[i], i);
      }
      negated = Math.max(0, negated - 1);
    }
  }
  const folded = fold(words, lang);
  const pattern = (re: RegExp, value: number) => {
    const m = re.exec(folded);
    if (m) hits.push({ value, term: m[0].trim().slice(0, 32), weight: 1 });
  };
  for (const re of COMPLAINTS[lang]) pattern(re, COMPLAINT_SCORE);
  for (const re of PRICE_COMPLAINTS[lang]) pattern(re, PRICE_SCORE);
  pattern(UNPLEASANT_LIKE[lang], COMPLAINT_SCORE);
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

const contrastRes = new Map<string, RegExp>();
/** The text split at its last contrast word ("but", "aber", "mais", …): [before, after], or [text] without one. */
function splitAtContrast(words: string, lang: ScoredLang): string[] {
  let re = contrastRes.get(lang);
  if (!re) {
    re = new RegExp(`(?<![\\p{L}\\p{N}'])(?:${CONTRAST_WORDS[lang].join('|')})(?![\\p{L}\\p{N}'])`, 'giu');
    contrastRes.set(lang, re);
  }
  let at = -1;
  let end = -1;
  for (const m of words.matchAll(re)) {
    at = m.index ?? -1;
    end = at + m[0].length;
  }
  return at < 0 ? [words] : [words.slice(0, at), words.slice(end)];
}

const QUOTED = /(?:^|[\s(])["“„«‚‹'‘]([^"“”„«»‚‹›'‘’]{2,30}?)["”“»‘’›'](?=[\s.,!?)]|$)/gu;
/** A one-word opening, maybe after an intensifier: "Great,", "Qué bien,", "Thanks a lot,". */
const OPENING =
  /^\s*(?:oh |ah |wow,? |que |how |so |very |really |muy |tres |sehr |na )?(\p{L}+)(?: a lot| so much)?\s*[,!.]/u;
const REPEATED = /\b(again|another|otra vez|de nuevo|schon wieder|wieder|encore|de novo|outra vez)\b/;

/** Whether praise in this comment is meant the other way round, and the cue that says so (for the "why"). */
function sarcasmCue(
  folded: string,
  lang: ScoredLang,
  emoji: string[],
  hits: Hit[],
  quoted: Set<string>,
): string | undefined {
  const praised = hits.some((h) => h.value > 0);
  const blamed = hits.some((h) => h.value < 0);
  const cue = SARCASM_CUES[lang].map((re) => re.exec(folded)?.[0]).find((m) => m !== undefined);
  if (cue) return cue;
  const rolled = emoji.find((e) => SARCASM_EMOJI.has(e));
  if (rolled && praised) return rolled;
  if (emoji.includes(CLAP) && blamed) return CLAP;
  if (quoted.size > 0 && hits.some((h) => h.value < 0 && quoted.has(fold(h.term, lang)))) return `"${[...quoted][0]}"`;
  // "Great, it broke again", "Genial, otra vez…": a one-word praise opening a complaint
  const opening = OPENING.exec(folded)?.[1];
  if (opening && PRAISE_INTERJECTIONS.has(opening) && (blamed || REPEATED.test(folded))) return opening;
  return undefined;
}

// ---------- public API ----------

function labelOf(score: number, lang: ScoredLang | ''): SentimentResult['label'] {
  const band = NEUTRAL_BAND[lang];
  return score > band ? 'pos' : score < -band ? 'neg' : 'neu';
}

/** Most telling terms of the comment's verdict, strongest first. */
function topTerms(hits: Hit[], label: SentimentResult['label']): string[] {
  const sign = label === 'pos' ? 1 : label === 'neg' ? -1 : 0;
  if (sign === 0) return [];
  const strength = (h: Hit) => Math.abs(h.value * h.weight);
  const ranked = hits.filter((h) => Math.sign(h.value) === sign).sort((a, b) => strength(b) - strength(a));
  return [...new Set(ranked.map((h) => h.term.toLowerCase()))].slice(0, 3);
}

/** Scores one comment in this thread. `hintLang` (e.g. the account's market) decides short texts. */
export function scoreComment(text: string, hintLang?: string): SentimentResult {
  const raw = typeof text === 'string' ? text : '';
  const prepared = prepare(raw);
  const letters = prepared.words.replace(MARKS, ' ');
  const detected = detectLanguage(letters, hintLang);
  // words in a language we cannot score, or too few to tell: no score at all, even with emoji ("最悪😂");
  // no letters at all (emoji, "???"): scored on its emoji, language unknown
  const hasLetters = /\p{L}/u.test(letters);
  if (hasLetters && !isScored(detected)) return { score: 0, label: 'unscored', lang: detected, terms: [] };
  const lang: ScoredLang | '' = isScored(detected) ? detected : '';
  const lower = raw.toLowerCase();
  if (lang !== '' && SPAM.some((re) => re.test(lower))) return { score: 0, label: 'neu', lang, terms: ['spam'] };

  const hits: Hit[] = [];
  const segments = lang === '' ? [prepared.words] : splitAtContrast(prepared.words, lang);
  let emojiAt = 0;
  const quoted = new Set<string>();
  if (lang !== '') {
    for (const m of prepared.words.matchAll(QUOTED)) for (const t of tokenize(fold(m[1], lang), lang)) quoted.add(t);
  }
  const segmentHits: Hit[][] = segments.map((segment) => {
    const own: Hit[] = [];
    const marks = segment.match(MARKS)?.length ?? 0;
    for (const e of prepared.emoji.slice(emojiAt, emojiAt + marks)) {
      if (e.value !== 0) own.push({ value: e.value, term: e.char, weight: 1 });
    }
    emojiAt += marks;
    if (lang !== '') scoreWords(segment, lang, quoted, own);
    return own;
  });
  // what follows "but" carries the judgement; what came before counts a little, unless nothing follows
  if (segmentHits.length === 2 && segmentHits[1].length > 0) for (const h of segmentHits[0]) h.weight = BEFORE_CONTRAST;
  hits.push(...segmentHits.flat());
  if (lang !== '') {
    const cue = sarcasmCue(
      fold(prepared.words, lang),
      lang,
      prepared.emoji.map((e) => e.char),
      hits,
      quoted,
    );
    if (cue !== undefined) {
      for (const h of hits) if (h.value > 0) h.value *= SARCASTIC_PRAISE;
      if (!hits.some((h) => h.term === cue)) hits.push({ value: SARCASTIC_PRAISE, term: cue, weight: 1 });
    }
  }
  let sum = 0;
  let weight = 0;
  for (const h of hits) {
    const w = h.weight * (h.value < 0 ? NEGATIVE_WEIGHT : 1);
    sum += h.value * w;
    weight += w;
  }
  const score = weight === 0 ? 0 : Math.round(Math.max(-1, Math.min(1, sum / weight)) * 1000) / 1000;
  const label = labelOf(score, lang);
  return { score, label, lang, terms: topTerms(hits, label) };
}

// ---------- worker pool ----------

interface Job {
  items: { text: string; lang?: string }[];
  resolve: (r: SentimentResult[]) => void;
}
interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  alive: boolean;
}
interface Reply {
  id: number;
  results: SentimentResult[];
}

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
  const exportsMap = JSON.parse(readFileSync(tsxPackage, 'utf8')).exports as Record<
    string,
    { import: { default: string } }
  >;
  const tsxApi = new URL(exportsMap['./esm/api'].import.default, pathToFileURL(tsxPackage)).href;
  const source =
    `import { tsImport } from ${JSON.stringify(tsxApi)};\n` +
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
    worker.once('online', () => {
      if (slot.jobs.size === 0) worker.unref();
    });
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
    worker.on('messageerror', (err) => {
      die(err);
      void worker.terminate();
    });
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
