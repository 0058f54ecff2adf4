// The filesystem under the embedded store's data directory, and whether it will make ClickHouse slow.
// ClickHouse writes a part of ~11–20 files per table per insert (~45 per insert into events and its two views) and
// removes merged parts. On an ext4 without a journal each file create also walks the inodes freed in the last minutes
// (the kernel's `recently_deleted` check, skipped when there is a journal), which those merges keep freeing: each
// create costs many times what it costs on a journaled ext4 (measured in bench/analysis.md).
import { readFileSync, realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { StoreConfig } from './config.js';

export interface DataDisk {
  dir: string;
  mount: string;
  filesystem: string;
  device: string;
  /** For ext4: whether it has a journal; null for other filesystems or when it cannot be told. */
  ext4_journal: boolean | null;
}

/** Undoes the octal escapes (`\040` for a space…) of /proc/self/mountinfo fields. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

type Mount = Pick<DataDisk, 'mount' | 'filesystem' | 'device'>;
/** What is said of a directory whose mount cannot be read. */
const UNKNOWN_MOUNT: Mount = Object.freeze({ mount: '/', filesystem: 'unknown', device: 'unknown' });

/** The mount (longest mount point containing `dir`, an absolute real path) of a /proc/self/mountinfo text. */
export function mountOf(mountinfo: string, dir: string): Mount {
  let best: Mount = { ...UNKNOWN_MOUNT, mount: '' };
  for (const line of mountinfo.split('\n')) {
    // "36 35 98:0 /root /mnt rw,noatime master:1 - ext4 /dev/vda rw": field 5 is the mount point; after " - " the type
    // and source
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const point = left.split(' ')[4];
    if (!point) continue;
    const mount = unescape(point);
    const inside = dir === mount || dir.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
    const [filesystem, device] = right.split(' ');
    if (inside && mount.length >= best.mount.length)
      best = { mount, filesystem, device: unescape(device ?? 'unknown') };
  }
  return best.mount ? best : UNKNOWN_MOUNT;
}

/** Reads the kernel's view of `dir`'s filesystem (Linux; elsewhere the filesystem is "unknown"). */
export function dataDisk(dir: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): DataDisk {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // not created yet: its own path
  }
  let m = UNKNOWN_MOUNT;
  try {
    m = mountOf(read('/proc/self/mountinfo'), real);
  } catch {
    // no /proc
  }
  let journal: boolean | null = null;
  if (m.filesystem === 'ext4') {
    try {
      // the journal thread's pid, or "<none>" for an ext4 without a journal
      journal = read(`/sys/fs/ext4/${basename(m.device)}/journal_task`).trim() !== '<none>';
    } catch {
      // not exposed: cannot be told
    }
  }
  return { dir: real, ...m, ext4_journal: journal };
}

/** A warning for a person when the disk will slow the store down, or null. */
export function slowDiskWarning(d: DataDisk): string | null {
  if (d.filesystem !== 'ext4' || d.ext4_journal !== false) return null;
  return (
    `the data directory ${d.dir} is on an ext4 without a journal (${d.device}, mounted at ${d.mount}): there every file ` +
    'ClickHouse creates (~45 per insert) walks the inodes its merges freed, 4–40× slower than on a journaled ext4. ' +
    'Inserts cost more CPU and live updates come later under load; a filesystem with a journal (ext4 by default, xfs) avoids it.'
  );
}

/**
 * slowDiskWarning for the embedded store of `config` (none in server mode: the ClickHouse server's disk is its own).
 */
export function storeDiskWarning(config: Pick<StoreConfig, 'CLICKHOUSE_URL' | 'PULSEROOM_DATA_DIR'>): string | null {
  return config.CLICKHOUSE_URL ? null : slowDiskWarning(dataDisk(resolve(config.PULSEROOM_DATA_DIR)));
}
