// npm run simulate -- --url http://localhost:8080 --key prk_… --speed 60 --minutes 30 --seed 42
// Plays the demo launch (or --launch file.json) against a running Pulseroom through its public API.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dimensionFile, describeZodError } from '@pulseroom/schema';
import { demoLaunch, type LaunchFile } from './demoLaunch.js';
import { LINK_HIT_MODES, runSimulation } from './simulate.js';

const USAGE = `usage: npm run simulate -- [options]
  --url <url>          Pulseroom base URL (default $PULSEROOM_URL or http://localhost:8080)
  --key <key>          source key for /v1/events and postbacks (default $PULSEROOM_SOURCE_KEY)
  --speed <n>          launch minutes per real minute: 1 = real time, 60 = a minute each second (default 1)
  --rate <n>           most events, link clicks and postbacks per second (default 500)
  --seed <n>           same seed, same launch and same event ids (default 42)
  --minutes <n>        launch minutes to play (default: play on until stopped)
  --start <when>       launch minute 0: ISO time, epoch ms, or "campaign" (the headline campaign's start)
  --launch <file>      dimension file (JSON) to play instead of the demo launch for the seed
  --link-hits <mode>   live (default): real GET /r/:code when launch time is now, click events when replaying;
                       always; never
  --print-launch       print the demo launch for the seed as JSON (for npm run load) and exit
  --json               print the final stats as JSON
  --quiet              no progress lines
  -h, --help`;

const flags = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://localhost:8080' }),
  key: z
    .string({ error: 'expected a source key: pass --key prk_… or set PULSEROOM_SOURCE_KEY' })
    .min(1, 'expected a source key: pass --key prk_… or set PULSEROOM_SOURCE_KEY'),
  speed: z.coerce
    .number({ error: 'expected a number > 0' })
    .positive('expected a number > 0')
    .max(100_000, 'expected at most 100000')
    .default(1),
  rate: z.coerce
    .number({ error: 'expected a number > 0' })
    .positive('expected a number > 0')
    .max(1_000_000, 'expected at most 1000000')
    .default(500),
  seed: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(0, 'expected a whole number ≥ 0')
    .max(2 ** 32 - 1, 'expected a number < 2^32')
    .default(42),
  minutes: z.coerce
    .number({ error: 'expected a number of minutes > 0' })
    .positive('expected a number of minutes > 0')
    .optional(),
  start: z.string().optional(),
  launch: z.string().optional(),
  'link-hits': z.enum(LINK_HIT_MODES, { error: `expected one of ${LINK_HIT_MODES.join(', ')}` }).default('live'),
});

function fail(msg: string): never {
  process.stderr.write(`simulate: ${msg}\n`);
  process.exit(2);
}

function readLaunch(path: string): LaunchFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot read --launch ${path}: ${(err as Error).message}`);
  }
  const r = dimensionFile.safeParse(raw);
  if (!r.success)
    fail(`--launch ${path} is not a valid dimension file:\n  ${describeZodError(r.error).split('\n').join('\n  ')}`);
  return raw as LaunchFile;
}

function parseStart(value: string, launch: LaunchFile): number {
  if (value === 'campaign') {
    const c = launch.campaigns?.[0];
    if (!c) fail('--start campaign: the launch has no campaign');
    return Date.parse(c.start);
  }
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) fail(`--start: expected an ISO time, epoch ms or "campaign" (got "${value}")`);
  if (ms > Date.now()) fail('--start: expected a time not in the future (events are never stamped ahead of the clock)');
  return ms;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        speed: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        minutes: { type: 'string' },
        start: { type: 'string' },
        launch: { type: 'string' },
        'link-hits': { type: 'string' },
        'print-launch': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  }
  try {
    args = parse();
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seedOnly = z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42)
    .safeParse(v.seed);
  if (v['print-launch']) {
    if (!seedOnly.success) fail('--seed: expected a whole number ≥ 0');
    process.stdout.write(`${JSON.stringify(demoLaunch({ now: Date.now(), seed: seedOnly.data }), null, 2)}\n`);
    return;
  }
  const parsed = flags.safeParse({
    url: v.url ?? process.env.PULSEROOM_URL ?? 'http://localhost:8080',
    key: v.key ?? process.env.PULSEROOM_SOURCE_KEY,
    speed: v.speed,
    rate: v.rate,
    seed: v.seed,
    minutes: v.minutes,
    start: v.start,
    launch: v.launch,
    'link-hits': v['link-hits'],
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`);
    fail(`${lines.join('\n  ')}\n${USAGE}`);
  }
  const o = parsed.data;
  const launch = o.launch ? readLaunch(o.launch) : demoLaunch({ now: Date.now(), seed: o.seed });
  const startAt = o.start ? parseStart(o.start, launch) : undefined;
  const controller = new AbortController();
  let stops = 0;
  const stop = () => {
    if (++stops > 1) process.exit(130);
    process.stderr.write('simulate: stopping (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const log = v.quiet ? undefined : (msg: string) => process.stderr.write(`simulate: ${msg}\n`);
  const stats = await runSimulation({
    baseUrl: o.url,
    sourceKey: o.key,
    launch,
    speed: o.speed,
    rate: o.rate,
    seed: o.seed,
    minutes: o.minutes,
    startAt,
    signal: controller.signal,
    log,
    linkHits: o['link-hits'],
  });
  if (v.json) process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
  if (stats.totals.sent > 0 && stats.totals.accepted + stats.totals.duplicates === 0) {
    fail(`nothing was accepted: ${stats.errors[0] ?? stats.rejections[0]?.message ?? 'see the log'}`);
  }
}

main().catch((err) => fail((err as Error).message));
