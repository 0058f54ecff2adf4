// Applies the ordered SQL files of schema/migrations once each, recording them in schema_migrations.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a file into statements on `;` at the end of a line; comments are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
        statements: splitStatements(sql),
      };
    });
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

export async function applyMigrations(client: ClickHouseClient, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const done = await appliedMigrations(client);
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of readMigrations(dir)) {
    if (done.has(m.version)) {
      result.skipped.push(m.name);
      continue;
    }
    // Statements are IF NOT EXISTS, so a run cut short half-way is safe to repeat.
    for (const statement of m.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: m.version, name: m.name, checksum: m.checksum }],
      format: 'JSONEachRow',
    });
    result.applied.push(m.name);
  }
  return result;
}

export async function appliedMigrations(client: ClickHouseClient): Promise<Map<number, string>> {
  const rs = await client.query({
    query: 'SELECT version, name FROM schema_migrations FINAL ORDER BY version',
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ version: number; name: string }>();
  return new Map(rows.map((r) => [r.version, r.name]));
}
