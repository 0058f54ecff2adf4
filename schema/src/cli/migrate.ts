// `npm run migrate`: applies pending ClickHouse migrations and says which.
import { parseConfig, storeConfig } from '../config.js';
import { applyMigrations } from '../migrate.js';
import { openStore } from '../store.js';
import { runCli } from './runCli.js';

runCli(import.meta.url, async () => {
  const config = parseConfig(storeConfig);
  const store = await openStore(config);
  try {
    const r = await applyMigrations(store.client);
    console.log(
      `${store.mode} store (${store.mode === 'embedded' ? store.path : config.CLICKHOUSE_URL}, database ${store.database}): applied ${r.applied.length} [${r.applied.join(', ')}], already applied ${r.skipped.length}`,
    );
  } finally {
    await store.close();
  }
});
