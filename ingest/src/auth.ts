// Source authentication: a Bearer key (or `key` parameter for postbacks) → its row in `sources`, cached briefly.
import type { ClickHouseClient } from '@clickhouse/client';
import { findSourceByKeyHash, forbidden, hashSecret, unauthorized, unavailable, type SourceRow } from '@pulseroom/schema/server';

/** The source of tracking-link clicks: ingest itself. */
export const TRACKING_LINK_SOURCE: SourceRow = { id: 'tracking-links', name: 'tracking links', key_hash: '', campaign_ids: [], revoked: 0 };

const STALE_OK_MS = 3_600_000;
const LOOKUP_TIMEOUT_MS = 2000;
const NEGATIVE_MS = 5_000;

export class SourceAuth {
  private cache = new Map<string, { source: SourceRow | null; at: number }>();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  /** Resolves a raw key; 401 when missing or unknown, 503 when the store cannot be asked and the key is not cached. */
  async authenticate(key: string | undefined): Promise<SourceRow> {
    if (!key) throw unauthorized('missing source key: send "Authorization: Bearer <key>"', 'pulseroom-ingest');
    const h = hashSecret(key);
    const now = this.clock();
    const hit = this.cache.get(h);
    const fresh = hit && now - hit.at < (hit.source ? this.ttlMs : Math.min(this.ttlMs, NEGATIVE_MS));
    if (!hit || !fresh) {
      let source: SourceRow | null;
      try {
        source = await withTimeout(findSourceByKeyHash(this.client, h), LOOKUP_TIMEOUT_MS);
      } catch {
        // The store is down: a key verified within the last hour stays good, so the spool keeps accepting.
        if (hit?.source && now - hit.at < STALE_OK_MS) return hit.source;
        throw unavailable('STORE_UNAVAILABLE', 'cannot verify the source key right now; retry shortly', 5);
      }
      this.cache.set(h, { source, at: now });
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
      return this.check(source);
    }
    return this.check(hit.source);
  }

  private check(source: SourceRow | null): SourceRow {
    if (!source || source.revoked) throw unauthorized('unknown or revoked source key', 'pulseroom-ingest');
    return source;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** 403 unless the source may send for every campaign named. */
export function assertCampaignScope(source: SourceRow, campaignIds: Iterable<string>): void {
  if (source.campaign_ids.length === 0) return;
  const allowed = new Set(source.campaign_ids);
  const denied = [...new Set(campaignIds)].filter((c) => !allowed.has(c));
  if (denied.length > 0) throw forbidden(`this key may not send events for campaign${denied.length > 1 ? 's' : ''} ${denied.map((c) => `"${c}"`).join(', ')}`);
}

/** The key from `Authorization: Bearer …`, or (postbacks only) the `key` query parameter. */
export function keyFrom(authorization: string | undefined, queryKey?: unknown): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (m) return m[1];
  return typeof queryKey === 'string' && queryKey.length > 0 ? queryKey : undefined;
}
