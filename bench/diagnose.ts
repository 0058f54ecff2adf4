// `npx tsx bench/diagnose.ts`: an A/B behind the ingest figure — the same load with the launch mix, then without
// conversions and refunds (the events whose enrichment queries ClickHouse before the ack), each on a fresh product.
import { join } from 'node:path';
import { startProduct } from './lib/product.js';
import { spawnTs } from './lib/proc.js';

interface LoadResult {
  events_per_s: number;
  batch_ms: { p50: number | null; p99: number | null };
}

for (const [label, except] of [
  ['launch mix', ''],
  ['without conversion/refund', 'conversion,refund'],
  ['without conversion/refund/comment', 'conversion,refund,comment'],
] as const) {
  const product = await startProduct('diagnose');
  try {
    const args = [
      '--demo',
      join(product.dataDir, 'demo.json'),
      '--port',
      String(product.port),
      '--duration-ms',
      '10000',
    ];
    if (except) args.push('--except', except);
    const r = await spawnTs('ingest-load', 'bench/load/ingestLoad.ts', { args }).result<LoadResult>(90_000);
    process.stdout.write(
      `${label}: ${r.events_per_s} events/s, batch ack p50 ${r.batch_ms.p50} ms, p99 ${r.batch_ms.p99} ms\n`,
    );
  } finally {
    await product.stop();
  }
}
process.exit(0);
