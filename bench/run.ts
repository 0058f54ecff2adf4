// `npm run bench [-- name …] [-- --profile]` (or `-- --render`): runs the benchmarks one after another (each starts
// what it measures, drives it from a separate load process and stops it), then writes bench/results/latest.json and
// bench/RESULTS.md.
import { execSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BENCH, spawnTs } from './lib/proc.js';
import { dataDisk, describeDisk, fileCreateMicros, type DataDisk } from './lib/disk.js';
import { renderResults } from './lib/report.js';
import type { BenchContext, BenchResult } from './lib/types.js';

const BENCHMARKS = [
  'ingest',
  'live',
  'fanout',
  'tick',
  'link',
  'web',
  'sentiment',
  'webhooks',
  'payouts',
  'connectors',
] as const;
type Name = (typeof BENCHMARKS)[number];

export interface Machine {
  cores: number;
  cpu: string;
  memory_gb: number;
  node: string;
  chdb_engine: string;
  load_average_at_start: number[];
  date: string;
  /** The code measured: HEAD and whether the working tree had changes on top of it. */
  git: string;
  /**
   * Where the products', spools' and stores' data directories go (os.tmpdir()), and a file create there at the start.
   */
  data_disk: DataDisk;
  file_create_us_at_start: number;
}

export interface ResultsFile {
  machine: Machine;
  /** Per benchmark: its last result and when it ran (a partial run keeps the others' previous results). */
  benchmarks: Partial<Record<Name, BenchResult & { date: string; load_average: number[]; file_create_us: number }>>;
}

const args = process.argv.slice(2);
const profile = args.includes('--profile');
const names = args.filter((a) => !a.startsWith('--'));
for (const n of names)
  if (!(BENCHMARKS as readonly string[]).includes(n))
    throw new Error(`unknown benchmark "${n}"; expected one of ${BENCHMARKS.join(', ')}`);
const selected: Name[] = names.length ? (names as Name[]) : [...BENCHMARKS];

const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
const ctx = (name: string): BenchContext => ({ cpuProfile: profile, log: (m) => log(`[${name}] ${m}`) });

function gitState(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: BENCH, encoding: 'utf8' }).trim();
    const dirty =
      execSync('git status --porcelain --untracked-files=no', { cwd: BENCH, encoding: 'utf8' }).trim().length > 0;
    return `${head}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

// `npm run bench -- --render`: rewrites bench/RESULTS.md from latest.json and analysis.md, running nothing.
if (args.includes('--render')) {
  const latest = join(BENCH, 'results', 'latest.json');
  writeFileSync(join(BENCH, 'RESULTS.md'), renderResults(JSON.parse(readFileSync(latest, 'utf8')) as ResultsFile));
  log('rendered bench/RESULTS.md');
  process.exit(0);
}

const started = Date.now();
// Every data directory of the run (products, spools, stores; this process's and its children's) goes under one
// directory, removed once the last benchmark is done: see discardDir (bench/lib/proc.ts) for why not before.
const runDir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-run-'));
process.env.TMPDIR = runDir;
process.env.PULSEROOM_BENCH_RUN_DIR = runDir;
const removeRunDir = () => rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeRunDir();
    process.exit(130);
  });
}
const versionChild = spawnTs('version', 'bench/targets/engineVersion.ts');
const { version } = await versionChild.result<{ version: string }>(60_000);
const machine: Machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memory_gb: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  chdb_engine: version,
  load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  date: new Date().toISOString(),
  git: gitState(),
  data_disk: dataDisk(dirname(runDir)),
  file_create_us_at_start: fileCreateMicros(),
};
log(
  `machine: ${machine.cores} cores, Node ${machine.node}, chDB engine ${machine.chdb_engine}, load ${machine.load_average_at_start.join(' ')}`,
);
log(
  `data directories in ${describeDisk(machine.data_disk)}; a file create takes ${machine.file_create_us_at_start} µs`,
);

const resultsDir = join(BENCH, 'results');
mkdirSync(resultsDir, { recursive: true });
const latestPath = join(resultsDir, 'latest.json');
const previous: ResultsFile | null = existsSync(latestPath)
  ? (JSON.parse(readFileSync(latestPath, 'utf8')) as ResultsFile)
  : null;
const file: ResultsFile = { machine, benchmarks: { ...(previous?.benchmarks ?? {}) } };

let failed = 0;
for (const name of selected) {
  log(`── ${name}`);
  const at = new Date().toISOString();
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const fileCreateUs = fileCreateMicros();
  try {
    const mod = (await import(`./${name}.ts`)) as { run(c: BenchContext): Promise<BenchResult> };
    const result = await mod.run(ctx(name));
    file.benchmarks[name] = { ...result, date: at, load_average: load, file_create_us: fileCreateUs };
    for (const f of result.figures) {
      log(
        `[${name}] ${f.metric}: ${f.value} ${f.unit}${f.baseline ? ` | baseline ${f.baseline.value} (${f.baseline.label})` : ''}${f.ratio != null ? ` | ratio ${f.ratio}` : ''}${f.target ? ` | target ${f.target}: ${f.met === true ? 'met' : f.met === false ? 'MISSED' : 'n/a'}` : ''}`,
      );
    }
    log(`[${name}] peak RSS MB: ${JSON.stringify(result.memory)} (${result.seconds} s)`);
  } catch (e) {
    failed++;
    log(`[${name}] FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  // Written after each benchmark: a later failure keeps what was measured.
  writeFileSync(latestPath, JSON.stringify(file, null, 2) + '\n');
  writeFileSync(join(BENCH, 'RESULTS.md'), renderResults(file));
}
removeRunDir();
log(
  `done in ${Math.round((Date.now() - started) / 1000)} s${failed ? `, ${failed} failed` : ''}: bench/results/latest.json, bench/RESULTS.md`,
);
process.exit(failed ? 1 : 0);
