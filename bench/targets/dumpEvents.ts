// Writes the rows ingest stored (a stopped product's data dir) to an NDJSON file: the straight-insert baseline replays
// them.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '@pulseroom/schema/server';
import { sendResult } from '../lib/proc.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string', default: '200000' } },
});
const store = await openStore({
  PULSEROOM_DATA_DIR: values.data!,
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  CLICKHOUSE_DATABASE: 'pulseroom',
});
const [{ n }] = await (
  await store.client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })
).json<{ n: number }>();
const rs = await store.client.query({
  query: 'SELECT * EXCEPT (inserted_at, batch_id) FROM events ORDER BY received_at LIMIT {limit:UInt64}',
  query_params: { limit: Number(values.limit) },
  format: 'JSONEachRow',
});
const text = await rs.text();
writeFileSync(values.out!, text);
await store.close();
sendResult({ stored: n, dumped: text.split('\n').filter(Boolean).length });
process.exit(0);
