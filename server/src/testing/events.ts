// Test support: writes rows into `events` the way ingest does (one batch_id per insert, deduplicated re-sends), and
// random but coherent events.
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { blankStoredEvent, type StoredEvent } from '@pulseroom/schema';

/** Inserts one batch: every row carries the same batch_id, which is also the deduplication token. */
export async function insertBatch(
  client: ClickHouseClient,
  rows: Partial<StoredEvent>[],
  batchId = `b_${randomBytes(6).toString('hex')}`,
): Promise<string> {
  const now = Date.now();
  const values = rows.map((r) => ({
    ...blankStoredEvent(),
    received_at: now,
    event_id: `e_${randomBytes(8).toString('hex')}`,
    ...r,
    batch_id: batchId,
  }));
  await client.insert({
    table: 'events',
    values,
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: batchId, deduplicate_blocks_in_dependent_materialized_views: 1 },
  });
  return batchId;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be repeated from its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

export interface EventWorld {
  campaign_id: string;
  /** partner id → its platforms */
  partners: Record<string, string[]>;
}

/** One random stored event of any type, as ingest would have enriched it, at event time `ts`. */
export function randomEvent(r: Rng, world: EventWorld, ts: number): Partial<StoredEvent> {
  const partner = r.pick(Object.keys(world.partners));
  const platform = r.pick(world.partners[partner]);
  const base = { campaign_id: world.campaign_id, partner_id: partner, platform, ts };
  const type = r.pick([
    'engagement',
    'engagement',
    'comment',
    'comment',
    'click',
    'click',
    'conversion',
    'refund',
    'status',
    'post',
  ] as const);
  switch (type) {
    case 'engagement': {
      const hasReach = r.chance(0.5) ? 1 : 0;
      return {
        ...base,
        type,
        content_id: `c${r.int(1, 5)}`,
        views: r.int(0, 5000),
        reach: hasReach ? r.int(0, 4000) : 0,
        has_reach: hasReach,
        likes: r.int(0, 300),
        comments: r.int(0, 40),
        shares: r.int(0, 30),
        saves: r.int(0, 20),
        follows: r.int(0, 5),
      };
    }
    case 'comment': {
      const label = r.pick(['pos', 'pos', 'neu', 'neg', 'unscored'] as const);
      const sentiment =
        label === 'pos'
          ? 0.25 + r.next() * 0.75
          : label === 'neg'
            ? -0.25 - r.next() * 0.75
            : label === 'neu'
              ? r.next() * 0.4 - 0.2
              : 0;
      return {
        ...base,
        type,
        content_id: `c${r.int(1, 5)}`,
        text: `comment ${r.int(1, 1e6)}`,
        label,
        sentiment: Math.round(sentiment * 1000) / 1000,
        lang: 'en',
      };
    }
    case 'click': {
      const bot = r.chance(0.1) ? 1 : 0;
      return {
        ...base,
        type,
        link_code: `l-${partner}`,
        click_id: `k${r.int(1, 1e9)}`,
        bot,
        is_unique: bot ? 0 : r.chance(0.7) ? 1 : 0,
        device: 'mobile',
      };
    }
    case 'conversion': {
      const attributed = r.chance(0.85) ? 1 : 0;
      const converted = r.chance(0.95) ? 1 : 0;
      const status = r.pick(['approved', 'approved', 'approved', 'pending', 'rejected'] as const);
      const amount = r.int(500, 30000);
      return {
        ...base,
        partner_id: attributed ? partner : '',
        type,
        order_id: `o${r.int(1, 1e9)}`,
        status,
        amount_minor: amount,
        currency: 'EUR',
        orig_amount_minor: amount,
        orig_currency: 'EUR',
        commission_minor: attributed && status === 'approved' ? Math.round(amount * 0.1) : 0,
        attributed,
        converted,
        suspicious: r.chance(0.05) ? 1 : 0,
        items: r.int(1, 3),
      };
    }
    case 'refund': {
      const amount = r.int(100, 5000);
      return {
        ...base,
        type,
        order_id: `o${r.int(1, 1e9)}`,
        status: 'approved',
        amount_minor: -amount,
        currency: 'EUR',
        orig_amount_minor: -amount,
        orig_currency: 'EUR',
        commission_minor: -Math.round(amount * 0.1),
        attributed: 1,
        converted: 1,
      };
    }
    case 'status': {
      // a change of a known order, one not applied yet (from ''), or one older than the current status (from = to)
      const amount = r.int(100, 20000);
      const attributed = r.chance(0.85) ? 1 : 0;
      const to = r.pick(['approved', 'pending', 'rejected', 'reversed'] as const);
      return {
        ...base,
        partner_id: attributed ? partner : '',
        type,
        order_id: `o${r.int(1, 1e9)}`,
        status: to,
        from_status: r.pick(['pending', 'approved', 'approved', '', to] as const),
        status_reason: r.chance(0.5) ? 'chargeback' : '',
        amount_minor: amount,
        currency: 'EUR',
        orig_amount_minor: amount,
        orig_currency: 'EUR',
        commission_minor: attributed ? Math.round(amount * 0.1) : 0,
        attributed,
        converted: r.chance(0.95) ? 1 : 0,
      };
    }
    case 'post':
      return {
        ...base,
        type,
        content_id: `post${r.int(1, 1e6)}`,
        url: `https://example.com/${partner}/${r.int(1, 1e6)}`,
        caption: 'new post',
        disclosure: r.pick(['clear', 'clear', 'weak', 'missing'] as const),
      };
  }
}
