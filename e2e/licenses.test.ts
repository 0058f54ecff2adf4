// LICENCES: every installed production dependency (transitively, all workspaces) has a permissive licence.
import { describe, expect, it } from 'vitest';
import { checkLicences, permissive } from '../scripts/licenses.js';

describe('production dependency licences', () => {
  it('are all permissive: no GPL, AGPL, LGPL or unknown licence', () => {
    const { packages, refused, tally } = checkLicences();
    console.log(`${packages.length} production packages: ${JSON.stringify(tally)}`);
    expect(packages.length).toBeGreaterThan(50);
    for (const name of ['express', 'socket.io', 'zod', 'chdb', '@clickhouse/client', 'helmet', 'svelte', 'chart.js'])
      expect(
        packages.map((p) => p.name),
        name,
      ).toContain(name);
    expect(refused.map((p) => `${p.name}@${p.version}: ${p.licence}`)).toEqual([]);
  });

  it('reads SPDX expressions the strict way', () => {
    expect(permissive('MIT')).toBe(true);
    expect(permissive('(MIT OR GPL-3.0)')).toBe(true);
    expect(permissive('MIT AND GPL-2.0')).toBe(false);
    expect(permissive('GPL-3.0-or-later')).toBe(false);
    expect(permissive('AGPL-3.0')).toBe(false);
    expect(permissive('LGPL-2.1')).toBe(false);
    expect(permissive('UNKNOWN')).toBe(false);
    expect(permissive('SEE LICENSE IN LICENSE.txt')).toBe(false);
  });
});
