// The connector runner: keeps every connector's registered posts on their cadence, polls the due ones in batches,
// sends what changed through ingest's pipeline as the connector's source, backs off on failures, and logs each call.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  connectorContentId,
  nextQuotaReset,
  pollIntervalMs,
  youtubeQuotaPlan,
  type ConnectorPlatform,
  type QuotaPlan,
} from '@pulseroom/schema';
import {
  connectorPosts,
  connectorUnitsSince,
  insertPollLog,
  listConnectors,
  openSecret,
  setConnectorStatus,
  storedCounters,
  updateConnectorPosts,
  type ConnectorPostRow,
  type ConnectorRow,
  type PollLogRow,
  type SourceRow,
} from '@pulseroom/schema/server';
import type { IngestConfig } from '../config.js';
import type { IngestMetrics } from '../metrics.js';
import type { BatchAnswer } from '../pipeline.js';
import { afterChange, commentEvent, engagementChange, postEvent, type Counters, type PostRef } from './changes.js';
import { backoffMs, callPlatform, PlatformError } from './platformCalls.js';
import type { OpenConnector, PlatformClient, PostOutcome, PostToPoll } from './platformClient.js';

export type ConnectorConfig = Pick<
  IngestConfig,
  | 'CONNECTOR_TICK_MS'
  | 'CONNECTOR_REFRESH_MS'
  | 'CONNECTOR_CONCURRENCY'
  | 'CONNECTOR_TIMEOUT_MS'
  | 'YOUTUBE_DAILY_QUOTA'
  | 'INGEST_FLUSH_MS'
>;

export interface ConnectorRunnerDeps {
  client: ClickHouseClient;
  config: ConnectorConfig;
  /** Opens the sealed credentials. */
  secretsKey: string;
  clients: Partial<Record<ConnectorPlatform, PlatformClient>>;
  logger: Logger;
  clock: () => number;
  /** Ingest's own path for a batch of events from `source` (validated, deduplicated, enriched, spooled). */
  accept: (source: SourceRow, events: Record<string, unknown>[]) => Promise<BatchAnswer>;
  metrics?: IngestMetrics;
  fetch?: typeof fetch;
  random?: () => number;
}

interface ConnectorState {
  row: ConnectorRow;
  /** The credential opened; null when it was sealed under another data key. */
  credential: string | null;
  failures: number;
  blockedUntil: number;
  /** Quota units spent in the current quota day (YouTube), and when that day ends. */
  used: number;
  dayEnds: number;
  commentUnits: { at: number; units: number }[];
  stretch: number;
  plan: QuotaPlan | null;
}

interface PostState {
  row: ConnectorPostRow;
  /** Our content id ('' until the platform's id is known). */
  contentId: string;
  /** The counters already stored, as a sum of the stored changes; null until read from the store. */
  base: Counters | null;
  /** When to read `base` again (it was found behind the store): once the spool has flushed what ingest holds. */
  reloadAt: number;
  seq: number;
  lastCommentTs: number;
  commentsSeen: number;
  commentsOff: boolean;
  postSent: boolean;
  nextAt: number;
}

const DAY_MS = 86_400_000;
/** A batch refused by ingest (spool full, store down) is tried again this soon. */
const RETRY_REFUSED_MS = 5_000;

export class ConnectorRunner {
  private readonly connectors = new Map<string, ConnectorState>();
  private readonly posts = new Map<string, PostState>();
  private pollLog: PollLogRow[] = [];
  private lastRefresh = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private quotaLoaded = false;

  constructor(private readonly d: ConnectorRunnerDeps) {}

