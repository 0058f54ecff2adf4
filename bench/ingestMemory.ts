// Bytes per entry of ingest's memories (event ids, clicks, orders, visitor × link click times): the compact state
// (ingest/src/state.ts) against the Map-of-strings state it replaced (git HEAD). Each case runs in its own process: 1 M
// entries, after a full GC. Usage: npx tsx bench/ingestMemory.ts [--n 1000000] [--old-ref HEAD]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Kind = 'ids' | 'clicks' | 'orders' | 'visitors';
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

async function child(kind: Kind, stateFile: string, n: number): Promise<void> {
  const { IngestState } = (await import(pathToFileURL(stateFile).href)) as typeof import('../ingest/src/state.js');
  const gc = (globalThis as { gc?: () => void }).gc!;
  const state = new IngestState({
    dedupeWindowMs: 1e12,
    dedupeMaxIds: n,
    maxClicks: n,
    maxOrders: n,
    startedAt: 0,
    replayedBatches: new Set(),
  });
  // strings as a parsed JSON body gives them: a new string per event, not shared literals
  const fresh = (s: string) => JSON.parse(JSON.stringify(s)) as string;
  const base = {
    event_id: '',
    source_id: 'src',
    received_at: 0,
    ts: 1_764_000_000_000,
    campaign_id: '',
    partner_id: '',
    bot: 0,
    status: 'approved',
    currency: 'EUR',
    orig_currency: 'EUR',
    attributed: 1,
    converted: 1,
  };
  gc();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const uid = `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-4a5b-8c9d-${i.toString(16).padStart(12, '0')}`;
    if (kind === 'ids') state.recent.add('src-shop', uid, 1_764_000_000_000 + i);
    else if (kind === 'clicks')
      state.rememberClick({
        click_id: `ck_${uid.slice(0, 16)}`,
        campaign_id: fresh('spring-drop'),
        partner_id: fresh('ana'),
        link_code: fresh('ana-spring'),
        ts: base.ts + i,
        bot: 0,
      });
    else if (kind === 'visitors') state.seedLastClick(`${uid}${uid}`.slice(0, 64), fresh('ana-spring'), base.ts + i);
    else
      state.apply({
        ...base,
        event_id: '',
        type: 'conversion',
        order_id: `ord-${uid.slice(0, 12)}`,
        campaign_id: fresh('spring-drop'),
        partner_id: fresh('ana'),
        amount_minor: 1000 + i,
        orig_amount_minor: 1000 + i,
        commission_minor: 100,
        status: fresh('approved'),
        currency: fresh('EUR'),
        orig_currency: fresh('EUR'),
      } as never);
  }
  const ms = performance.now() - t0;
  gc();
  const m1 = process.memoryUsage();
  // orders: apply() also adds the event id; leave it out of the figure
  let idBytes = 0;
  if (kind === 'orders') {
    gc();
    const before = process.memoryUsage();
    (state.recent as unknown as { prune(now: number): void; windowMs: number }).prune(Number.MAX_SAFE_INTEGER / 2);
    gc();
    const after = process.memoryUsage();
    idBytes = before.heapUsed + before.arrayBuffers - (after.heapUsed + after.arrayBuffers);
  }
  // backing stores of typed arrays dropped by ring growth are freed a little after the GC that finds them
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const m2 = process.memoryUsage();
  m1.arrayBuffers = m2.arrayBuffers;
  m1.heapUsed = m2.heapUsed;
  const tables = (state as { tableBytes?: () => Record<string, number> }).tableBytes?.();
  const bytes = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers) - idBytes;
  process.stdout.write(
    JSON.stringify({
      kind,
      n,
      bytes_per_entry: Math.round(bytes / n),
      rss_mb: Math.round((m1.rss - m0.rss) / 1e6),
      insert_ns_per_entry: Math.round((ms * 1e6) / n),
      ...(tables ? { table_bytes_per_entry: Math.round(tables[kind === 'ids' ? 'event_ids' : kind] / n) } : {}),
    }) + '\n',
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Kind, process.argv[4], Number(process.argv[5]));
  const n = Number(arg('n', '1000000'));
  const dir = mkdtempSync(join(tmpdir(), 'pulseroom-mem-'));
  // the old state, as committed (its imports are types only)
  const oldFile = join(dir, 'state.ts');
  writeFileSync(
    oldFile,
    execFileSync('git', ['show', `${arg('old-ref', 'HEAD')}:ingest/src/state.ts`], { encoding: 'utf8' }).replace(
      /from '\.\/(\w+)\.js'/g,
      (_m, f: string) => `from '${pathToFileURL(resolve('ingest/src', `${f}.ts`)).href}'`,
    ),
  );
  const newFile = resolve('ingest/src/state.ts');
  for (const kind of ['ids', 'clicks', 'orders', 'visitors'] as Kind[]) {
    for (const [label, file] of [
      ['before (Maps of strings)', oldFile],
      ['after (compact)', newFile],
    ]) {
      const r = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          '--max-old-space-size=4096',
          '--import',
          'tsx',
          'bench/ingestMemory.ts',
          '--child',
          kind,
          file,
          String(n),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      console.log(`${kind.padEnd(7)} ${label.padEnd(26)} ${r.stdout.trim()}`);
    }
  }
}

await main();
