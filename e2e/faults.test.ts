// FAULTS: a long store outage, a full spool disk (ENOSPC) and a source with a skewed clock — after each, every
// acknowledged event is stored exactly once (SQL). The product SIGKILLed mid-stream: e2e/faultsKill.test.ts. Also
// covered elsewhere: ingest alone SIGKILLed (ingest/src/crash.test.ts), a lost insert answer and a short outage
// (ingest/src/outage.test.ts), torn and corrupt spool tails and the spool byte limit (ingest/src/spool.test.ts,
// ingest/src/events.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import {
  CAMPAIGN,
  postJson,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
  faultyStore,
} from '@pulseroom/ingest/testing';
import { decodeSegment, isSegmentFile } from '@pulseroom/ingest/spool';
import { MAX_CLOCK_AHEAD_MS } from '@pulseroom/ingest/pipeline';
import { expectExactlyOnce, sleep, waitFor } from './faultsChecks.js';

// ---------------------------------------------------------------- ingest on a store that fails, a disk that fills, a
// skewed clock

const KEY = 'prk_faults_test_key_gggggggggggggggggg';
let real: Store;
let ctl: ReturnType<typeof faultyStore>['ctl'];
let offset = 0;
const clock = () => Date.now() + offset;

const copies = (prefix: string) =>
  query<{ event_id: string; n: number }>(
    real,
    'SELECT event_id, count() AS n FROM events WHERE startsWith(event_id, {p:String}) GROUP BY event_id',
    { p: prefix },
  );
const engagement = (id: string, ts = clock() - 1000) => ({
  event_id: id,
  type: 'engagement',
  ts,
  campaign_id: CAMPAIGN,
  partner_id: 'ana',
  content_id: 'faults',
  views: 1,
  likes: 1,
});