  private get now(): number {
    return this.d.clock();
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      this.running = this.tick()
        .catch((err) => this.d.logger.error({ err }, 'connector tick failed'))
        .finally(() => {
          if (!this.stopped) (this.timer = setTimeout(loop, this.d.config.CONNECTOR_TICK_MS)).unref();
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.flushLog();
  }

  /** Each YouTube connector's quota plan (null for platforms that count no units). */
  plans(): Map<string, QuotaPlan> {
    const out = new Map<string, QuotaPlan>();
    for (const [id, c] of this.connectors) if (c.plan) out.set(id, c.plan);
    return out;
  }

  /** One round: re-read the registry when due, look up new posts' platform ids, poll every due post, log it all. */
  async tick(): Promise<void> {
    if (this.now - this.lastRefresh >= this.d.config.CONNECTOR_REFRESH_MS) await this.refresh();
    const pollable = () => {
      const bySource = groupBy(this.posts.values(), (p) => p.row.source_id);
      return [...this.connectors.values()].flatMap((conn) => {
        const client = this.d.clients[conn.row.platform];
        const ok = conn.row.status === 'active' && conn.credential !== null && this.now >= conn.blockedUntil;
        const mine = bySource.get(conn.row.source_id) ?? [];
        return client && ok && mine.length > 0 ? [{ conn, client, mine }] : [];
      });
    };
    const lookups = pollable().flatMap(({ conn, client, mine }) => {
      const unresolved = mine.filter((p) => !p.contentId);
      return unresolved.length > 0 && client.resolve ? [() => this.resolve(conn, client, unresolved)] : [];
    });
    await runLimited(lookups, this.d.config.CONNECTOR_CONCURRENCY);
    const stale = [...this.posts.values()].filter((p) => p.contentId && !p.base && p.reloadAt <= this.now);
    if (stale.length > 0) await this.loadBases(stale);
    const polls = pollable().flatMap(({ conn, client, mine }) => {
      const due = mine.filter((p) => p.contentId && p.base && p.nextAt <= this.now).sort((a, b) => a.nextAt - b.nextAt);
      const jobs: (() => Promise<void>)[] = [];
      for (let i = 0; i < due.length; i += client.batchSize) {
        const batch = due.slice(i, i + client.batchSize);
        jobs.push(() => this.pollBatch(conn, client, batch));
      }
      return jobs;
    });
    await runLimited(polls, this.d.config.CONNECTOR_CONCURRENCY);
    await this.flushLog();
  }

  /** Reads connectors and posts from the store; new posts get their stored counters before their first poll. */
  async refresh(): Promise<void> {
    const { client } = this.d;
    const now = this.now;
    this.lastRefresh = now;
    const rows = await listConnectors(client);
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.source_id);
      const had = this.connectors.get(row.source_id);
      if (had && had.row.credential === row.credential && had.row.status === row.status) {
        had.row = row;
        continue;
      }
      const credential = openSecret(this.d.secretsKey, row.credential);
      if (credential === null)
        this.d.logger.warn(
          { source_id: row.source_id },
          'connector credential sealed under another data key (PULSEROOM_SECRETS_KEY): paste it again',
        );
      this.connectors.set(row.source_id, {
        ...(had ?? { used: 0, dayEnds: 0, commentUnits: [], stretch: 1, plan: null }),
        row,
        credential,
        failures: 0,
        blockedUntil: 0,
      });
    }
    for (const id of this.connectors.keys()) if (!seen.has(id)) this.connectors.delete(id);
    if (!this.quotaLoaded) await this.loadQuotaUse(now);

    const posts = await connectorPosts(client);
    const live = new Set<string>();
    const fresh: PostState[] = [];
    for (const row of posts) {
      if (row.status !== '' || !this.connectors.has(row.source_id)) continue;
      live.add(row.id);
      const had = this.posts.get(row.id);
      if (had) {
        had.row = { ...row, media_id: had.row.media_id || row.media_id };
        continue;
      }
      const p: PostState = {
        row,
        contentId: row.media_id ? connectorContentId(row.platform, row.media_id) : '',
        base: null,
        reloadAt: 0,
        seq: 0,
        lastCommentTs: 0,
        commentsSeen: 0,
        commentsOff: false,
        postSent: false,
        nextAt: now,
      };
      this.posts.set(row.id, p);
      if (p.contentId) fresh.push(p);
    }
    for (const id of this.posts.keys()) if (!live.has(id)) this.posts.delete(id);
    await this.loadBases(fresh);
    this.replan(now);
  }

  /** The quota units each connector already spent today (a restart must not forget them). */
  private async loadQuotaUse(now: number): Promise<void> {
    const dayEnds = nextQuotaReset(now);
    const used = await connectorUnitsSince(this.d.client, dayEnds - DAY_MS, now - DAY_MS);
    for (const [id, c] of this.connectors) {
      const u = used.get(id);
      c.used = u?.used ?? 0;
      c.dayEnds = dayEnds;
      if (u && u.commentUnitsLastDay > 0) c.commentUnits = [{ at: now, units: u.commentUnitsLastDay }];
    }
    this.quotaLoaded = true;
  }

