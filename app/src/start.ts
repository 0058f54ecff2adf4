// `npm start`: the whole product in one process on the embedded store — ingest, live server, web app — with a launch
// simulator.
import { spawnSync } from 'node:child_process';
import proxyaddr from 'proxy-addr';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, describeZodError } from '@pulseroom/schema';
import {
  applyMigrations,
  createSource,
  createToken,
  DimensionCache,
  newSecret,
  openStore,
  storeDiskWarning,
  upsertCampaigns,
  upsertDeals,
  upsertPartners,
} from '@pulseroom/schema/server';
import { loadIngestConfig } from '@pulseroom/ingest';
import {
  demoLaunch,
  HEADLINE_CAMPAIGN_ID,
  LAUNCH_LEAD_MS,
  MANAGER_NAMES,
  MANAGERS,
  runSimulation,
  type LaunchFile,
} from '@pulseroom/simulator';
import { loadServerConfig } from '@pulseroom/server';
import { createOneProcessProduct } from './oneProcess.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB_DIR = join(ROOT, 'web', 'dist');

const flagsSchema = z.object({
  sim: z.boolean(),
  speed: z.coerce
    .number({ error: 'expected a number > 0' })
    .positive('expected a number > 0')
    .max(3600, 'expected at most 3600'),
  rate: z.coerce
    .number({ error: 'expected a number > 0' })
    .int('expected a whole number')
    .positive('expected a number > 0')
    .max(100_000),
  seed: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number'),
  /**
   * Minutes ago the demo launch began (first run only): 3 shows launch minute now; more replays the start at catch-up
   * speed.
   */
  launchAgo: z.coerce
    .number({ error: 'expected minutes ≥ 3' })
    .min(3, 'expected minutes ≥ 3')
    .max(7 * 24 * 60, 'expected at most a week of minutes'),
});

/**
 * What the demo keeps between restarts: the launch it loaded and the secrets it printed (only hashes are in
 * ClickHouse).
 */
const demoState = z.object({
  seed: z.number(),
  created_at: z.number(),
  launch: z.record(z.string(), z.unknown()),
  source_key: z.string(),
  admin_token: z.string(),
  tokens: z.object({ viewer: z.string(), manager: z.string(), manager_id: z.string(), wall: z.string() }),
  /** Launch time up to which the simulator already made link visits and postbacks (they are not idempotent). */
  sim_progress: z.number().optional(),
});
type DemoState = z.infer<typeof demoState>;

function parseFlags() {
  const { values } = parseArgs({
    options: {
      'no-sim': { type: 'boolean', default: false },
      speed: { type: 'string', default: '1' },
      rate: { type: 'string', default: '400' },
      seed: { type: 'string', default: '42' },
      'launch-ago': { type: 'string', default: String(LAUNCH_LEAD_MS / 60_000) },
    },
    strict: true,
  });
  const parsed = flagsSchema.safeParse({
    sim: !values['no-sim'],
    speed: values.speed,
    rate: values.rate,
    seed: values.seed,
    launchAgo: values['launch-ago'],
  });
  if (!parsed.success)
    throw new ConfigError(
      `invalid flags:\n  ${describeZodError(parsed.error).replace(/^/gm, '--').split('\n').join('\n  ')}`,
    );
  return parsed.data;
}

