// The flusher's rounds: rows that come due while a round runs (their nudge then finds it busy) go in the next round
// as soon as this one ends, not at the next timer period — nor never, when no timer runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { Flusher } from './flusher.js';
import { IngestMetrics } from './metrics.js';
import { Spool } from './spool.js';

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => store?.close());

const NOW = Date.now();
const events = (prefix: string, n: number): StoredEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    ...blankStoredEvent(),
    event_id: `${prefix}${i}`,
    source_id: 'src',
    campaign_id: 'spring',
    partner_id: 'ana',
    platform: 'instagram',
    ts: NOW,
    received_at: NOW,
    views: 1,
  }));

async function storedCount(prefix: string): Promise<number> {
  const rs = await store.client.query({
    query: 'SELECT count() AS n FROM events WHERE startsWith(event_id, {p:String})',
    query_params: { p: prefix },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: number }>())[0].n);
}

/** The store, calling `inserted` after each insert the flusher sends (its segments go through `exec`). */
function watched(inserted: () => void): Store {
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'exec' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        inserted();
        return r;
      };
    },
  });
  return { ...store, client };
}

describe('flusher rounds', () => {
  it('inserts rows that came due during a round right after it, without a timer or another nudge', async () => {
    const { spool } = await Spool.open({ dir: mkdtempSync(join(tmpdir(), 'pulseroom-rounds-')), maxBytes: 1 << 24 });
    const metrics = new IngestMetrics(
      () => spool.depth(),
      () => ({}),
    );
    let second: Promise<void> | null = null;
    const insertedAt: number[] = [];
    // No start(): no timer. Only a full segment (100 rows) is due; age never is (an hour).
    const flusher: Flusher = new Flusher(
      spool,
      watched(() => {
        insertedAt.push(performance.now());
        if (second) return;
        // While the first round is still running (before it removes its segment): a full segment arrives and its nudge
        // finds the round busy.
        second = spool.append(events('rounds-b', 100)).then(() => undefined);
        flusher.nudge();
      }),
      { flushRows: 100, flushMs: 3_600_000 },
      pino({ level: 'silent' }),
      metrics,
      Date.now,
    );
    await spool.append(events('rounds-a', 100));
    flusher.nudge();
    const until = performance.now() + 15_000;
    while (performance.now() < until && (insertedAt.length < 2 || spool.depth().rows > 0))
      await new Promise((r) => setTimeout(r, 20));
    await second;
    expect(insertedAt).toHaveLength(2);
    expect(spool.depth().rows).toBe(0);
    expect(await storedCount('rounds-a')).toBe(100);
    expect(await storedCount('rounds-b')).toBe(100);
    await flusher.stop();
    await spool.close();
  });

  it('does not start rounds after stop, and a round with nothing due starts no other', async () => {
    const { spool } = await Spool.open({ dir: mkdtempSync(join(tmpdir(), 'pulseroom-rounds-')), maxBytes: 1 << 24 });
    const metrics = new IngestMetrics(
      () => spool.depth(),
      () => ({}),
    );
    let rounds = 0;
    const flusher = new Flusher(
      spool,
      watched(() => void rounds++),
      { flushRows: 100, flushMs: 3_600_000 },
      pino({ level: 'silent' }),
      metrics,
      Date.now,
    );
    await spool.append(events('rounds-c', 100));
    await flusher.tick();
    await spool.append(events('rounds-d', 10)); // not due: 10 rows, young
    await new Promise((r) => setTimeout(r, 200));
    expect(rounds).toBe(1);
    expect(spool.depth().rows).toBe(10);
    expect(await flusher.stop()).toBe(true); // stop drains what is left
    expect(await storedCount('rounds-d')).toBe(10);
    await spool.append(events('rounds-e', 100)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedCount('rounds-e')).toBe(0);
    await spool.close();
  });
});