describe('ingest faults', () => {
  let run: RunningIngest;
  beforeAll(async () => {
    real = await openTestStore();
    await seedLaunch(real);
    await seedSource(real, 'faults-src', KEY);
    const faults = faultyStore(real);
    ctl = faults.ctl;
    run = await runIngest(
      faults.store,
      testIngestConfig({ INGEST_FLUSH_MS: '100', INGEST_RATE_LIMIT_PER_MIN: '0' }),
      clock,
    );
  });
  afterAll(async () => {
    ctl.mode = 'up';
    await run?.close();
    await real?.close();
  });

  it('a store outage of 60 s (12 s real, the clock jumping 48 s more): streaming goes on from the spool, then everything is stored once', async () => {
    expect((await postJson(`${run.url}/v1/events`, { events: [engagement('warm-outage')] }, KEY)).status).toBe(200); // the key is verified and cached
    const acked = new Set<string>();
    const sent = new Set<string>();
    let n = 0;
    let stop = false;
    const statuses: Record<number, number> = {};
    const client = async () => {
      while (!stop) {
        const ids = Array.from({ length: 20 }, () => `out-${n++}`);
        for (const id of ids) sent.add(id);
        const r = await postJson(`${run.url}/v1/events`, { events: ids.map((id) => engagement(id)) }, KEY).catch(
          () => null,
        );
        if (r) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r?.status === 200 && r.body.accepted + r.body.duplicates === ids.length)
          for (const id of ids) acked.add(id);
        await sleep(50);
      }
    };
    const clients = [client(), client(), client()];
    await sleep(500);
    ctl.mode = 'down';
    const t0 = Date.now();
    // 12 s of real outage; meanwhile the clock moves a further 48 s (60 s in all), past the 30 s key cache.
    for (let i = 0; i < 12; i++) {
      await sleep(1000);
      offset += 4_000;
    }
    const ackedDuring = acked.size;
    expect((await run.ingest.ready()).checks.store).toBe('unreachable');
    ctl.mode = 'up';
    const outageMs = Date.now() - t0;
    await sleep(1500);
    stop = true;
    await Promise.all(clients);
    expect(ctl.injected).toBeGreaterThan(10);
    expect(ackedDuring).toBeGreaterThan(300); // acknowledged from the spool while the store was down
    const rows = await waitFor(
      'the spool to drain',
      () => copies('out-'),
      (r) => r.length >= acked.size,
    );
    expectExactlyOnce(rows, acked, sent);
    console.log(
      `outage: ${(outageMs / 1000).toFixed(1)} s real (+48 s clock), ${acked.size} acknowledged (${ackedDuring} by its end), answers ${JSON.stringify(statuses)}, ${ctl.injected} store calls failed; all stored once`,
    );
  }, 60_000);

  it('a full spool disk (ENOSPC mid-write): a clear 503, the segment left uncorrupted, retries stored once', async () => {
    // The spool's file handle writes half of a record and then fails as a full disk does.
    const probe = await open(join(tmpdir(), `pulseroom-probe-${process.pid}`), 'w');
    const proto = Object.getPrototypeOf(probe) as { writev: (bufs: NodeJS.ArrayBufferView[]) => Promise<unknown> };
    await probe.close();
    const writev = proto.writev;
    let full = false;
    proto.writev = async function (this: unknown, bufs: NodeJS.ArrayBufferView[]) {
      if (!full) return writev.call(this, bufs);
      const all = Buffer.concat(bufs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
      await writev.call(this, [all.subarray(0, Math.floor(all.length / 2))]);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
      });
    };
    try {
      const acked = new Set<string>();
      const sent = new Set<string>();
      const post = async (ids: string[]) => {
        for (const id of ids) sent.add(id);
        const r = await postJson(`${run.url}/v1/events`, { events: ids.map((id) => engagement(id)) }, KEY);
        if (r.status === 200) for (const id of ids) acked.add(id);
        return r;
      };
      const ids = (from: number, k: number) => Array.from({ length: k }, (_, i) => `disk-${from + i}`);
      expect((await post(ids(0, 10))).status).toBe(200);

      full = true;
      const refused = await Promise.all([post(ids(10, 10)), post(ids(20, 10))]);
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.body.error).toEqual({
          code: 'SPOOL_DISK_FULL',
          message: 'the spool disk of ingest is full: nothing of this batch was stored; retry later',
        });
        expect(r.headers.get('retry-after')).toBe('30');
      }
      // No corruption: every spool file holds only whole, checksummed records (the half-written one was cut).
      for (const f of readdirSync(run.config.spoolDir).filter((x) => isSegmentFile(x))) {
        const buf = readFileSync(join(run.config.spoolDir, f));
        expect(decodeSegment(buf).validBytes, f).toBe(buf.length);
      }
      full = false;
      expect((await post(ids(10, 10))).status).toBe(200); // the sender retries
      expect((await post(ids(20, 20))).status).toBe(200);
      const rows = await waitFor(
        'the retried events',
        () => copies('disk-'),
        (r) => r.length >= acked.size,
      );
      expectExactlyOnce(rows, acked, sent);
      expect(rows).toHaveLength(40);
    } finally {
      proto.writev = writev;
      full = false;
    }
  });

  it(`a source whose clock runs ahead: events more than ${MAX_CLOCK_AHEAD_MS / 60_000} min in the future are refused by name, late ones are kept`, async () => {
    const now = clock();
    const r = await postJson(
      `${run.url}/v1/events`,
      {
        events: [
          engagement('skew-ahead-4m', now + 4 * 60_000), // within the rule: a slightly fast clock
          engagement('skew-ahead-10m', now + 10 * 60_000),
          engagement('skew-ahead-1y', now + 365 * 86_400_000),
          engagement('skew-late-1d', now - 86_400_000), // late events belong to their window
          engagement('skew-late-2001', Date.UTC(2001, 0, 1)),
          engagement('skew-1999', Date.UTC(1999, 11, 31)),
        ],
      },
      KEY,
    );
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected).toEqual([
      {
        index: 1,
        path: 'events[1].ts',
        message: expect.stringMatching(
          /^expected a time at most 5 minutes ahead of the server clock \(this one is 10 min ahead\): check the sender's clock$/,
        ),
      },
      { index: 2, path: 'events[2].ts', message: expect.stringContaining('365 days ahead') },
      { index: 5, path: 'events[5].ts', message: 'expected a time between 2000 and 2100' },
    ]);
    // A source an hour ahead: the whole batch is refused (400) and says why.
    const ahead = await postJson(
      `${run.url}/v1/events`,
      { events: [engagement('skew-hour-1', now + 3_600_000), engagement('skew-hour-2', now + 3_600_000)] },
      KEY,
    );
    expect(ahead.status).toBe(400);
    expect(ahead.body.error.message).toContain(
      'events[0].ts: expected a time at most 5 minutes ahead of the server clock (this one is 60 min ahead)',
    );
    // Its clock fixed, it re-sends: stored once, with what was accepted before.
    expect(
      (
        await postJson(
          `${run.url}/v1/events`,
          {
            events: [
              engagement('skew-hour-1'),
              engagement('skew-hour-2'),
              engagement('skew-ahead-4m', now + 4 * 60_000),
            ],
          },
          KEY,
        )
      ).body,
    ).toMatchObject({ accepted: 2, duplicates: 1 });
    const rows = await waitFor(
      'the skew events',
      () => copies('skew-'),
      (x) => x.length >= 5,
    );
    expectExactlyOnce(
      rows,
      ['skew-ahead-4m', 'skew-late-1d', 'skew-late-2001', 'skew-hour-1', 'skew-hour-2'],
      new Set(['skew-ahead-4m', 'skew-late-1d', 'skew-late-2001', 'skew-hour-1', 'skew-hour-2']),
    );
    expect(rows).toHaveLength(5);
  });
});
