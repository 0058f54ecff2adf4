// Named queries of the platform connectors: the connector (a source with a sealed credential), its registered posts,
// its poll log, and what ClickHouse already holds of its counters and comments (so a restart never counts twice).
import type { ClickHouseClient } from '@clickhouse/client';
import type { ConnectorPlatform, ConnectorStatus } from '../connectors.js';
import { newId } from '../secrets.js';
import { nextVersion } from '../versions.js';
import { createSource, type SourceRow } from './access.js';

export interface ConnectorRow {
  source_id: string;
  platform: ConnectorPlatform;
  partner_id: string;
  /** The platform account the credential belongs to (the Instagram user id; '' when not needed). */
  account_id: string;
  /** Sealed with the data key; never leaves the server. */
  credential: string;
  status: ConnectorStatus;
  status_message: string;
  status_at: number;
  /** The source it sends as. */
  source: SourceRow;
}

const CONNECTOR_COLUMNS = `c.source_id AS source_id, c.platform AS platform, c.partner_id AS partner_id,
  c.account_id AS account_id, c.credential AS credential, c.status AS status, c.status_message AS status_message,
  toInt64(toUnixTimestamp64Milli(c.status_at)) AS status_at,
  s.name AS name, s.key_hash AS key_hash, s.campaign_ids AS campaign_ids, s.revoked AS revoked`;

type RawConnector = Omit<ConnectorRow, 'source'> & Omit<SourceRow, 'id'>;
const toConnector = (r: RawConnector): ConnectorRow => ({
  source_id: r.source_id,
  platform: r.platform,
  partner_id: r.partner_id,
  account_id: r.account_id,
  credential: r.credential,
  status: r.status,
  status_message: r.status_message,
  status_at: Number(r.status_at),
  source: { id: r.source_id, name: r.name, key_hash: r.key_hash, campaign_ids: r.campaign_ids, revoked: r.revoked },
});

async function writeConnector(client: ClickHouseClient, c: Omit<ConnectorRow, 'source'>): Promise<void> {
  const { source_id, platform, partner_id, account_id, credential, status, status_message, status_at } = c;
  await client.insert({
    table: 'connectors',
    format: 'JSONEachRow',
    values: [
      {
        ...{ source_id, platform, partner_id, account_id, credential, status, status_message, status_at },
        version: nextVersion(),
      },
    ],
  });
}

/** Creates the connector's source (named after the platform and partner) and the connector with its credential. */
export async function createConnector(
  client: ClickHouseClient,
  input: {
    platform: ConnectorPlatform;
    name: string;
    partner_id: string;
    account_id: string;
    sealedCredential: string;
    campaign_ids: string[];
    expected_every_s: number;
  },
): Promise<string> {
  const { id } = await createSource(client, {
    name: input.name,
    campaign_ids: input.campaign_ids,
    expected_every_s: input.expected_every_s,
  });
  await writeConnector(client, {
    source_id: id,
    platform: input.platform,
    partner_id: input.partner_id,
    account_id: input.account_id,
    credential: input.sealedCredential,
    status: 'active',
    status_message: '',
    status_at: Date.now(),
  });
  return id;
}

/** Every connector whose source is not revoked, credential still sealed. */
export async function listConnectors(client: ClickHouseClient): Promise<ConnectorRow[]> {
  const rs = await client.query({
    query: `SELECT ${CONNECTOR_COLUMNS} FROM connectors AS c FINAL
      INNER JOIN (SELECT * FROM sources FINAL) AS s ON s.id = c.source_id
      WHERE s.revoked = 0 ORDER BY c.source_id`,
    format: 'JSONEachRow',
  });
  return (await rs.json<RawConnector>()).map(toConnector);
}

export async function findConnector(client: ClickHouseClient, sourceId: string): Promise<ConnectorRow | null> {
  return (await listConnectors(client)).find((c) => c.source_id === sourceId) ?? null;
}

/** A new credential (and account): the connector is active again. */
export async function setConnectorCredential(
  client: ClickHouseClient,
  c: ConnectorRow,
  sealedCredential: string,
  accountId: string,
): Promise<void> {
  await writeConnector(client, {
    ...c,
    credential: sealedCredential,
    account_id: accountId,
    status: 'active',
    status_message: '',
    status_at: Date.now(),
  });
}

