// Licence check: walks the installed production dependencies of every workspace (not devDependencies) and fails on
// copyleft (GPL, AGPL, LGPL) or unknown licences. `npx tsx scripts/licenses.ts` prints the tally; e2e/licenses.test.ts
// runs it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** SPDX ids we accept: permissive licences only. */
export const PERMISSIVE = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'Apache-2.0',
  'Unlicense',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Zlib',
  'Python-2.0',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'WTFPL',
]);

interface Manifest {
  name?: string;
  version?: string;
  license?: string | { type?: string };
  licenses?: ({ type?: string } | string)[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  workspaces?: string[];
}

export interface PackageLicence {
  name: string;
  version: string;
  licence: string;
  path: string;
}

const read = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

function licenceOf(m: Manifest): string {
  if (typeof m.license === 'string') return m.license;
  if (m.license && typeof m.license === 'object' && m.license.type) return m.license.type;
  if (Array.isArray(m.licenses) && m.licenses.length > 0)
    return m.licenses.map((l) => (typeof l === 'string' ? l : (l.type ?? 'UNKNOWN'))).join(' OR ');
  return 'UNKNOWN';
}

/** Is an SPDX expression acceptable? OR: one permissive option suffices; AND: every part must be. */
export function permissive(expr: string): boolean {
  const e = expr.trim().replace(/^\((.*)\)$/, '$1');
  if (/\bOR\b/.test(e)) return e.split(/\s+OR\s+/).some(permissive);
  if (/\bAND\b/.test(e)) return e.split(/\s+AND\s+/).every(permissive);
  return PERMISSIVE.has(e.replace(/\+$/, ''));
}

/** Node's resolution: the package as seen from `fromDir`, looking up through node_modules folders. */
function locate(name: string, fromDir: string): string | null {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Every installed production dependency of the workspaces, transitively. */
export function productionLicences(root = ROOT): PackageLicence[] {
  const rootManifest = read(join(root, 'package.json'));
  const workspaces = (rootManifest.workspaces ?? []).map((w) => join(root, w));
  const seen = new Map<string, PackageLicence>();
  const queue: { manifestDir: string; deps: string[] }[] = workspaces.map((dir) => {
    const m = read(join(dir, 'package.json'));
    return { manifestDir: dir, deps: Object.keys({ ...m.dependencies, ...m.optionalDependencies }) };
  });
  const workspaceNames = new Set(workspaces.map((dir) => read(join(dir, 'package.json')).name));
  while (queue.length > 0) {
    const { manifestDir, deps } = queue.shift()!;
    for (const dep of deps) {
      const file = locate(dep, manifestDir);
      if (!file) continue; // an optional dependency for another platform
      const dir = dirname(file);
      if (seen.has(dir)) continue;
      const m = read(file);
      if (workspaceNames.has(m.name)) {
        seen.set(dir, { name: m.name!, version: m.version ?? '', licence: 'workspace', path: dir });
        continue;
      }
      seen.set(dir, { name: m.name ?? dep, version: m.version ?? '', licence: licenceOf(m), path: dir });
      const optionalPeers = Object.entries(m.peerDependenciesMeta ?? {})
        .filter(([, v]) => v.optional)
        .map(([k]) => k);
      const next = Object.keys({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies }).filter(
        (d) => !optionalPeers.includes(d),
      );
      queue.push({ manifestDir: dir, deps: next });
    }
  }
  return [...seen.values()]
    .filter((p) => p.licence !== 'workspace')
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function checkLicences(root = ROOT): {
  packages: PackageLicence[];
  refused: PackageLicence[];
  tally: Record<string, number>;
} {
  const packages = productionLicences(root);
  const refused = packages.filter((p) => !permissive(p.licence));
  const tally: Record<string, number> = {};
  for (const p of packages) tally[p.licence] = (tally[p.licence] ?? 0) + 1;
  return { packages, refused, tally };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { packages, refused, tally } = checkLicences();
  process.stdout.write(
    `${packages.length} production packages: ${Object.entries(tally)
      .sort((a, b) => b[1] - a[1])
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')}\n`,
  );
  for (const p of refused) process.stdout.write(`REFUSED ${p.name}@${p.version}: ${p.licence} (${p.path})\n`);
  process.exit(refused.length > 0 ? 1 : 0);
}
