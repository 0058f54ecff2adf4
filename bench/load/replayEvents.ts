// The connector benchmark's baseline load: the same changes the connector sent, batch for batch, posted straight to
// ingest's /v1/events with 8 requests in flight (the connector's concurrency), each stamped now (the connector's
// clock ran ahead).
import { readFileSync } from 'node:fs';
import { RESULT_PREFIX } from '../lib/proc.js';

const arg = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const batches = readFileSync(arg('file'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>[]);
const url = `http://127.0.0.1:${arg('port')}/v1/events`;
const key = arg('key');
let next = 0;
const totals = { accepted: 0, duplicates: 0, rejected: 0, failed: 0 };
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < batches.length) {
      const events = batches[next++].map((e) => ({ ...e, ts: Date.now() - 1000 }));
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      if (!res.ok) {
        totals.failed++;
        continue;
      }
      const a = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
      totals.accepted += a.accepted;
      totals.duplicates += a.duplicates;
      totals.rejected += a.rejected.length;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${RESULT_PREFIX}${JSON.stringify({
    ...totals,
    batches: batches.length,
    seconds,
    events_per_s: Math.round(totals.accepted / seconds),
  })}\n`,
);
