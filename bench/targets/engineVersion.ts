// Prints the chDB engine version (SELECT version()) from a throwaway data dir: the machine line of the results.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@pulseroom/schema/server';
import { engineVersion } from '../lib/history.js';
import { discardDir, sendResult } from '../lib/proc.js';

const dir = mkdtempSync(join(tmpdir(), 'pulseroom-bench-version-'));
const store = await openStore({
  PULSEROOM_DATA_DIR: dir,
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  CLICKHOUSE_DATABASE: 'pulseroom',
});
const version = await engineVersion(store.client);
await store.close();
discardDir(dir);
sendResult({ version });
process.exit(0);
