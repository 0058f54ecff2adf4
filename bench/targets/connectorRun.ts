// One connector process polling the benchmark's 2,000 posts against the fixture APIs: the runner and ingest's pipeline
// as the product builds them (createIngest, createConnectorRunner), on a fresh embedded store; its clock jumps 15 min
// a round, so every (day-old) post is due each round instead of once per 15 wall-clock minutes. Prints polls/s,
// events/s and CPU per poll, and writes the events it sent (as its accept calls batched them) for the baseline.
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import {
  applyMigrations,
  createConnector,
  DimensionCache,
  openStore,
  registerConnectorPost,
  sealSecret,
  updateConnectorPosts,
} from '@pulseroom/schema/server';
import { createIngest } from '@pulseroom/ingest';
import { ingestEnv, resolveIngestConfig } from '@pulseroom/ingest/config';
import { createConnectorRunner } from '@pulseroom/ingest/connectors/index';
import { seedLaunch } from '@pulseroom/ingest/testing';
import { benchCredential, benchPosts, BENCH_MIX, igAccount } from '../lib/connectorPosts.js';
import { RESULT_PREFIX } from '../lib/proc.js';

const arg = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const urls = JSON.parse(arg('urls')) as Record<'youtube' | 'instagram' | 'tiktok', string>;
const rounds = Number(arg('rounds'));
const config = resolveIngestConfig(
  ingestEnv.parse({
    PULSEROOM_DATA_DIR: arg('data'),
    CONNECTORS_ENABLED: 'false', // driven round by round below
    YOUTUBE_API_URL: urls.youtube,
    INSTAGRAM_API_URL: urls.instagram,
    TIKTOK_API_URL: urls.tiktok,
    LOG_LEVEL: 'warn',
  }),
);
const logger = pino({ level: 'warn' });
const store = await openStore(config);
await applyMigrations(store.client);
await seedLaunch(store);

const sources = new Map<string, string>();
for (const m of BENCH_MIX)
  for (let c = 0; c < m.connectors; c++)
    sources.set(
      `${m.platform}:${c}`,
      await createConnector(store.client, {
        platform: m.platform,
        name: `${m.platform} bench ${c}`,
        partner_id: m.platform === 'instagram' ? 'ana' : 'ben',
        account_id: m.platform === 'instagram' ? igAccount(c) : '',
        sealedCredential: sealSecret(config.secretsKey, benchCredential(m.platform, c)),
        campaign_ids: [],
        expected_every_s: 900,
      }),
    );
const dayAgo = Date.now() - 2 * 86_400_000;
const posts = benchPosts();
const rows = [];
for (const b of posts)
  rows.push({
    ...(await registerConnectorPost(store.client, {
      source_id: sources.get(`${b.platform}:${b.connector}`)!,
      campaign_id: 'spring-drop',
      partner_id: b.platform === 'instagram' ? 'ana' : 'ben',
      platform: b.platform,
      url: b.url,
      url_id: b.shortcode ?? b.id,
      media_id: b.platform === 'instagram' ? '' : b.id,
    })),
    published_at: dayAgo,
  });
await updateConnectorPosts(store.client, rows);

let offset = 0;
const clock = () => Date.now() + offset;
const dims = await DimensionCache.open(store.client, 2000);
const ingest = createIngest({ store, dims, config, logger, clock });
await ingest.start();
let recording = false;
const sent: Record<string, unknown>[][] = [];
let accepted = 0;
const runner = createConnectorRunner(config, {
  client: store.client,
  logger,
  clock,
  accept: async (source, events) => {
    const a = await ingest.accept(source, events);
    if (recording) {
      sent.push(events);
      accepted += a.accepted;
    }
    return a;
  },
});

const drained = async () => {
  for (;;) {
    const spool = (await ingest.ready()).checks.spool as { rows: number };
    if (spool.rows === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
};
// Round 0: Instagram shortcodes looked up, posts and first counters sent; not measured.
await runner.tick();
offset += 15 * 60_000 + 1000;
await runner.tick();
await drained();

recording = true;
const from = clock();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const roundMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  offset += 15 * 60_000 + 1000;
  const t = performance.now();
  await runner.tick();
  roundMs.push(Math.round(performance.now() - t));
}
const pollSeconds = (performance.now() - t0) / 1000;
await drained();
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const [log] = await (
  await store.client.query({
    query: `SELECT count() AS calls,
        sumIf(length(post_ids), endpoint IN ('videos.list', 'media.insights', 'video.query')) AS polls,
        countIf(outcome != 'ok') AS failed
      FROM connector_polls WHERE at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')`,
    query_params: { from },
    format: 'JSONEachRow',
  })
).json<{ calls: number; polls: number; failed: number }>();
writeFileSync(arg('out'), sent.map((events) => JSON.stringify(events)).join('\n') + '\n');
const polls = Number(log.polls);
process.stdout.write(
  `${RESULT_PREFIX}${JSON.stringify({
    posts: posts.length,
    rounds,
    round_ms: roundMs,
    calls: Number(log.calls),
    failed_calls: Number(log.failed),
    polls,
    events: accepted,
    batches: sent.length,
    poll_seconds: Math.round(pollSeconds * 100) / 100,
    polls_per_s: Math.round(polls / pollSeconds),
    events_per_s: Math.round(accepted / pollSeconds),
    cpu_seconds: Math.round(cpuSeconds * 100) / 100,
    cpu_us_per_poll: Math.round((cpuSeconds * 1e6) / polls),
    cpu_us_per_event: Math.round((cpuSeconds * 1e6) / accepted),
    peak_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  })}\n`,
);
await ingest.stop();
dims.stopRefresh();
await store.close();
process.exit(0);
