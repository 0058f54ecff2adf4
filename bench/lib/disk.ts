// The disk under the benchmarks' data directories (os.tmpdir(): every product, spool and chDB store of a run is made
// there): its filesystem (schema's dataDisk, as the product reads it at start-up) and what creating a file costs at
// the moment. ClickHouse writes ~45 files per insert into events and its two views, so a slow file create is paid on
// every flush (see schema/src/dataDisk.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataDisk } from '@pulseroom/schema/dataDisk';

export { dataDisk, type DataDisk } from '@pulseroom/schema/dataDisk';

/** Wall µs per file created (open, 1 byte, close) in a fresh directory under `dir`: median of 4 rounds of `n / 4`. */
export function fileCreateMicros(dir = tmpdir(), n = 200): number {
  const d = mkdtempSync(join(dir, 'pulseroom-bench-disk-'));
  try {
    const rounds: number[] = [];
    for (let r = 0; r < 4; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n / 4; i++) writeFileSync(join(d, `${r}-${i}`), 'x');
      rounds.push(((performance.now() - t0) * 1000) / (n / 4));
    }
    rounds.sort((a, b) => a - b);
    return Math.round((rounds[1] + rounds[2]) / 2);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** "/tmp: ext4 on /dev/vda (mounted at /), no journal" */
export function describeDisk(d: DataDisk): string {
  const journal = d.ext4_journal === null ? '' : d.ext4_journal ? ', with a journal' : ', no journal';
  return `${d.dir}: ${d.filesystem} on ${d.device} (mounted at ${d.mount})${journal}`;
}
