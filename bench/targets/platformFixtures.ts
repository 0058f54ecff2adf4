// The connector benchmark's platform APIs, in a process of their own: the local fixture servers holding the 2,000
// posts, whose counters grow on every read (and every fourth read brings a comment), as a live post's do.
import { startPlatformFixtures } from '@pulseroom/ingest/connectors/fixtureServer';
import { benchCredential, benchPosts, BENCH_MIX, igAccount } from '../lib/connectorPosts.js';
import { RESULT_PREFIX } from '../lib/proc.js';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const COMMENTS = [
  'love this so much',
  'where can I buy it?',
  'meh, not for me',
  'this broke after a day',
  'great tip!',
];
const reads = new Map<string, number>();

const fixtures = await startPlatformFixtures({
  port,
  onRead(_platform, p) {
    const n = (reads.get(p.id) ?? 0) + 1;
    reads.set(p.id, n);
    p.views += 5 + (n % 13);
    p.reach += 3 + (n % 7);
    if (n % 2 === 0) p.likes += 1;
    if (n % 5 === 0) p.shares += 1;
    if (n % 6 === 0) p.saves += 1;
    if (n % 4 === 0)
      p.comments.push({ id: `${p.id}c${n}`, text: COMMENTS[n % 5], author: `viewer${n}`, ts: Date.now() });
  },
});
for (const m of BENCH_MIX)
  for (let c = 0; c < m.connectors; c++) fixtures.credentials[m.platform].add(benchCredential(m.platform, c));
const dayAgo = Date.now() - 2 * 86_400_000;
for (const b of benchPosts())
  fixtures.posts[b.platform].set(b.id, {
    id: b.id,
    shortcode: b.shortcode,
    account: b.platform === 'instagram' ? igAccount(b.connector) : undefined,
    caption: b.connector % 2 ? '#ad new drop' : 'my favourite new routine',
    publishedAt: dayAgo,
    views: 1000,
    likes: 100,
    shares: 10,
    reach: 800,
    saves: 5,
    comments: [],
  });
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ urls: fixtures.urls })}\n`);
process.on('SIGTERM', () => void fixtures.close().then(() => process.exit(0)));
