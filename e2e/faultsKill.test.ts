// FAULTS: the one-process product (`npm start`, embedded store) SIGKILLed mid-stream, with a torn spool tail on top:
// every acknowledged event is stored exactly once after the restart (SQL). Its own file: chDB opens one data
// directory per process, and this test reads the product's after it stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blankStoredEvent } from '@pulseroom/schema';
import { openStore } from '@pulseroom/schema/server';
import { query } from '@pulseroom/ingest/testing';
import { encodeRecord, isSegmentFile } from '@pulseroom/ingest/spool';
import { freePort, ROOT } from './ports.js';
import { expectExactlyOnce, sleep } from './faultsChecks.js';

describe('SIGKILL of the one-process product (embedded store) mid-stream', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulseroom-faults-'));
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  async function start(port: number): Promise<ChildProcess> {
    let out = '';
    const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'app/src/start.ts'), '--no-sim'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        PULSEROOM_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        INGEST_RATE_LIMIT_PER_MIN: '0',
        INGEST_FLUSH_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((ok, fail) => {
      const t = setInterval(() => out.includes('TV wall') && (clearInterval(t), ok()), 100);
      c.once('exit', (code) => (clearInterval(t), fail(new Error(`the product exited with ${code}:\n${out}`))));
    });
    child = c;
    return c;
  }
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve(c.exitCode)
      : new Promise<number | null>((r) => c.once('exit', (code) => r(code)));

  it('every event acknowledged before the kill is stored exactly once after the restart, even with a torn spool tail', async () => {
    const port = await freePort();
    const first = await start(port);
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as {
      source_key: string;
      launch: { deals: { campaign_id: string; partner_id: string }[] };
    };
    const partners = demo.launch.deals.filter((d) => d.campaign_id === 'halo-launch').map((d) => d.partner_id);
    const event = (i: number) => ({
      event_id: `kill-${i}`,
      type: 'engagement',
      ts: Date.now() - 1000,
      campaign_id: 'halo-launch',
      partner_id: partners[i % partners.length],
      content_id: 'kill',
      views: 1,
      likes: 1,
    });
    const send = async (ids: number[]): Promise<boolean> => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demo.source_key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events: ids.map(event) }),
        });
        if (r.status !== 200) return false;
        const b = (await r.json()) as { accepted: number; duplicates: number };
        return b.accepted + b.duplicates === ids.length;
      } catch {
        return false; // reset by the kill: not acknowledged
      }
    };

    const acked = new Set<string>();
    const batches: number[][] = [];
    let next = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const ids = Array.from({ length: 25 }, () => next++);
        batches.push(ids);
        if (await send(ids)) for (const i of ids) acked.add(`kill-${i}`);
      }
    };
    const clients = [client(), client(), client(), client()];
    await sleep(2500);
    first.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await exited(first);
    expect(acked.size).toBeGreaterThan(100);

    // A crash mid-write leaves half a record at the end of the newest segment: never acknowledged, cut on replay.
    const spoolDir = join(dataDir, 'spool');
    const segments = readdirSync(spoolDir)
      .filter((f) => isSegmentFile(f))
      .sort();
    const torn = encodeRecord([
      {
        ...blankStoredEvent(),
        event_id: 'kill-torn',
        source_id: 'demo-simulator',
        campaign_id: 'halo-launch',
        ts: Date.now(),
        received_at: Date.now(),
      },
    ]);
    if (segments.length > 0)
      appendFileSync(join(spoolDir, segments[segments.length - 1]), torn.subarray(0, torn.length - 7));

    await start(port);
    // Clients retry what they were unsure of (and some of what was acknowledged): each becomes new or a duplicate.
    const retried = batches.slice(-8);
    for (const ids of retried) expect(await send(ids)).toBe(true);
    for (const ids of retried) for (const i of ids) acked.add(`kill-${i}`);
    child!.kill('SIGTERM'); // graceful: flushes the spool
    expect(await exited(child!)).toBe(0);

    const store = await openStore({
      PULSEROOM_DATA_DIR: dataDir,
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      CLICKHOUSE_DATABASE: 'pulseroom',
    });
    try {
      const rows = await query<{ event_id: string; n: number }>(
        store,
        "SELECT event_id, count() AS n FROM events WHERE startsWith(event_id, 'kill-') GROUP BY event_id",
      );
      expectExactlyOnce(rows, acked, new Set(batches.flat().map((i) => `kill-${i}`)));
      const [agg] = await query<{ v: number }>(
        store,
        "SELECT sum(views) AS v FROM agg_10s WHERE campaign_id = 'halo-launch'",
      );
      expect(Number(agg.v)).toBe(rows.length); // the aggregates counted each stored event once
      console.log(
        `SIGKILL: ${acked.size} acknowledged (incl. ${retried.flat().length} retried), ${rows.length} stored, each once; torn tail of ${torn.length - 7} bytes cut`,
      );
    } finally {
      await store.close();
    }
  }, 150_000);
});
