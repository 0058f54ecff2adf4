// The one-process product's live server reads ClickHouse right after each flush; embedded, chDB runs one query at a
// time, so the flusher's next insert waits for what the flush listener started (capped), instead of going first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import { CAMPAIGN, postJson, query, runIngest, seedLaunch, seedSource, testIngestConfig } from './testing.js';

const KEY = 'prk_after_flush_test_key_aaaaaaaaaaaa';
let store: Store;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'shop', KEY);
});
afterAll(async () => {
  await store?.close();
});

/** runIngest whose client writes 'insert' into `log` as each INSERT into events starts. */
function start(log: string[], afterFlushWaitMaxMs?: number) {
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if ((prop !== 'exec' && prop !== 'insert') || typeof v !== 'function') return v;
      return (params: unknown) => {
        log.push('insert');
        return v.call(target, params);
      };
    },
  });
  return runIngest({ ...store, client } as Store, testIngestConfig({ INGEST_FLUSH_MS: '20', INGEST_RATE_LIMIT_PER_MIN: '0' }), undefined, { afterFlushWaitMaxMs });
}

const view = (id: string) => ({ event_id: id, type: 'engagement', ts: Date.now(), campaign_id: CAMPAIGN, partner_id: 'ana', platform: 'instagram', content_id: 'p1', views: 1 });
const until = async (ok: () => boolean | Promise<boolean>, what: string) => {
  const end = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
const storedCount = async (prefix: string) => (await query<{ n: number }>(store, 'SELECT count() AS n FROM events WHERE startsWith(event_id, {p:String})', { p: prefix }))[0].n;

describe('after a flush', () => {
  it("the next insert waits until the flush listener's work is done", async () => {
    const log: string[] = [];
    const run = await start(log, 60_000);
    let release!: () => void;
    let calls = 0;
    run.ingest.onFlushed(() => {
      log.push(`flushed ${++calls}`);
      if (calls > 1) return undefined;
      return new Promise<void>((ok) => (release = ok));
    });
    try {
      expect((await postJson(`${run.url}/v1/events`, { events: [view('wait-a')] }, KEY)).body).toMatchObject({ accepted: 1 });
      await until(() => calls === 1, 'the first flush');
      expect((await postJson(`${run.url}/v1/events`, { events: [view('wait-b')] }, KEY)).body).toMatchObject({ accepted: 1 });
      // Time for a flusher that did not wait to seal and insert the second batch (every 5 ms at INGEST_FLUSH_MS 20).
      await new Promise((r) => setTimeout(r, 300));
      log.push('released');
      release();
      await until(() => calls === 2, 'the second flush');
      expect(log).toEqual(['insert', 'flushed 1', 'released', 'insert', 'flushed 2']);
      expect(await storedCount('wait-')).toBe(2);
    } finally {
      await run.close();
    }
  });

  it('a listener that never settles does not stop storing: the wait is capped', async () => {
    const log: string[] = [];
    const run = await start(log, 50);
    run.ingest.onFlushed(() => new Promise(() => undefined));
    try {
      for (const id of ['stuck-a', 'stuck-b', 'stuck-c']) {
        expect((await postJson(`${run.url}/v1/events`, { events: [view(id)] }, KEY)).body).toMatchObject({ accepted: 1 });
        await until(async () => (await storedCount(id)) === 1, `${id} stored`);
      }
    } finally {
      await run.close();
    }
    expect(await storedCount('stuck-')).toBe(3);
  });
});
