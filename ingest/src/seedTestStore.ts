// Test support run as its own process (chDB allows one process per data dir): migrates, loads the test launch and a
// source key.
import { applyMigrations, openStore } from '@pulseroom/schema/server';
import { parseConfig, storeConfig } from '@pulseroom/schema';
import { seedLaunch, seedSource } from './testing.js';

const [sourceId, key] = process.argv.slice(2);
if (!sourceId || !key) {
  process.stderr.write('usage: seedTestStore.ts <source id> <key>\n');
  process.exit(2);
}
const store = await openStore(parseConfig(storeConfig));
await applyMigrations(store.client);
await seedLaunch(store);
await seedSource(store, sourceId, key);
await store.close();
process.stdout.write('seeded\n');
