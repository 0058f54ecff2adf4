import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreComment, SentimentPool, type SentimentResult } from './sentiment.js';

interface Labelled {
  text: string;
  label: SentimentResult['label'];
  lang: string;
  split: 'tune' | 'holdout' | 'blind';
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/comments.json', import.meta.url), 'utf8')) as Labelled[];

// Clear cases: any change that breaks one of these is a regression, whatever the overall accuracy.
const core: [string, SentimentResult['label'], string][] = [
  ['😍🔥', 'pos', ''],
  ['🥰🥰', 'pos', ''],
  ['🫶🏽', 'pos', ''],
  ['❤️', 'pos', ''],
  ['🙄', 'neg', ''],
  ['🤮🤮', 'neg', ''],
  ['love this!!', 'pos', 'en'],
  ['this is fire 🔥', 'pos', 'en'],
  ['this slaps', 'pos', 'en'],
  ['goated', 'pos', 'en'],
  ['no cap this is the best', 'pos', 'en'],
  ['huge W', 'pos', 'en'],
  ['massive L', 'neg', 'en'],
  ['so mid', 'neg', 'en'],
  ['cringe', 'neg', 'en'],
  ['the ick', 'neg', 'en'],
  ['not good', 'neg', 'en'],
  ['NOT GOOD', 'neg', 'en'],
  ['not fire', 'neg', 'en'],
  ['not bad at all', 'pos', 'en'],
  ['still waiting for my order, 3 weeks, refund please', 'neg', 'en'],
  ['where is my package??', 'neg', 'en'],
  ['my order never arrived', 'neg', 'en'],
  ['where did you get that jacket?', 'neu', 'en'],
  ['link?', 'neu', 'en'],
  ['cuteeee', 'pos', 'en'],
  ['me encanta este vestido 😍', 'pos', 'es'],
  ['no me gusta nada, muy malo', 'neg', 'es'],
  ['todavía no me ha llegado el pedido', 'neg', 'es'],
  ['Sehr schön, ich liebe es', 'pos', 'de'],
  ['Nicht gut, total enttäuscht', 'neg', 'de'],
  ['amei demais, lindo!!', 'pos', 'pt'],
  ['Não gostei, péssimo', 'neg', 'pt'],
  ["trop beau, j'adore ta tenue", 'pos', 'fr'],
  ["c'est nul, je n'aime pas du tout", 'neg', 'fr'],
  ['これ可愛い！どこで買えますか', 'unscored', 'ja'],
  ['정말 예뻐요 😍', 'unscored', 'ko'],
  ['هذا رائع جدا', 'unscored', 'ar'],
  ['Ужасное качество, не покупайте', 'unscored', 'ru'],
  ['Wygląda super, gdzie to kupić?', 'unscored', 'pl'],
];

describe('scoreComment', () => {
  it.each(core)('%j → %s (%s)', (text, label, lang) => {
    const result = scoreComment(text);
    expect(result.label).toBe(label);
    expect(result.lang).toBe(lang);
    expect(result.score).toBeGreaterThanOrEqual(-1);
    expect(result.score).toBeLessThanOrEqual(1);
    if (label === 'unscored') expect(result.score).toBe(0);
  });

  it('never gives an unscorable language an English score', () => {
    for (const text of ['最悪😂', 'Очень плохо 👎', 'Beznadziejna jakość, nie polecam']) {
      expect(scoreComment(text)).toMatchObject({ score: 0, label: 'unscored' });
    }
  });

  it('decides short texts by the hint, else by cue words, else English', () => {
    expect(scoreComment('que lindo', 'pt')).toMatchObject({ lang: 'pt', label: 'pos' });
    expect(scoreComment('so pretty')).toMatchObject({ lang: 'en', label: 'pos' });
    expect(scoreComment('Viel zu teuer')).toMatchObject({ lang: 'de', label: 'neg' }); // cue words decide short texts
    expect(scoreComment('this is honestly the best collab', 'es').lang).toBe('en');
  });

  it('survives junk', () => {
    for (const text of ['', '   ', '???', '@someone', 'https://x.co/abc', '\u200d\ufe0f', '🏽', 'a'.repeat(5000)]) {
      const r = scoreComment(text);
      expect(['pos', 'neu', 'neg', 'unscored']).toContain(r.label);
      expect(Number.isFinite(r.score)).toBe(true);
    }
  });

  it('stays above the accuracy floors measured on the labelled set', () => {
    const groups = new Map<string, { ok: number; n: number }>();
    const confusion: Record<string, Record<string, number>> = {};
    const bump = (key: string, ok: boolean) => {
      const g = groups.get(key) ?? { ok: 0, n: 0 };
      g.n += 1;
      if (ok) g.ok += 1;
      groups.set(key, g);
    };
    const misses: string[] = [];
    for (const row of fixtures) {
      const got = scoreComment(row.text);
      const ok = got.label === row.label;
      const lang = ['en', 'es', 'de', 'pt', 'fr'].includes(row.lang)
        ? row.lang
        : row.lang === ''
          ? 'emoji'
          : 'unscorable';
      bump('all', ok);
      bump(row.split, ok);
      bump(lang, ok);
      if (row.label !== 'unscored') bump('3-way', ok);
      (confusion[row.label] ??= {})[got.label] = (confusion[row.label]?.[got.label] ?? 0) + 1;
      if (!ok)
        misses.push(
          `${row.split} ${JSON.stringify(row.text)}: expected ${row.label}, got ${got.label} (${got.score}, ${got.lang})`,
        );
    }
    const pct = (key: string) => {
      const g = groups.get(key) ?? { ok: 0, n: 1 };
      return (100 * g.ok) / g.n;
    };
    const report = [...groups].map(([key, g]) => `${key.padEnd(10)} ${g.ok}/${g.n} = ${pct(key).toFixed(1)} %`);
    console.log(
      `sentiment accuracy on fixtures/comments.json\n${report.join('\n')}\nconfusion (expected → got): ${JSON.stringify(confusion)}\nmisses:\n${misses.join('\n')}`,
    );

    expect(fixtures.length).toBeGreaterThanOrEqual(500);
    // Floors a few points under what was measured. 'tune' (288) is what the overlay and bands were
    // tuned on (99.7 %); 'holdout' (141) was written next and scored before further tuning (92.9 %,
    // 94.3 % after two general fixes); 'blind' (92) was scored once and never tuned on (88.0 %).
    expect(pct('all')).toBeGreaterThanOrEqual(93);
    expect(pct('3-way')).toBeGreaterThanOrEqual(92);
    expect(pct('holdout')).toBeGreaterThanOrEqual(90);
    expect(pct('blind')).toBeGreaterThanOrEqual(85);
    for (const lang of ['en', 'es', 'de', 'pt', 'fr', 'emoji']) expect(pct(lang)).toBeGreaterThanOrEqual(85);
    expect(pct('unscorable')).toBeGreaterThanOrEqual(85);
  });
});

describe('SentimentPool', () => {
  // one pool for the sequence below: starting workers is the slow part of these tests
  const errors: unknown[] = [];
  const pool = SentimentPool.create({ threads: 2, onWorkerError: (e) => errors.push(e) });
  afterAll(() => pool.close());

  it('scores on worker threads, in input order, exactly as in this thread', async () => {
    const items = fixtures.map((f) => ({ text: f.text })); // several chunks, spread over both workers
    const results = await pool.score(items);
    expect(results).toEqual(items.map((i) => scoreComment(i.text)));
    expect(errors).toEqual([]);
    expect(pool.threads).toBe(2); // the workers answered: nothing fell back
    expect(await pool.score([])).toEqual([]);
  });

  it('falls back to this thread when a worker dies, and still answers everything', async () => {
    const items = fixtures.slice(0, 300).map((f) => ({ text: f.text }));
    const pending = pool.score(items);
    // kill a worker with work in flight (reaching into the pool: there is no public way to crash one)
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    await slots[0].worker.terminate();
    expect(await pending).toEqual(items.map((i) => scoreComment(i.text)));
    expect(pool.threads).toBe(1);
    expect(errors.length).toBe(1);
    await slots[1].worker.terminate();
    expect(await pool.score(items.slice(0, 5))).toEqual(items.slice(0, 5).map((i) => scoreComment(i.text)));
    expect(pool.threads).toBe(0);
  });

  it('closes idempotently and takes no work afterwards', async () => {
    await pool.close();
    await pool.close();
    await expect(pool.score([{ text: 'x' }])).rejects.toThrow(/closed/);
  });

  it('works in a process started with node --import tsx, and an idle pool does not hold it open', async () => {
    const module = fileURLToPath(new URL('./sentiment.ts', import.meta.url));
    const script = `
      import { SentimentPool } from ${JSON.stringify(module)};
      const pool = SentimentPool.create({ threads: 2, onWorkerError: (e) => { console.error(e); process.exit(3); } });
      const r = await pool.score([{ text: '😍🔥' }, { text: 'not good' }, { text: 'これ可愛い' }]);
      console.log(JSON.stringify({ labels: r.map((x) => x.label), threads: pool.threads }));
      // no close(): the process must still exit on its own
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        timeout: 20_000,
      },
    );
    expect(JSON.parse(stdout)).toEqual({ labels: ['pos', 'neg', 'unscored'], threads: 2 });
  });
});

describe('bad input', () => {
  it('scores or leaves unscored empty, blank, 10 kB and emoji-only comments without error, each with its terms', () => {
    const long = 'honestly the strap broke after a week and support never answered, '.repeat(160); // ~10 kB
    expect(long.length).toBeGreaterThan(10_000);
    const cases: [string, SentimentResult['label']][] = [
      ['', 'neu'],
      ['   \n\t ', 'neu'],
      [long, 'neg'],
      ['😍🔥🥰', 'pos'],
      ['🤮🙄', 'neg'],
      ['👀', 'neu'],
      ['😍'.repeat(5000), 'pos'],
      ['\u0000\u0001', 'neu'],
    ];
    for (const [text, label] of cases) {
      const r = scoreComment(text);
      expect(r.label).toBe(label);
      expect(Number.isFinite(r.score)).toBe(true);
      expect(Array.isArray(r.terms) && r.terms.length <= 3).toBe(true);
    }
    const t = performance.now();
    scoreComment(long);
    expect(performance.now() - t).toBeLessThan(50); // only the first 1,000 characters are read
  });

  it('keeps the terms that decided the label, strongest first', () => {
    expect(scoreComment('way overpriced for what it is 🙄').terms).toEqual(expect.arrayContaining(['🙄']));
    expect(scoreComment('this slaps fr').terms).toEqual(['slaps']);
    expect(scoreComment('where did you get that jacket?').terms).toEqual([]);
  });
});

describe('words that are also names of JavaScript object members', () => {
  // Found by the fuzz test: "toString" looked up in a plain-object word list found Object.prototype's function, and
  // the comment was stored with a NaN score that the live figures and the store then summed differently.
  const members = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', 'caller', 'arguments', 'length'];
  it.each(['en', 'de', 'es', 'fr', 'pt'])('score as words in %s, with a finite score', (lang) => {
    for (const word of members) {
      for (const text of [word, `${word} ${word}`, `love the ${word} but ${word}`, word.toUpperCase()]) {
        const r = scoreComment(text, lang);
        expect(Number.isFinite(r.score), `${lang}: ${text}`).toBe(true);
        expect(r.terms.every((t) => typeof t === 'string')).toBe(true);
      }
    }
  });
});