/** Turns a connector to `status` (needs_reauth: the platform refused the credential), saying why. */
export async function setConnectorStatus(
  client: ClickHouseClient,
  c: ConnectorRow,
  status: ConnectorStatus,
  message: string,
  at: number,
): Promise<void> {
  await writeConnector(client, { ...c, status, status_message: message, status_at: at });
}

export interface ConnectorPostRow {
  id: string;
  source_id: string;
  campaign_id: string;
  partner_id: string;
  platform: ConnectorPlatform;
  url: string;
  /** The id the URL names: a video id, or an Instagram shortcode. */
  url_id: string;
  /** The platform's id of the post ('' until an Instagram shortcode is looked up). */
  media_id: string;
  /** When the platform says it was published (0: not known yet). */
  published_at: number;
  registered_at: number;
  /** '' while polled; 'deleted' when the platform no longer has it; 'not_found' when the lookup found nothing. */
  status: string;
  status_message: string;
}

const POST_COLUMNS = `id, source_id, campaign_id, partner_id, platform, url, url_id, media_id,
  toInt64(toUnixTimestamp64Milli(published_at)) AS published_at,
  toInt64(toUnixTimestamp64Milli(registered_at)) AS registered_at, status, status_message`;
const toPost = (r: ConnectorPostRow): ConnectorPostRow => ({
  ...r,
  published_at: Number(r.published_at),
  registered_at: Number(r.registered_at),
});

async function writePosts(client: ClickHouseClient, posts: ConnectorPostRow[], deleted = 0): Promise<void> {
  if (posts.length === 0) return;
  await client.insert({
    table: 'connector_posts',
    format: 'JSONEachRow',
    values: posts.map((p) => ({ ...p, deleted, version: nextVersion() })),
  });
}

export async function registerConnectorPost(
  client: ClickHouseClient,
  input: Omit<ConnectorPostRow, 'id' | 'media_id' | 'published_at' | 'registered_at' | 'status' | 'status_message'> & {
    media_id: string;
  },
): Promise<ConnectorPostRow> {
  const post: ConnectorPostRow = {
    ...input,
    id: newId('cp'),
    published_at: 0,
    registered_at: Date.now(),
    status: '',
    status_message: '',
  };
  await writePosts(client, [post]);
  return post;
}

/** Posts not removed: of one connector, or of all. */
export async function connectorPosts(client: ClickHouseClient, sourceId?: string): Promise<ConnectorPostRow[]> {
  const rs = await client.query({
    query: `SELECT ${POST_COLUMNS} FROM connector_posts FINAL
      WHERE deleted = 0 AND ({all:Bool} OR source_id = {s:String}) ORDER BY registered_at, id`,
    query_params: { all: sourceId === undefined, s: sourceId ?? '' },
    format: 'JSONEachRow',
  });
  return (await rs.json<ConnectorPostRow>()).map(toPost);
}

/** What the connector learnt of posts (their media ids, publication times, that one is gone). */
export function updateConnectorPosts(client: ClickHouseClient, posts: ConnectorPostRow[]): Promise<void> {
  return writePosts(client, posts);
}

export function removeConnectorPost(client: ClickHouseClient, post: ConnectorPostRow): Promise<void> {
  return writePosts(client, [post], 1);
}

export interface PollLogRow {
  at: number;
  source_id: string;
  platform: string;
  endpoint: string;
  post_ids: string[];
  units: number;
  http_status: number;
  outcome: string;
  duration_ms: number;
  events: number;
  retry_after_ms: number;
  error: string;
}

export async function insertPollLog(client: ClickHouseClient, rows: PollLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({ table: 'connector_polls', format: 'JSONEachRow', values: rows });
}

