// Source authentication: a Bearer key (or `key` parameter for postbacks) → its row in `sources`, cached briefly.
import type { ClickHouseClient } from '@clickhouse/client';
import {
  findSourceByKeyHash,
  findSourceWebhook,
  forbidden,
  hashSecret,
  openSecret,
  unauthorized,
  unavailable,
  type SourceRow,
  type WebhookProvider,
} from '@pulseroom/schema/server';

/** The source of tracking-link clicks: ingest itself. */
export const TRACKING_LINK_SOURCE: SourceRow = {
  id: 'tracking-links',
  name: 'tracking links',
  key_hash: '',
  campaign_ids: [],
  revoked: 0,
};

const STALE_OK_MS = 3_600_000;
const LOOKUP_TIMEOUT_MS = 2000;
const NEGATIVE_MS = 5_000;

/** A source that takes a provider's webhooks, with the signing secret opened. */
export interface WebhookSource {
  source: SourceRow;
  secret: string;
}

export class SourceAuth {
  private cache = new Map<string, { source: SourceRow | null; at: number }>();
  private webhooks = new Map<string, { hook: WebhookSource | null; provider: string; at: number }>();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly ttlMs: number,
    private readonly clock: () => number,
    /** Opens the signing secrets sealed in the sources table. */
    private readonly secretsKey = '',
  ) {}

  /**
   * The source a provider's webhook names in its URL, with its signing secret; 401 when there is no such source, it
   * is revoked, or it was not set up for this provider (one answer, so the URL does not tell which ids exist).
   * `reread`: look again if what is cached is more than a few seconds old (a secret pasted anew a moment ago).
   */
  async webhookSource(id: string, provider: WebhookProvider, reread = false): Promise<WebhookSource> {
    const now = this.clock();
    let hit = this.webhooks.get(id);
    const ttl = reread || !hit?.hook ? Math.min(this.ttlMs, NEGATIVE_MS) : this.ttlMs;
    if (!hit || now - hit.at >= ttl) {
      let row;
      try {
        row = await withTimeout(findSourceWebhook(this.client, id), LOOKUP_TIMEOUT_MS);
      } catch {
        if (hit?.hook && now - hit.at < STALE_OK_MS) return this.checkHook(hit, provider);
        throw unavailable('STORE_UNAVAILABLE', 'cannot look up the webhook source right now; retry shortly', 5);
      }
      const secret = row && !row.revoked && row.webhook_secret ? openSecret(this.secretsKey, row.webhook_secret) : null;
      const { provider: rowProvider = '', webhook_secret: _sealed, ...source } = row ?? {};
      hit = { hook: row && secret ? { source: source as SourceRow, secret } : null, provider: rowProvider, at: now };
      this.webhooks.set(id, hit);
      if (this.webhooks.size > 10_000) this.webhooks.delete(this.webhooks.keys().next().value!);
    }
    return this.checkHook(hit, provider);
  }

  private checkHook(hit: { hook: WebhookSource | null; provider: string }, provider: WebhookProvider): WebhookSource {
    if (!hit.hook || hit.provider !== provider) {
      throw unauthorized(`unknown source, or not set up for ${provider} webhooks`, 'pulseroom-ingest');
    }
    return hit.hook;
  }

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
  if (denied.length > 0)
    throw forbidden(
      `this key may not send events for campaign${denied.length > 1 ? 's' : ''} ${denied.map((c) => `"${c}"`).join(', ')}`,
    );
}

/**
 * The key from `Authorization: Bearer …`, or Basic auth's user name (`base64(<key>:)`, as Segment sends its write
 * key), or (postbacks only) the `key` query parameter.
 */
export function keyFrom(authorization: string | undefined, queryKey?: unknown): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (m) return m[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] || undefined;
  return typeof queryKey === 'string' && queryKey.length > 0 ? queryKey : undefined;
}
