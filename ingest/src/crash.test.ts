// Crash test: ingest as a child process is killed with SIGKILL mid-stream and restarted; every acknowledged event must
// be in ClickHouse exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@pulseroom/schema/server';
import { freePort } from '@pulseroom/schema/testing';
import { CAMPAIGN } from './testing.js';

const KEY = 'prk_crash_test_key_eeeeeeeeeeeeeeeeee';
const dir = mkdtempSync(join(tmpdir(), 'pulseroom-crash-'));
const children: ChildProcess[] = [];
let store: Store | null = null;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await store?.close();
});

function startIngest(port: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/src/main.ts'], {
    env: {
      ...process.env,
      PULSEROOM_DATA_DIR: dir,
      INGEST_PORT: String(port),
      LOG_LEVEL: 'warn',
      INGEST_FLUSH_MS: '300',
      INGEST_SENTIMENT_THREADS: '0',
      INGEST_RATE_LIMIT_PER_MIN: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => process.env.TEST_LOG_LEVEL && process.stderr.write(d));
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

async function waitReady(port: number, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ingest did not become ready');
}

const event = (i: number) => ({
  event_id: `crash-${i}`,
  type: 'engagement',
  ts: Date.now(),
  campaign_id: CAMPAIGN,
  partner_id: 'ana',
  content_id: 'crash',
  views: 1,
  likes: 1,
});

async function send(port: number, ids: number[]): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: ids.map(event) }),
    });
    if (res.status !== 200) return false;
    const body = (await res.json()) as { accepted: number; duplicates: number };
    return body.accepted + body.duplicates === ids.length;
  } catch {
    return false; // connection reset by the kill: not acknowledged
  }
}

describe('crash', () => {
  it('every event acknowledged before a SIGKILL is in ClickHouse exactly once after the restart', async () => {
    const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'ingest/src/seedTestStore.ts', 'crash-src', KEY], {
      env: { ...process.env, PULSEROOM_DATA_DIR: dir },
      encoding: 'utf8',
    });
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain('seeded');

    const port = await freePort();
    const first = startIngest(port);
    await waitReady(port);

    // Four streaming clients; each batch is recorded only when acknowledged.
    const acked = new Set<number>();
    const sentBatches: number[][] = [];
    let next = 0;
    let stop = false;
    const BATCH = 40;
    const client = async () => {
      while (!stop) {
        const ids = Array.from({ length: BATCH }, () => next++);
        sentBatches.push(ids);
        if (await send(port, ids)) for (const i of ids) acked.add(i);
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 1500));
    first.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await exited(first);
    expect(acked.size).toBeGreaterThan(200);

    const second = startIngest(port);
    await waitReady(port);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
      checks: { replayed: { rows: number } };
    };
    expect(ready.checks.replayed.rows).toBeGreaterThan(0); // acknowledged events were waiting in the spool when it died
    // Clients retry what they were not sure of, and some of what was acknowledged: all become duplicates or new.
    for (const ids of sentBatches.slice(-8)) expect(await send(port, ids)).toBe(true);
    const retried = new Set(sentBatches.slice(-8).flat());
    second.kill('SIGTERM'); // graceful: flushes the spool
    expect(await exited(second)).toBe(0);

    store = await openStore({
      PULSEROOM_DATA_DIR: dir,
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      CLICKHOUSE_DATABASE: 'pulseroom',
    });
    const rows = await (
      await store.client.query({
        query: "SELECT event_id, count() AS n FROM events WHERE source_id = 'crash-src' GROUP BY event_id",
        format: 'JSONEachRow',
      })
    ).json<{ event_id: string; n: number }>();
    const counts = new Map(rows.map((r) => [r.event_id, r.n]));
    const missing = [...acked].filter((i) => counts.get(`crash-${i}`) !== 1);
    expect(missing).toEqual([]);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    for (const i of retried) expect(counts.get(`crash-${i}`)).toBe(1);
    // Nothing stored that was never sent.
    expect(rows.every((r) => Number(r.event_id.slice(6)) < next)).toBe(true);
    const [agg] = await (
      await store.client.query({
        query: "SELECT sum(views) AS v FROM agg_10s WHERE partner_id = 'ana'",
        format: 'JSONEachRow',
      })
    ).json<{ v: number }>();
    expect(agg.v).toBe(rows.length);
  }, 60_000);
});
