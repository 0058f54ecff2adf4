// Test support: a real embedded ClickHouse (chDB) on a temporary directory, one database per test file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { applyMigrations } from './migrate.js';
import { openStore, type Store } from './store.js';
import type { StoreConfig } from './config.js';

let dir: string | null = null;

/**
 * chDB allows one data directory per process, so a process's test files share one directory, each with its own
 * database.
 */
export function testDataDir(): string {
  if (!dir) dir = mkdtempSync(join(tmpdir(), `pulseroom-test-${process.pid}-`));
  return dir;
}

export function testStoreConfig(): StoreConfig {
  return {
    PULSEROOM_DATA_DIR: testDataDir(),
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: `t_${randomBytes(6).toString('hex')}`,
  };
}

export async function openTestStore(): Promise<Store> {
  const store = await openStore(testStoreConfig());
  await applyMigrations(store.client);
  return store;
}

/** A free loopback port (for a product process, a Redis, a fixture server). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}
