import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pulseroom/schema';
import { DEFAULT_FX_RATES, loadIngestConfig } from './config.js';

describe('ingest config', () => {
  it('has defaults, derives the spool dir and keeps a generated hash key stable across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-config-'));
    const a = loadIngestConfig({ PULSEROOM_DATA_DIR: dir });
    expect(a).toMatchObject({
      INGEST_PORT: 8081,
      INGEST_FLUSH_ROWS: 10_000,
      INGEST_FLUSH_MS: 1000,
      spoolDir: join(dir, 'spool'),
      PULSEROOM_FX_RATES: DEFAULT_FX_RATES,
    });
    expect(a.hashKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, 'hash.key'), 'utf8').trim()).toBe(a.hashKey);
    expect(loadIngestConfig({ PULSEROOM_DATA_DIR: dir }).hashKey).toBe(a.hashKey);
    expect(loadIngestConfig({ PULSEROOM_DATA_DIR: dir, PULSEROOM_HASH_KEY: 'k'.repeat(20) }).hashKey).toBe(
      'k'.repeat(20),
    );
    expect(loadIngestConfig({ PULSEROOM_DATA_DIR: dir, PULSEROOM_FX_RATES: '{"EUR":1.1}' }).PULSEROOM_FX_RATES).toEqual(
      { EUR: 1.1 },
    );
  });

  it('names each bad variable', () => {
    const bad = () =>
      loadIngestConfig({ INGEST_PORT: '99999', PULSEROOM_FX_RATES: '{"EUR":-1}', INGEST_FLUSH_MS: 'soon' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('INGEST_PORT: expected a port number 1–65535 (got "99999")');
      expect(msg).toContain('PULSEROOM_FX_RATES: expected a positive number of USD per unit');
      expect(msg).toContain('INGEST_FLUSH_MS:');
    }
  });
});
