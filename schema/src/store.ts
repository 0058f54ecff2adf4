// Builds the one ClickHouse client every service uses: embedded chDB by default, a ClickHouse server when
// CLICKHOUSE_URL is set.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { StoreConfig } from './config.js';

export interface Store {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  database: string;
  /** Where the embedded engine keeps its data ('' in server mode). */
  path: string;
  close(): Promise<void>;
}

const SETTINGS: ClickHouseSettings = {
  // Int64/UInt64 as JSON numbers: every counter we store fits in 2^53.
  output_format_json_quote_64bit_integers: 0,
  date_time_input_format: 'best_effort',
  // chDB applies per-call settings with SET on its one long-lived session, so they persist into later
  // calls: reset the insert deduplication token on every call (only a flusher batch passes its own), or a
  // plain insert after a tokened one would be dropped as a repeat of it.
  insert_deduplication_token: '',
  // Likewise the flusher's lower thread priority (ingest/src/queries.ts) must not stay on for the calls after it.
  os_thread_priority: '0',
  // Re-sent blocks are deduplicated in the materialized views' tables too (agg_10s, agg_delta, lookups).
  deduplicate_blocks_in_dependent_materialized_views: 1,
};

// chDB allows one engine (one data directory) per process: share it between the services of the process.
let embedded: { path: string; store: Store; refs: number } | null = null;

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.CLICKHOUSE_URL) {
    const boot = createClient({
      url: config.CLICKHOUSE_URL,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
    });
    await boot.command({
      query: `CREATE DATABASE IF NOT EXISTS {db:Identifier}`,
      query_params: { db: config.CLICKHOUSE_DATABASE },
    });
    await boot.close();
    const client = createClient({
      url: config.CLICKHOUSE_URL,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
      database: config.CLICKHOUSE_DATABASE,
      clickhouse_settings: SETTINGS,
      request_timeout: 30_000,
    });
    return { client, mode: 'server', database: config.CLICKHOUSE_DATABASE, path: '', close: () => client.close() };
  }
  const path = resolve(config.PULSEROOM_DATA_DIR, 'clickhouse');
  if (embedded) {
    if (embedded.path !== path)
      throw new Error(`chDB allows one data directory per process: ${embedded.path} is open, cannot open ${path}`);
    embedded.refs++;
    return embedded.store;
  }
  mkdirSync(path, { recursive: true });
  // chdb bundles its own copy of @clickhouse/client-common types; the runtime interface is the same.
  const connection = oneAtATime(createChdbConnection({ path })) as unknown as NonNullable<
    Parameters<typeof createClient>[0]
  >['connection'];
  const client = createClient({ connection, clickhouse_settings: SETTINGS });
  // The embedded client ignores the `database` option; chDB keeps one session per process, so USE sticks.
  await client.command({
    query: `CREATE DATABASE IF NOT EXISTS {db:Identifier}`,
    query_params: { db: config.CLICKHOUSE_DATABASE },
  });
  await client.command({ query: `USE {db:Identifier}`, query_params: { db: config.CLICKHOUSE_DATABASE } });
  const store: Store = {
    client,
    mode: 'embedded',
    database: config.CLICKHOUSE_DATABASE,
    path,
    close: async () => {
      if (!embedded) return;
      if (--embedded.refs > 0) return;
      embedded = null;
      await client.close();
    },
  };
  embedded = { path, store, refs: 1 };
  return store;
}

/**
 * The chDB connection with chDB's rule in one place: one call at a time, in the order they were made (chDB runs one
 * query at a time in its one session; callers never wait on each other by hand). It is closed only once no call is
 * running: closing the session while a query runs on chDB's own threads (a late dimension refresh, a request still in
 * flight at shutdown) can crash the process in native code. Waits at most 10 s, then closes anyway.
 */
function oneAtATime<C extends object>(connection: C): C {
  const CALLS = new Set(['query', 'insert', 'exec', 'command', 'ping']);
  let tail: Promise<unknown> = Promise.resolve();
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...a: unknown[]) => unknown;
      if (prop === 'close') {
        return async (...args: unknown[]) => {
          await Promise.race([tail, new Promise((r) => setTimeout(r, 10_000))]);
          return fn.apply(target, args);
        };
      }
      if (!CALLS.has(String(prop))) return fn.bind(target);
      return (...args: unknown[]) => {
        const call = tail.then(() => fn.apply(target, args));
        tail = call.catch(() => undefined);
        return call;
      };
    },
  });
}

export function dataPath(config: StoreConfig, ...parts: string[]): string {
  return resolve(join(config.PULSEROOM_DATA_DIR, ...parts));
}
