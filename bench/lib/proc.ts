// Child processes of the benchmarks: start a TypeScript entry point under tsx, exchange one JSON result, read its peak
// RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '@pulseroom/schema/testing';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH = join(ROOT, 'bench');
/** Marks the line a child prints with its result (stdout stays free for logs). */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface Child {
  proc: ChildProcess;
  name: string;
  output(): string;
  /** Resolves with the first stdout/stderr text matching `re` (rejects on exit or timeout). */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** The JSON a child printed after RESULT_PREFIX (rejects if it exits without one, or after `ms`). */
  result<T>(ms: number): Promise<T>;
  /**
   * Writes a line to the child's stdin (spawned with `stdin: true`) and resolves with the JSON the child answers it
   * with (`answerAsks`).
   */
  ask<T>(line: string, ms: number): Promise<T>;
  /** Peak resident set (MB) so far, from /proc (VmHWM); null once exited. */
  peakRssMb(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  nodeArgs?: string[];
  /** Echo the child's output to ours (prefixed). */
  echo?: boolean;
  /** Give the child a stdin pipe (`Child.ask`), for benchmarks that drive a child step by step. */
  stdin?: boolean;
}

/** Runs `file` (relative to the repo root) with node --import tsx. */
export function spawnTs(name: string, file: string, opts: SpawnOptions = {}): Child {
  const proc = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, file), ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env },
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    const s = d.toString();
    out += s;
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    if (opts.echo) process.stderr.write(s.replace(/^(?!$)/gm, `  [${name}] `));
    for (const l of listeners) l();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let exited = false;
  let exitCode: number | null = null;
  const exit = new Promise<number | null>((ok) =>
    proc.once('exit', (code, signal) => {
      exited = true;
      exitCode = code ?? (signal ? 128 : null);
      for (const l of listeners) l();
      ok(exitCode);
    }),
  );
  let lastPeak: number | null = null;
  let asked = 0;

  const watch = <T>(check: () => T | undefined, ms: number, what: string) =>
    new Promise<T>((ok, fail) => {
      const done = () => {
        listeners.delete(poll);
        clearTimeout(timer);
      };
      const poll = () => {
        const v = check();
        if (v !== undefined) {
          done();
          ok(v);
        } else if (exited) {
          done();
          fail(new Error(`${name} exited (${exitCode}) before ${what}:\n${out.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`${name}: no ${what} within ${ms} ms:\n${out.slice(-3000)}`));
      }, ms);
      listeners.add(poll);
      poll();
    });

  const child: Child = {
    proc,
    name,
    output: () => out,
    waitFor: (re, ms) => watch(() => out.match(re) ?? undefined, ms, `output matching ${re}`),
    result: <T>(ms: number) =>
      watch(
        () => {
          const i = out.indexOf(RESULT_PREFIX);
          if (i < 0) return undefined;
          const end = out.indexOf('\n', i);
          if (end < 0) return undefined;
          return JSON.parse(out.slice(i + RESULT_PREFIX.length, end)) as T;
        },
        ms,
        'result',
      ),
    ask<T>(line: string, ms: number) {
      const n = ++asked;
      const re = new RegExp(`^${ANSWER_PREFIX}${n} (.*)$`, 'm');
      proc.stdin!.write(`${n} ${line}\n`);
      return watch(
        () => {
          const m = re.exec(out);
          return m ? (JSON.parse(m[1]) as T) : undefined;
        },
        ms,
        `answer ${n} to "${line}"`,
      );
    },
    peakRssMb() {
      if (exited || proc.pid === undefined) return lastPeak;
      try {
        const m = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
        if (m) lastPeak = Math.round(Number(m[1]) / 1024);
      } catch {
        /* gone */
      }
      return lastPeak;
    },
    async stop(graceMs = 15_000) {
      child.peakRssMb();
      if (exited) return exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => !exited && proc.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(t);
      return code;
    },
  };
  return child;
}

/** Marks a child's answer to one `Child.ask` line: `BENCH_ANSWER <n> <json>`. */
export const ANSWER_PREFIX = 'BENCH_ANSWER ';

/**
 * In a child: answers each `<n> <command>` line its parent asks (see `Child.ask`) with what `handle` returns, in order.
 */
export function answerAsks(handle: (command: string) => Promise<unknown>): Promise<void> {
  return new Promise((done) => {
    let buffered = '';
    let chain = Promise.resolve();
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [n, ...rest] = line.split(' ');
        chain = chain.then(async () => {
          process.stdout.write(`${ANSWER_PREFIX}${n} ${JSON.stringify(await handle(rest.join(' ')))}\n`);
        });
      }
    });
    process.stdin.on('end', () => void chain.then(done));
  });
}

/** Prints the result line a parent's `Child.result()` waits for. */
export function sendResult(value: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(value)}\n`);
}

/** CPU seconds (user + system, all threads) a live process has used so far, from /proc; null once it is gone. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** The peak RSS (MB) of this process. */
export function ownPeakRssMb(): number {
  const m = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 1048576);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Removes a data directory a benchmark is done with — inside `npm run bench`, leaves it for the run to remove at its
 * end (bench/run.ts points TMPDIR at a directory of its own). Deleting a store of thousands of files makes every file
 * create on an ext4 without a journal walk the freed inodes for minutes (measured here: 333 µs a create before
 * deleting 20,000 files, 481 µs right after, 1,213 µs 20 s later), and ClickHouse creates ~45 files per insert: the
 * next benchmark would pay for the last one's clean-up.
 */
export function discardDir(dir: string): void {
  const runDir = process.env.PULSEROOM_BENCH_RUN_DIR;
  if (runDir && resolve(dir).startsWith(`${runDir}/`)) return;
  rmSync(dir, { recursive: true, force: true });
}