/** Newest modification time under a directory (to rebuild the web app only when its sources changed). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

function buildWebIfNeeded(log: (m: string) => void): void {
  const index = join(WEB_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(join(ROOT, 'web', 'src')),
    statSync(join(ROOT, 'web', 'index.html')).mtimeMs,
    newestMtime(join(ROOT, 'schema', 'src')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  log('building the web app (first start or sources changed)…');
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: join(ROOT, 'web'), stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('the web app did not build (npm run build shows why)');
}

async function main(): Promise<void> {
  const flags = parseFlags();
  // The demo's console is for a person: warnings and errors only, unless LOG_LEVEL asks for more.
  const env = { LOG_LEVEL: 'warn', ...process.env };
  const serverConfig = loadServerConfig(env);
  const ingestConfig = loadIngestConfig(env);
  const logger = pino({ level: serverConfig.LOG_LEVEL, base: { service: 'pulseroom' } });
  const say = (m: string) => process.stdout.write(`${m}\n`);
  if (ingestConfig.CLICKHOUSE_URL)
    say('note: CLICKHOUSE_URL is set — `npm start` uses it; run start:ingest and start:server for separate processes.');

  buildWebIfNeeded(say);

  const diskWarning = storeDiskWarning(serverConfig);
  if (diskWarning) say(`note: ${diskWarning}`);
  const store = await openStore(serverConfig);
  await applyMigrations(store.client);

  const dataDir = resolve(serverConfig.PULSEROOM_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const statePath = join(dataDir, 'demo.json');
  let state: DemoState;
  if (existsSync(statePath)) {
    state = demoState.parse(JSON.parse(readFileSync(statePath, 'utf8')));
  } else {
    // First run: load the demo launch and make its keys and tokens once.
    const launch = demoLaunch({ now: Date.now() - (flags.launchAgo * 60_000 - LAUNCH_LEAD_MS), seed: flags.seed });
    await upsertCampaigns(store.client, launch.campaigns as never);
    await upsertPartners(store.client, launch.partners as never);
    await upsertDeals(store.client, launch.deals as never);
    const campaignIds = (launch.campaigns ?? []).map((c) => c.id);
    const source = await createSource(store.client, {
      id: 'demo-simulator',
      name: 'demo launch simulator',
      campaign_ids: campaignIds,
    });
    const managerId = MANAGERS[0];
    const adminToken = serverConfig.PULSEROOM_ADMIN_TOKEN ?? newSecret('prt');
    if (!serverConfig.PULSEROOM_ADMIN_TOKEN)
      await createToken(store.client, { role: 'admin', label: 'demo admin', token: adminToken });
    state = {
      seed: flags.seed,
      created_at: Date.now(),
      launch: launch as Record<string, unknown>,
      source_key: source.key,
      admin_token: adminToken,
      tokens: {
        viewer: (await createToken(store.client, { role: 'viewer', campaign_ids: campaignIds, label: 'demo war room' }))
          .token,
        manager: (
          await createToken(store.client, { role: 'manager', manager_id: managerId, label: MANAGER_NAMES[managerId] })
        ).token,
        manager_id: managerId,
        wall: (
          await createToken(store.client, { role: 'wall', campaign_ids: [HEADLINE_CAMPAIGN_ID], label: 'demo TV wall' })
        ).token,
      },
    };
  }
  const saveState = () => {
    writeFileSync(statePath, JSON.stringify(state, null, 1));
    chmodSync(statePath, 0o600);
  };
  saveState();

  const dims = await DimensionCache.open(store.client, serverConfig.PULSEROOM_DIMENSIONS_REFRESH_MS);
  const product = await createOneProcessProduct({
    store,
    dims,
    ingestConfig,
    serverConfig: { ...serverConfig, PULSEROOM_ADMIN_TOKEN: serverConfig.PULSEROOM_ADMIN_TOKEN ?? state.admin_token },
    logger,
    webDir: WEB_DIR,
    trustProxy: proxyaddr.compile('loopback'),
  });
  const { http } = product;
  await product.start();
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(serverConfig.PORT, ok);
  });

  const base = `http://localhost:${serverConfig.PORT}`;
  say('');
  say(`Pulseroom is running at ${base}  (data in ${dataDir})`);
  say('');
  say(`  War room        ${base}/campaigns/${HEADLINE_CAMPAIGN_ID}?token=${state.tokens.viewer}`);
  say(`  Account manager ${base}/me?token=${state.tokens.manager}   (${state.tokens.manager_id})`);
  say(`  TV wall         ${base}/wall/${HEADLINE_CAMPAIGN_ID}?token=${state.tokens.wall}`);
  say('');
  say(`  Admin token     ${state.admin_token}`);
  say(`  Ingest key      ${state.source_key}   (POST ${base}/v1/events)`);
  say('');

  const abort = new AbortController();
  let sim: Promise<unknown> = Promise.resolve();
  let progressTimer: NodeJS.Timeout | null = null;
  let lastProgress = 0;
  if (flags.sim) {
    const resumeAfter = state.sim_progress;
    say(
      `Simulating the launch (speed ${flags.speed}×, seed ${state.seed})${resumeAfter ? ', resuming where it stopped' : ''}. Ctrl-C stops.`,
    );
    // Link visits and postbacks up to "now" are done once the simulator has caught up; remember that for a restart.
    progressTimer = setInterval(() => {
      state.sim_progress = Date.now() - 5_000;
      saveState();
    }, 10_000);
    progressTimer.unref();
    sim = runSimulation({
      baseUrl: `http://127.0.0.1:${serverConfig.PORT}`,
      sourceKey: state.source_key,
      launch: state.launch as LaunchFile,
      speed: flags.speed,
      rate: flags.rate,
      seed: state.seed,
      signal: abort.signal,
      resumeAfter,
      log: (m) => {
        logger.info({ part: 'simulator' }, m);
        // Progress once a minute in plain words; anything else the simulator says, as it comes.
        const progress = m.startsWith('launch minute');
        if (!progress || Date.now() - lastProgress >= 60_000) {
          if (progress) lastProgress = Date.now();
          say(`simulator: ${m}`);
        }
      },
    }).catch((e: unknown) => {
      if (!abort.signal.aborted) say(`simulator stopped: ${e instanceof Error ? e.message : String(e)}`);
    });
  } else {
    say('Started without the simulator (--no-sim). Ctrl-C stops.');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    say(`\n${signal}: stopping — flushing the spool…`);
    abort.abort();
    if (progressTimer) clearInterval(progressTimer);
    // The simulator's requests in flight get a moment to finish; nothing it has not sent yet is lost (it replays by
    // seed).
    await Promise.race([sim, new Promise((r) => setTimeout(r, 3_000))]);
    if (flags.sim) {
      state.sim_progress = Date.now() - 5_000;
      saveState();
    }
    await product.stop();
    dims.stopRefresh();
    await store.close();
    say('stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(`error: ${e.message}\n`);
  else if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
    process.stderr.write(`error: port in use — set PORT to another port (e.g. PORT=8090 npm start)\n`);
  else process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