  /** Stretches each YouTube connector's cadence so a day of polls fits its quota (schema's youtubeQuotaPlan). */
  private replan(now: number): void {
    for (const c of this.connectors.values()) {
      if (c.row.platform !== 'youtube') continue;
      if (now >= c.dayEnds) {
        c.used = 0;
        c.dayEnds = nextQuotaReset(now);
      }
      c.commentUnits = c.commentUnits.filter((u) => u.at > now - DAY_MS);
      const ages = [...this.posts.values()]
        .filter((p) => p.row.source_id === c.row.source_id)
        .map((p) => now - (p.row.published_at || p.row.registered_at));
      c.plan = youtubeQuotaPlan({
        postAgesMs: ages,
        commentUnitsLastDay: c.commentUnits.reduce((n, u) => n + u.units, 0),
        usedToday: c.used,
        budget: this.d.config.YOUTUBE_DAILY_QUOTA,
      });
      c.stretch = c.plan.stretch;
      // Out of quota: nothing more until YouTube's day ends (midnight Pacific time).
      if (c.used >= c.plan.budget_units_per_day) c.blockedUntil = Math.max(c.blockedUntil, c.dayEnds);
      const g = this.d.metrics?.connectorQuota;
      if (g) {
        const id = c.row.source_id;
        g.set({ source_id: id, kind: 'budget' }, c.plan.budget_units_per_day);
        g.set({ source_id: id, kind: 'used' }, c.used);
        g.set({ source_id: id, kind: 'wanted' }, c.plan.wanted_units_per_day);
        g.set({ source_id: id, kind: 'planned' }, c.plan.planned_units_per_day);
      }
    }
  }

  /** The counters, change count and newest comment each post's source already stored. */
  private async loadBases(posts: PostState[]): Promise<void> {
    for (const [sourceId, list] of groupBy(posts, (p) => p.row.source_id)) {
      const stored = await storedCounters(
        this.d.client,
        sourceId,
        list.map((p) => p.row.campaign_id),
        list.map((p) => p.contentId),
      );
      for (const p of list) {
        const s = stored.get(p.contentId);
        p.base = s
          ? { views: s.views, likes: s.likes, comments: s.comments, shares: s.shares, reach: s.reach, saves: s.saves }
          : {};
        p.seq = s?.events ?? 0;
        p.lastCommentTs = s?.last_comment_ts ?? 0;
        p.commentsSeen = s?.comments ?? 0;
      }
    }
  }

  private open(conn: ConnectorState): OpenConnector {
    return { sourceId: conn.row.source_id, credential: conn.credential!, accountId: conn.row.account_id };
  }

  private caller(conn: ConnectorState, client: PlatformClient, log: PollLogRow[]) {
    const deps = {
      fetch: this.d.fetch ?? fetch,
      timeoutMs: this.d.config.CONNECTOR_TIMEOUT_MS,
      clock: this.d.clock,
      sourceId: conn.row.source_id,
      platform: conn.row.platform,
      log,
    };
    return (spec: Parameters<Parameters<PlatformClient['poll']>[2]>[0]) =>
      callPlatform(deps, { ...spec, classify: client.classify });
  }

  /** Instagram: finds the media id behind each shortcode in the creator's media. */
  private async resolve(conn: ConnectorState, client: PlatformClient, posts: PostState[]): Promise<void> {
    const log: PollLogRow[] = [];
    try {
      const found = await client.resolve!(
        this.open(conn),
        posts.map((p) => toPoll(p)),
        this.caller(conn, client, log),
      );
      const changed: ConnectorPostRow[] = [];
      for (const p of posts) {
        const r = found.get(p.row.id);
        if (!r) continue;
        if (r.kind === 'gone') {
          p.row = { ...p.row, status: 'not_found', status_message: r.message };
          this.posts.delete(p.row.id);
        } else {
          p.row = { ...p.row, media_id: r.mediaId, published_at: r.publishedAt ?? p.row.published_at };
          p.contentId = connectorContentId(p.row.platform, r.mediaId);
        }
        changed.push(p.row);
      }
      await updateConnectorPosts(this.d.client, changed);
      await this.loadBases(posts.filter((p) => p.contentId));
      conn.failures = 0;
    } catch (e) {
      this.failed(conn, posts, e);
    } finally {
      this.logged(conn, log, 0);
    }
  }

