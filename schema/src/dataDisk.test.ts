import { describe, expect, it } from 'vitest';
import { dataDisk, mountOf, slowDiskWarning, storeDiskWarning } from './dataDisk.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '23 22 0:21 / /dev/shm rw,nosuid,nodev shared:2 - tmpfs tmpfs rw',
  '40 22 7:0 / /mnt/fast\\040disk rw,relatime shared:3 - ext4 /dev/loop0 rw',
  '41 22 0:40 / /mnt/x rw - xfs /dev/sdb1 rw',
].join('\n');

describe('the data directory disk', () => {
  it('finds the longest mount point holding the directory, escapes undone', () => {
    expect(mountOf(MOUNTINFO, '/var/lib/pulseroom')).toEqual({ mount: '/', filesystem: 'ext4', device: '/dev/vda' });
    expect(mountOf(MOUNTINFO, '/mnt/fast disk/data')).toEqual({
      mount: '/mnt/fast disk',
      filesystem: 'ext4',
      device: '/dev/loop0',
    });
    expect(mountOf(MOUNTINFO, '/mnt/fast disk')).toEqual({
      mount: '/mnt/fast disk',
      filesystem: 'ext4',
      device: '/dev/loop0',
    });
    // a sibling whose name starts like a mount point is not inside it
    expect(mountOf(MOUNTINFO, '/mnt/xy/data')).toEqual({ mount: '/', filesystem: 'ext4', device: '/dev/vda' });
    expect(mountOf(MOUNTINFO, '/dev/shm/p')).toEqual({ mount: '/dev/shm', filesystem: 'tmpfs', device: 'tmpfs' });
    expect(mountOf('', '/data')).toEqual({ mount: '/', filesystem: 'unknown', device: 'unknown' });
  });

  it('tells an ext4 without a journal (journal_task "<none>") from one with a journal, and warns only for the first', () => {
    const files = (journal: Record<string, string>) => (path: string) => {
      if (path === '/proc/self/mountinfo') return MOUNTINFO;
      if (path in journal) return journal[path];
      throw new Error(`ENOENT: ${path}`);
    };
    const bare = dataDisk('/srv/pulseroom-does-not-exist', files({ '/sys/fs/ext4/vda/journal_task': '<none>\n' }));
    expect(bare).toMatchObject({ filesystem: 'ext4', device: '/dev/vda', ext4_journal: false });
    expect(slowDiskWarning(bare)).toMatch(
      /^the data directory \/srv\/pulseroom-does-not-exist is on an ext4 without a journal \(\/dev\/vda, mounted at \/\)/,
    );

    const journaled = dataDisk('/mnt/fast disk/data', files({ '/sys/fs/ext4/loop0/journal_task': '25355\n' }));
    expect(journaled.ext4_journal).toBe(true);
    expect(slowDiskWarning(journaled)).toBeNull();

    const unknown = dataDisk('/srv/p', files({}));
    expect(unknown.ext4_journal).toBeNull();
    expect(slowDiskWarning(unknown)).toBeNull();
    expect(slowDiskWarning(dataDisk('/mnt/x/p', files({})))).toBeNull();
  });

  it('says nothing in server mode: the ClickHouse server keeps its own disk', () => {
    expect(storeDiskWarning({ CLICKHOUSE_URL: 'http://localhost:8123', PULSEROOM_DATA_DIR: '/' })).toBeNull();
  });
});
