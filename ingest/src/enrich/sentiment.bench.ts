// Throughput of comment scoring, in this thread and on the worker pool; prints figures, asserts nothing.
// Run: npx tsx ingest/src/enrich/sentiment.bench.ts [comments=20000] [threads=2]
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { scoreComment, SentimentPool } from './sentiment.js';

const total = Number(process.argv[2] ?? 20_000);
const threads = Number(process.argv[3] ?? 2);
const fixtures = (
  JSON.parse(readFileSync(new URL('./fixtures/comments.json', import.meta.url), 'utf8')) as { text: string }[]
).map((f) => f.text);
// the labelled comments, with a counter so no cache can help
const comments = Array.from({ length: total }, (_, i) => `${fixtures[i % fixtures.length]} ${i % 7 === 0 ? '' : i}`);

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en');

scoreComment('warm up the models 😍'); // loads wink, tinyld and the nlp.js lexicons
for (const text of fixtures) scoreComment(text);

let t = performance.now();
for (const text of comments) scoreComment(text);
const single = performance.now() - t;
console.log(`in this thread: ${total} comments in ${single.toFixed(0)} ms = ${perSecond(total, single)} comments/s`);

t = performance.now();
const pool = SentimentPool.create({ threads });
await pool.score(fixtures.map((text) => ({ text }))); // start-up and warm-up of every worker
console.log(`pool of ${threads} started and warmed in ${(performance.now() - t).toFixed(0)} ms`);

for (const batch of [100, 1000]) {
  t = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += batch)
    pending.push(pool.score(comments.slice(i, i + batch).map((text) => ({ text }))));
  await Promise.all(pending);
  const ms = performance.now() - t;
  console.log(
    `pool of ${threads}, batches of ${batch}: ${total} comments in ${ms.toFixed(0)} ms = ${perSecond(total, ms)} comments/s`,
  );
}
await pool.close();
console.log(`(${availableParallelism()} cores on this machine, shared; node ${process.version})`);
