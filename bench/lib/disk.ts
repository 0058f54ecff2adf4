// The disk under the benchmarks' data directories (os.tmpdir(): every product, spool and chDB store of a run is made
// there): its filesystem, whether an ext4 keeps a journal, and what creating a file costs at the moment.
// ClickHouse writes ~45 files per insert into events and its two views (a part of ~11–20 files each), so a slow file
// create is paid on every flush. On ext4 without a journal each create also walks the inodes freed in the last minute
// (the kernel's `recently_deleted` check, skipped when there is a journal), which ClickHouse's merges keep freeing:
// seen here at 150–770 µs a create, against ~30 µs on a journaled ext4 on the same disk.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface DataDisk {
  dir: string;
  mount: string;
  filesystem: string;
  device: string;
  /** For ext4: whether it has a journal (from /sys/fs/ext4/<device>/journal_task); null for other filesystems or unknown. */
  ext4_journal: boolean | null;
}

/** Undoes the octal escapes (\040 for a space…) of /proc/self/mountinfo fields. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function dataDisk(dir = tmpdir()): DataDisk {
  const real = realpathSync(dir);
  let best = { mount: '/', filesystem: 'unknown', device: 'unknown' };
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      // "36 35 98:0 /root /mnt rw,noatime master:1 - ext4 /dev/vda rw": field 5 is the mount point, then after " - " the type and source
      const [left, right] = line.split(' - ');
      if (!right) continue;
      const mount = unescape(left.split(' ')[4]);
      const [filesystem, device] = right.split(' ');
      const inside = real === mount || real.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, filesystem, device: unescape(device) };
    }
  } catch {
    // not Linux: the filesystem stays unknown
  }
  let ext4Journal: boolean | null = null;
  if (best.filesystem === 'ext4') {
    try {
      ext4Journal = readFileSync(`/sys/fs/ext4/${basename(best.device)}/journal_task`, 'utf8').trim() !== '<none>';
    } catch {
      ext4Journal = null;
    }
  }
  return { dir: real, ...best, ext4_journal: ext4Journal };
}

/** Wall µs per file created (open, 1 byte, close) in a fresh directory under `dir`, median of 4 rounds of `n / 4`. */
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

/** "ext4 on /dev/vda (/), no journal" */
export function describeDisk(d: DataDisk): string {
  const journal = d.ext4_journal === null ? '' : d.ext4_journal ? ', with a journal' : ', no journal';
  return `${d.dir}: ${d.filesystem} on ${d.device} (mounted at ${d.mount})${journal}`;
}
