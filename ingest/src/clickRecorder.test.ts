// Tracking-link clicks are recorded after the redirect: batched per event-loop turn, all of them, each once.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '@pulseroom/schema';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { builtClicks, ClickRecorder, MAX_CLICKS_WAITING } from './clickRecorder.js';
import { IngestMetrics } from './metrics.js';
import type { Pipeline } from './pipeline.js';
import { query, runIngest, seedLaunch, testIngestConfig, type RunningIngest } from './testing.js';
import { validateEvents } from './validate.js';

const silent = pino({ level: 'silent' });
const clickEvent = (i: number): ClickEvent => ({
  type: 'click',
  event_id: `ck_t${i}`,
  click_id: `ck_t${i}`,
  ts: Date.now(),
  campaign_id: 'spring',
  partner_id: 'ana',
  link_code: 'ana-spring',
  visitor: `10.0.0.${i}|ua`,
});

/** Records what the recorder hands to the pipeline (the real pipeline is exercised below, against chDB). */
function recordingPipeline() {
  const calls: number[] = [];
  const pipeline = {
    async accept(_source: unknown, parsed: { valid: unknown[]; rejected: unknown[] }) {
      calls.push(parsed.valid.length);
      await new Promise((r) => setTimeout(r, 5));
      return { accepted: parsed.valid.length, duplicates: 0, rejected: parsed.rejected };
    },
  } as unknown as Pipeline;
  return { pipeline, calls };
}

async function counter(metrics: IngestMetrics, recorded: 'true' | 'false'): Promise<number> {
  const m = await metrics.redirects.get();
  return m.values.find((v) => v.labels.recorded === recorded)?.value ?? 0;
}

describe('ClickRecorder', () => {
  it('writes the clicks of one event-loop turn as one batch', async () => {
    const { pipeline, calls } = recordingPipeline();
    const metrics = new IngestMetrics(
      () => null,
      () => ({}),
    );
    const rec = new ClickRecorder(() => pipeline, metrics, silent);
    for (let i = 0; i < 40; i++) rec.record(clickEvent(i));
    await new Promise((r) => setImmediate(r));
    rec.record(clickEvent(40));
    await rec.drain();
    expect(calls).toEqual([40, 1]);
    expect(await counter(metrics, 'true')).toBe(41);
  });

  it('drops and counts clicks past the waiting limit, and counts clicks it could not hand to a stopped ingest', async () => {
    const metrics = new IngestMetrics(
      () => null,
      () => ({}),
    );
    const rec = new ClickRecorder(() => null, metrics, silent);
    let kept = 0;
    for (let i = 0; i < MAX_CLICKS_WAITING + 5; i++) if (rec.record(clickEvent(i))) kept++;
    expect(kept).toBe(MAX_CLICKS_WAITING);
    await rec.drain();
    expect(await counter(metrics, 'false')).toBe(MAX_CLICKS_WAITING + 5);
    expect(await counter(metrics, 'true')).toBe(0);
  });
});

describe('builtClicks', () => {
  it('passes the clicks zod would pass, and sends a click with a time the schema refuses through zod', () => {
    const batch = [
      clickEvent(0),
      { ...clickEvent(1), ts: Date.now() + 0.5 },
      clickEvent(2),
      { ...clickEvent(3), ts: Date.UTC(1999, 0, 1) },
      clickEvent(4),
    ];
    const zod = validateEvents(batch, (i) => `clicks[${i}]`);
    expect(zod.valid.map((v) => v.index)).toEqual([0, 2, 4]);
    expect(builtClicks(batch)).toEqual(zod);
  });
});

describe('redirects through the real pipeline', () => {
  let store: Store;
  let run: RunningIngest;
  beforeAll(async () => {
    store = await openTestStore();
    await seedLaunch(store);
    run = await runIngest(store, testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' }));
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores every click of a burst of concurrent redirects exactly once, including those answered just before stop', async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        fetch(`${run.url}/r/${i % 2 ? 'ana-spring' : 'ben-spring'}`, {
          redirect: 'manual',
          headers: { 'user-agent': `Mozilla/5.0 test-${i}` },
        }),
      ),
    );
    expect(answers.every((r) => r.status === 302)).toBe(true);
    const ids = answers.map((r) => new URL(r.headers.get('location')!).searchParams.get('click_id')!);
    expect(new Set(ids).size).toBe(120);
    await run.close(); // stop drains queued clicks into the spool and flushes it
    const accepted = (
      await run.ingest.registry.getSingleMetric('pulseroom_ingest_events_accepted_total')!.get()
    ).values.find((v) => v.labels.type === 'click')?.value;
    const rows = await query<{ click_id: string; n: number }>(
      store,
      'SELECT click_id, count() AS n FROM events WHERE click_id IN {ids:Array(String)} GROUP BY click_id',
      { ids },
    );
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(accepted).toBe(120);
  });
});
