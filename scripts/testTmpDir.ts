// Vitest global setup: the whole run's temporary files (each test process's chDB data directory, spools, the e2e
// products' data and Chromium's profiles) go under one directory, removed when the run ends. Test processes are
// forked after this runs and inherit TMPDIR, so every `mkdtempSync(join(tmpdir(), …))` lands in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'pulseroom-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (process.env.PULSEROOM_KEEP_TEST_TMP) {
      console.log(`test files kept in ${dir}`);
      return;
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch (err) {
      // A process still writing there (a leaked child) must not fail a run whose tests passed.
      console.warn(`could not remove the test run's temporary directory ${dir}: ${(err as Error).message}`);
    }
  };
}
