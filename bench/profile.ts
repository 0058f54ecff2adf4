// `tsx bench/profile.ts <file.cpuprofile | dir>`: the top frames of a V8 CPU profile (from `npm run bench -- <name>
// --profile`) by self time, and by inclusive time per source file — what "where the time goes" in RESULTS.md is made
// from.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './lib/proc.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summarizeProfile(file: string, top = Number(process.env.TOP ?? 15)): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++)
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const where = url
      ? `${url.startsWith(ROOT) ? relative(ROOT, url) : url.replace(/.*node_modules\//, 'node_modules/')}:${n.callFrame.lineNumber + 1}`
      : '';
    return `${n.callFrame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    // Inclusive per top-level area: the first of our own files (or package) found walking up the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url;
      const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/) ?? url.match(/\/work\/main\/([^/]+\/src\/[^:]+)/);
      const key = m ? m[1] : null;
      if (key && !seen.has(key)) {
        seen.add(key);
        inclusiveByPackage.set(key, (inclusiveByPackage.get(key) ?? 0) + us);
      }
    }
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1)} %`;
  const lines = [`${relative(ROOT, file)}: ${(total / 1e6).toFixed(1)} s sampled`];
  lines.push('  self time:');
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${pct(us).padStart(7)}  ${k}`);
  lines.push('  inclusive, by package / source file:');
  for (const [k, us] of [...inclusiveByPackage].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${pct(us).padStart(7)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: tsx bench/profile.ts <file.cpuprofile | directory>');
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f))
    : [target];
  for (const f of files) process.stdout.write(summarizeProfile(f) + '\n\n');
}