  private async pollBatch(conn: ConnectorState, client: PlatformClient, posts: PostState[]): Promise<void> {
    if (this.now < conn.blockedUntil || conn.row.status !== 'active') return; // a batch before this one failed
    const log: PollLogRow[] = [];
    let produced = 0;
    try {
      const outcomes = await client.poll(
        this.open(conn),
        posts.map((p) => toPoll(p)),
        this.caller(conn, client, log),
      );
      conn.failures = 0;
      produced = await this.store(conn, posts, outcomes);
    } catch (e) {
      this.failed(conn, posts, e);
    } finally {
      this.logged(conn, log, produced);
    }
  }

  /** Turns a batch's outcomes into events, sends them, and moves each post's memory and schedule on. */
  private async store(conn: ConnectorState, posts: PostState[], outcomes: Map<string, PostOutcome>): Promise<number> {
    const now = this.now;
    const changes: { p: PostState; event: Record<string, unknown>; after: Counters }[] = [];
    const others: Record<string, unknown>[] = [];
    const seen: { p: PostState; comments?: number; newest: number }[] = [];
    const learnt: ConnectorPostRow[] = [];
    for (const p of posts) {
      const o = outcomes.get(p.row.id);
      if (!o) continue;
      if (o.kind === 'gone') {
        p.row = { ...p.row, status: 'deleted', status_message: o.message };
        learnt.push(p.row);
        this.posts.delete(p.row.id);
        this.d.logger.info({ post: p.row.id, url: p.row.url }, o.message);
        continue;
      }
      if (o.commentsOff) p.commentsOff = true;
      if (o.obs.publishedAt && o.obs.publishedAt !== p.row.published_at) {
        p.row = { ...p.row, published_at: o.obs.publishedAt };
        learnt.push(p.row);
      }
      const ref = postRef(p);
      if (!p.postSent) others.push(postEvent(ref, o.obs, now));
      const change = engagementChange(ref, p.base!, o.obs.counters, p.seq + 1, now);
      if (change) changes.push({ p, event: change, after: afterChange(p.base!, o.obs.counters) });
      let newest = p.lastCommentTs;
      for (const c of o.obs.comments ?? []) {
        const ev = commentEvent(ref, c, now);
        if (ev) others.push(ev);
        newest = Math.max(newest, c.ts);
      }
      seen.push({ p, comments: o.obs.comments ? o.obs.counters.comments : undefined, newest });
    }
    await updateConnectorPosts(this.d.client, learnt);

    const source = conn.row.source;
    let produced = 0;
    try {
      // Comments and the post first: an engagement change is only remembered once its comments are stored too.
      if (others.length > 0) produced += this.counted(conn, others, await this.send(source, others));
      for (const s of seen) {
        s.p.postSent = true;
        s.p.lastCommentTs = s.newest;
        if (s.comments !== undefined) s.p.commentsSeen = s.comments;
      }
      if (changes.length > 0) {
        const events = changes.map((c) => c.event);
        const answer = await this.send(source, events);
        produced += this.counted(conn, events, answer);
        const refused = new Set(answer.rejected.map((r) => r.index));
        if (answer.duplicates > 0) {
          // Some change was stored already (by a run whose memory this one lost): the counters are read again from
          // the store, once the spool has flushed what ingest already holds of them.
          for (const c of changes) {
            c.p.base = null;
            c.p.reloadAt = now + this.d.config.INGEST_FLUSH_MS + 1000;
          }
        } else
          changes.forEach((c, i) => {
            if (refused.has(i)) return;
            c.p.base = c.after;
            c.p.seq++;
          });
      }
    } catch (err) {
      // Ingest could not take them (spool full, store down): the same changes are computed again next time.
      this.d.logger.warn({ err, source_id: source.id }, 'ingest refused the connector batch; retrying');
      for (const p of posts) p.nextAt = now + RETRY_REFUSED_MS;
      return produced;
    }
    for (const p of posts) p.nextAt = now + Math.round(pollIntervalMs(now - startedAt(p)) * conn.stretch);
    return produced;
  }

  private async send(source: SourceRow, events: Record<string, unknown>[]): Promise<BatchAnswer> {
    const total: BatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    for (let i = 0; i < events.length; i += 1000) {
      const a = await this.d.accept(source, events.slice(i, i + 1000));
      total.accepted += a.accepted;
      total.duplicates += a.duplicates;
      total.rejected.push(...a.rejected.map((r) => ({ ...r, index: r.index + i })));
    }
    if (total.rejected.length > 0)
      this.d.logger.warn({ source_id: source.id, rejected: total.rejected.slice(0, 5) }, 'connector events rejected');
    return total;
  }

