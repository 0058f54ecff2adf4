// Comment sentiment and caption disclosure: accuracy on the held-out half of the labelled sets (per category, and the
// share of negative comments scored positive), and comments scored per second in one thread. Runs in this process.
import { readFileSync } from 'node:fs';
import { scoreComment } from '@pulseroom/ingest/enrich/sentiment';
import {
  evaluateCaptions,
  evaluateComments,
  labelledCaptions,
  labelledComments,
  percent,
} from '@pulseroom/ingest/enrich/sentimentEval';
import type { BenchContext, BenchResult, Figure } from './lib/types.js';

const COMMENTS = 20_000;
const RUNS = 3;
const TARGET = { overall: 85, category: 70, negAsPos: 3, disclosure: 100, perSecond: 10_000 };

/** Comments/s of scoreComment in this thread over the labelled comments, each made unique so no cache can help. */
function perSecond(): number {
  const fixture = new URL('../ingest/src/enrich/fixtures/comments.json', import.meta.url);
  const texts = [
    ...labelledComments('tune'),
    ...labelledComments('holdout'),
    ...(JSON.parse(readFileSync(fixture, 'utf8')) as { text: string }[]),
  ].map((c) => c.text);
  const comments = Array.from({ length: COMMENTS }, (_, i) => `${texts[i % texts.length]} ${i % 7 === 0 ? '' : i}`);
  for (const text of texts) scoreComment(text); // loads wink, tinyld and the nlp.js lexicons
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const t = performance.now();
    for (const text of comments) scoreComment(text);
    rates.push(Math.round((COMMENTS * 1000) / (performance.now() - t)));
  }
  return rates.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  const comments = labelledComments('holdout');
  const captions = labelledCaptions('holdout');
  const s = evaluateComments(comments);
  const d = evaluateCaptions(captions);
  const misses = s.misses.length + d.misses.length;
  ctx.log(`held-out: ${comments.length} comments, ${captions.length} captions; ${misses} misses`);
  const rate = perSecond();
  const pct = (metric: string, t: { ok: number; n: number }, target: string, met: boolean): Figure => ({
    metric: `${metric} (${t.ok}/${t.n})`,
    value: percent(t),
    unit: '%',
    target,
    met,
  });
  const figures: Figure[] = [
    pct('held-out comments right', s.overall, `≥ ${TARGET.overall} %`, percent(s.overall) >= TARGET.overall),
    ...Object.entries(s.byCategory)
      .sort()
      .map(([category, t]) => pct(`held-out ${category}`, t, `≥ ${TARGET.category} %`, percent(t) >= TARGET.category)),
    pct(
      'held-out negatives scored positive',
      s.negAsPos,
      `≤ ${TARGET.negAsPos} %`,
      percent(s.negAsPos) <= TARGET.negAsPos,
    ),
    pct(
      "held-out captions' disclosure right",
      d.overall,
      `${TARGET.disclosure} %`,
      percent(d.overall) >= TARGET.disclosure,
    ),
    {
      metric: `comments scored per second, one thread (median of ${RUNS} × ${COMMENTS.toLocaleString('en')})`,
      value: rate,
      unit: 'comments/s',
      target: `≥ ${TARGET.perSecond.toLocaleString('en')} per thread`,
      met: rate >= TARGET.perSecond,
    },
  ];
  return {
    name: 'sentiment',
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    figures,
    memory: { bench: Math.round(process.memoryUsage().rss / 1024 / 1024) },
    notes: [
      'Held-out half of ingest/src/enrich/fixtures/labelled-comments.json and labelled-captions.json, split by seed ' +
        '(sentimentEval.ts); the tuning half is never reported. Per-language figures and the misses: ' +
        '`npx vitest run ingest/src/enrich/sentimentEval.test.ts`.',
      ...Object.entries(s.byLang)
        .sort()
        .map(([lang, t]) => `comments in ${lang}: ${t.ok}/${t.n} = ${percent(t)} %`),
    ],
    raw: { sentiment: s, disclosure: d, per_second: rate },
  };
}