/** Units each connector spent since `sinceMs` (its quota day), and of them the comment pages of the last day. */
export async function connectorUnitsSince(
  client: ClickHouseClient,
  sinceMs: number,
  dayAgoMs: number,
): Promise<Map<string, { used: number; commentUnitsLastDay: number }>> {
  const rs = await client.query({
    query: `SELECT source_id,
        sumIf(units, at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AS used,
        sumIf(units, endpoint = 'commentThreads.list') AS comment_units
      FROM connector_polls WHERE at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') GROUP BY source_id`,
    query_params: { since: sinceMs, from: Math.min(sinceMs, dayAgoMs) },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ source_id: string; used: number | string; comment_units: number | string }>();
  return new Map(
    rows.map((r) => [r.source_id, { used: Number(r.used), commentUnitsLastDay: Number(r.comment_units) }]),
  );
}

export interface StoredCounters {
  content_id: string;
  views: number;
  reach: number;
  likes: number;
  comments: number;
  shares: number;
  saves: number;
  /** How many engagement events the source stored for the content: the next one's sequence number. */
  events: number;
  /** The newest comment stored for the content (epoch ms; 0: none). */
  last_comment_ts: number;
}

/**
 * What a source already stored for its contents: the sum of its engagement deltas (the counters it last saw, since
 * every change was stored as a delta from zero), how many there were, and its newest comment. Read at start and
 * whenever a re-sent change came back a duplicate (the memory was behind the store).
 */
export async function storedCounters(
  client: ClickHouseClient,
  sourceId: string,
  campaignIds: string[],
  contentIds: string[],
): Promise<Map<string, StoredCounters>> {
  if (contentIds.length === 0) return new Map();
  const rs = await client.query({
    query: `SELECT content_id, sum(views) AS views, sum(reach) AS reach, sum(likes) AS likes, sum(comments) AS comments,
        sum(shares) AS shares, sum(saves) AS saves, countIf(type = 'engagement') AS events,
        toInt64(maxIf(toUnixTimestamp64Milli(ts), type = 'comment')) AS last_comment_ts
      FROM (
        SELECT content_id, type, ts, views, reach, likes, comments, shares, saves FROM events
        WHERE campaign_id IN {campaigns:Array(String)} AND type IN ('engagement', 'comment')
          AND source_id = {s:String} AND content_id IN {ids:Array(String)}
        LIMIT 1 BY event_id
      ) GROUP BY content_id`,
    query_params: { campaigns: [...new Set(campaignIds)], s: sourceId, ids: contentIds },
    format: 'JSONEachRow',
  });
  const out = new Map<string, StoredCounters>();
  for (const r of await rs.json<Record<string, string | number>>()) {
    const n = (k: string) => Number(r[k]);
    out.set(String(r.content_id), {
      content_id: String(r.content_id),
      views: n('views'),
      reach: n('reach'),
      likes: n('likes'),
      comments: n('comments'),
      shares: n('shares'),
      saves: n('saves'),
      events: n('events'),
      last_comment_ts: n('last_comment_ts'),
    });
  }
  return out;
}

/** Connectors the platform refused, with the campaigns of their posts: each gets a "needs re-authorisation" alert. */
export async function connectorsNeedingReauth(client: ClickHouseClient): Promise<
  {
    source_id: string;
    name: string;
    platform: string;
    partner_id: string;
    status_message: string;
    status_at: number;
    campaign_ids: string[];
  }[]
> {
  const rs = await client.query({
    query: `SELECT c.source_id AS source_id, s.name AS name, c.platform AS platform, c.partner_id AS partner_id,
        c.status_message AS status_message, toInt64(toUnixTimestamp64Milli(c.status_at)) AS status_at,
        p.campaign_ids AS campaign_ids
      FROM (SELECT * FROM connectors FINAL WHERE status = 'needs_reauth') AS c
      INNER JOIN (SELECT * FROM sources FINAL WHERE revoked = 0) AS s ON s.id = c.source_id
      INNER JOIN (SELECT source_id, groupUniqArray(campaign_id) AS campaign_ids FROM connector_posts FINAL
        WHERE deleted = 0 GROUP BY source_id) AS p ON p.source_id = c.source_id`,
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, unknown>>()).map((r) => ({
    source_id: String(r.source_id),
    name: String(r.name),
    platform: String(r.platform),
    partner_id: String(r.partner_id),
    status_message: String(r.status_message),
    status_at: Number(r.status_at),
    campaign_ids: r.campaign_ids as string[],
  }));
}