  private counted(conn: ConnectorState, events: Record<string, unknown>[], a: BatchAnswer): number {
    const m = this.d.metrics?.connectorEvents;
    if (m && a.accepted > 0) {
      const refused = new Set(a.rejected.map((r) => r.index));
      const byType = new Map<string, number>();
      events.forEach((e, i) => refused.has(i) || byType.set(String(e.type), (byType.get(String(e.type)) ?? 0) + 1));
      for (const [type, n] of byType) m.inc({ platform: conn.row.platform, type }, n);
    }
    return a.accepted;
  }

  /** What a failure means: re-authorise, wait for the quota day, back off with jitter, or drop a gone post. */
  private failed(conn: ConnectorState, posts: PostState[], e: unknown): void {
    const now = this.now;
    const log = this.d.logger.child({ source_id: conn.row.source_id, platform: conn.row.platform });
    if (!(e instanceof PlatformError)) {
      log.error({ err: e }, 'connector poll failed');
      conn.failures++;
      conn.blockedUntil = now + backoffMs(conn.failures, null, this.d.random);
      return;
    }
    switch (e.failure) {
      case 'auth':
        if (conn.row.status === 'needs_reauth') return;
        conn.row = { ...conn.row, status: 'needs_reauth', status_message: e.message, status_at: now };
        log.warn({ reason: e.message }, 'the platform refused the credential: the connector needs re-authorisation');
        setConnectorStatus(this.d.client, conn.row, 'needs_reauth', e.message, now).catch((err) =>
          log.error({ err }, 'could not store the connector status'),
        );
        return;
      case 'quota':
        conn.blockedUntil = nextQuotaReset(now);
        log.warn({ until: new Date(conn.blockedUntil).toISOString() }, `quota exceeded: ${e.message}`);
        return;
      case 'not_found':
        if (posts.length === 1) {
          const [p] = posts;
          p.row = { ...p.row, status: 'deleted', status_message: e.message };
          this.posts.delete(p.row.id);
          updateConnectorPosts(this.d.client, [p.row]).catch((err) => log.error({ err }, 'could not store a post'));
          return;
        }
        break;
      case 'rejected':
        // The platform refused these posts (not the connector): they wait for their next turn.
        log.warn({ reason: e.message, posts: posts.map((p) => p.row.id) }, 'platform refused a poll');
        for (const p of posts) p.nextAt = now + pollIntervalMs(now - startedAt(p));
        return;
    }
    conn.failures++;
    conn.blockedUntil = now + backoffMs(conn.failures, e.retryAfterMs, this.d.random);
    log.warn({ reason: e.message, retry_in_ms: conn.blockedUntil - now }, 'platform call failed; backing off');
  }

  private logged(conn: ConnectorState, log: PollLogRow[], produced: number): void {
    if (log.length === 0) return;
    log[0].events = produced;
    for (const r of log) {
      this.d.metrics?.connectorCalls.inc({ platform: r.platform, endpoint: r.endpoint, outcome: r.outcome });
      if (r.http_status === 0) continue; // never reached the platform: no quota spent
      conn.used += r.units;
      if (r.endpoint === 'commentThreads.list') conn.commentUnits.push({ at: r.at, units: r.units });
    }
    this.pollLog.push(...log);
  }

  private async flushLog(): Promise<void> {
    if (this.pollLog.length === 0) return;
    const rows = this.pollLog;
    this.pollLog = [];
    try {
      await insertPollLog(this.d.client, rows);
    } catch (err) {
      // kept for the next round, up to a bound: the log must not grow without end while the store is away
      this.pollLog = [...rows.slice(-10_000), ...this.pollLog];
      this.d.logger.warn({ err }, 'could not write the connector poll log; keeping it for the next round');
    }
  }
}

/** When a post's clock started: its publication, or its registration while that is unknown. */
const startedAt = (p: PostState) => p.row.published_at || p.row.registered_at;

const toPoll = (p: PostState): PostToPoll => ({
  id: p.row.id,
  mediaId: p.row.media_id,
  urlId: p.row.url_id,
  commentsSeen: p.commentsSeen,
  lastCommentTs: p.lastCommentTs,
  commentsOff: p.commentsOff,
  needsCaption: !p.postSent,
});

const postRef = (p: PostState): PostRef => ({
  campaign_id: p.row.campaign_id,
  partner_id: p.row.partner_id,
  platform: p.row.platform,
  content_id: p.contentId,
  url: p.row.url,
});

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Runs `jobs` with at most `limit` at once. */
async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
