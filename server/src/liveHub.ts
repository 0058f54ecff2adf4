// Socket.IO: authenticates dashboard tokens, puts each subscription in a room per view, and pushes snapshots, deltas, feed items and alerts.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  addToFieldPatch,
  describeZodError,
  GROUPS,
  packSnapshot,
  subscribeRequest,
  toMinor,
  type Ack,
  type Alert,
  type Campaign,
  type CampaignInfo,
  type ClientToServerEvents,
  type DashboardScope,
  type Delta,
  type FeeTerm,
  type GroupName,
  type GroupRow,
  type GroupPatch,
  type ServerToClientEvents,
  type Snapshot,
  type WindowName,
  type WireSnapshot,
} from '@pulseroom/schema';
import { forbidden, HttpError, invalidRequest, notFound, toHttpError } from '@pulseroom/schema/server';
import { alertVisible, ENV_ADMIN_TOKEN_ID, roomName, viewFor, type TokenResolver, type ViewRequest } from './access.js';
import { computeGroups, keyVisible, lastHourBuckets, partnerInfos, partnerVisible, seriesPoints, type ViewSpec } from './engine/breakdowns.js';
import type { AggregationEngine, TickResult } from './engine/rollingWindows.js';
import type { DimensionCacheLike } from './engine/types.js';
import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './promMetrics.js';
import { AlertMemory } from './alertMemory.js';
import { findAlert, insertAlerts } from './queries/alerts.js';
import { rowChange } from './rowDiff.js';
import { validTokenIds } from './queries/tokens.js';

/** At most 4 deltas a second per room, whatever the tick. */
const MIN_DELTA_INTERVAL_MS = 250;
/** Feed items pushed per campaign and tick (the snapshot carries the latest 50). */
const FEED_PER_TICK = 20;
/** Alerts a snapshot carries. */
const SNAPSHOT_ALERTS = 50;

interface SocketData {
  scope: DashboardScope;
  /** campaign id → room name */
  subs: Map<string, string>;
  /** campaign id → the alert rooms joined for it */
  alertRooms: Map<string, string[]>;
}

type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface Room {
  name: string;
  /** A scope representative of the room's members (rooms are per manager id or "all"). */
  scope: DashboardScope;
  req: ViewRequest;
  window: WindowName;
  seq: number;
  /** The rows the members hold, by group and key (as last sent: rows are never mutated after; partner rows' fee shares excepted, which members derive from `terms`). */
  sent: Map<GroupName, Map<string, GroupRow>>;
  /** The partners' fee terms the members hold. */
  terms: Record<string, FeeTerm>;
  lastEmit: number;
  dirty: boolean;
  buckets: Set<number>;
  /** Sockets whose snapshot goes out with the next flush, all in one broadcast (one encoding). */
  pending: PendingJoin[];
  /** The snapshot of the room's current state, built at most once per state: reused by every socket joining before it changes. */
  cached: { key: string; snapshot: WireSnapshot } | null;
}

interface PendingJoin {
  socket: LiveSocket;
  done: (ack: Ack) => void;
}

export interface LiveHubDeps {
  engine: AggregationEngine;
  /** `onChange` (the real cache has it) lets cached snapshots follow dimension changes made between ticks. */
  dims: DimensionCacheLike & { onChange?: (listener: () => void) => () => void };
  resolver: TokenResolver;
  client: ClickHouseClient;
  config: ServerConfig;
  logger: Logger;
  metrics: ServerMetrics;
}

/** Counters tests read: snapshots built (not sent) and alert queries made. */
export interface LiveHubStats {
  snapshotBuilds: number;
  readonly alertLoads: number;
}

export function campaignInfo(c: Campaign): CampaignInfo {
  return {
    id: c.id,
    name: c.name,
    brand: c.brand,
    start: c.start,
    end: c.end,
    timezone: c.timezone,
    currency: c.currency,
    budget_minor: toMinor(c.budget, c.currency),
    goals: { revenue_minor: c.goals.revenue === undefined ? null : toMinor(c.goals.revenue, c.currency), clicks: c.goals.clicks ?? null, er: c.goals.er ?? null },
  };
}

/** Sockets that see the whole campaign join the campaign's alert room; a manager's join one per partner of theirs. */
export const alertRoom = (campaignId: string, partnerId: string | null) => (partnerId === null ? `alerts|${campaignId}|all` : `alerts|${campaignId}|p:${partnerId}`);

const errorOf = (e: unknown): { code: string; message: string } => toHttpError(e, 'something went wrong; try again').body().error;

export class LiveHub {
  io: LiveServer | null = null;
  readonly rooms = new Map<string, Room>();
  private revalidateTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private joinFlush: NodeJS.Immediate | null = null;
  private readonly alerts: AlertMemory;
  /** Bumped when dimensions change, so cached snapshots (partners, campaign, fees) are rebuilt. */
  private dimsEpoch = 0;
  private readonly offDims: (() => void) | null;
  readonly stats: LiveHubStats;

  constructor(private readonly deps: LiveHubDeps) {
    // With the Redis adapter other nodes raise and acknowledge alerts too: reload a campaign's alerts every few seconds.
    this.alerts = new AlertMemory({ client: deps.client, maxAgeMs: deps.config.REDIS_URL ? 5_000 : Infinity });
    this.offDims =
      deps.dims.onChange?.(() => {
        this.dimsEpoch++;
        // Rows may change with dimensions (fees, followers, filters): members get them before any newcomer's snapshot.
        for (const room of this.rooms.values()) room.dirty = true;
      }) ?? null;
    const alerts = this.alerts;
    this.stats = {
      snapshotBuilds: 0,
      get alertLoads() {
        return alerts.loads;
      },
    };
  }

  attach(http: HttpServer): LiveServer {
    // perMessageDeflate off: on small JSON deltas compression costs more lag than it saves (bench: fan-out).
    const io: LiveServer = new Server(http, { path: '/socket.io', perMessageDeflate: false, httpCompression: false, serveClient: false, cors: { origin: false } });
    this.io = io;
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.deps.resolver.resolve(typeof token === 'string' ? token : null).then(
        (scope) => {
          if (!scope) {
            const err = new Error('invalid or revoked dashboard token') as Error & { data?: unknown };
            err.data = { code: 'UNAUTHORIZED', message: 'connect with auth: { token } set to a valid dashboard token' };
            return next(err);
          }
          socket.data.scope = scope;
          socket.data.subs = new Map();
          socket.data.alertRooms = new Map();
          next();
        },
        (e) => {
          this.deps.logger.error({ err: e }, 'token lookup failed');
          next(new Error('token lookup failed; try again'));
        },
      );
    });
    io.on('connection', (socket) => this.onConnection(socket));
    io.of('/').adapter.on('delete-room', (name: string) => {
      // A room with sockets about to join (their snapshot is pending) stays: they join it at the next flush.
      if (this.rooms.get(name)?.pending.length) return;
      if (this.rooms.delete(name)) this.deps.metrics.rooms.set(this.rooms.size);
    });
    this.revalidateTimer = setInterval(() => void this.revalidate().catch((e) => this.deps.logger.warn({ err: e }, 'token revalidation failed')), 1000);
    this.revalidateTimer.unref();
    return io;
  }

  private onConnection(socket: LiveSocket): void {
    const { metrics } = this.deps;
    metrics.sockets.inc();
    void socket.join(`tok:${socket.data.scope.token_id}`);
    socket.on('disconnect', () => metrics.sockets.dec());
    socket.on('subscribe', (raw, ack) => {
      this.subscribe(socket, raw).then(
        (res) => typeof ack === 'function' && ack(res),
        (e) => {
          this.deps.logger.error({ err: e }, 'subscribe failed');
          if (typeof ack === 'function') ack({ ok: false, error: errorOf(e) });
        },
      );
    });
    socket.on('unsubscribe', (raw, ack) => {
      if (typeof raw?.campaign_id !== 'string') {
        if (typeof ack === 'function') ack({ ok: false, error: errorOf(invalidRequest({ path: 'campaign_id', message: 'expected the id of a subscribed campaign' })) });
        return;
      }
      const id = raw.campaign_id;
      const room = socket.data.subs.get(id);
      if (room) void socket.leave(room);
      socket.data.subs.delete(id);
      for (const a of socket.data.alertRooms.get(id) ?? []) void socket.leave(a);
      socket.data.alertRooms.delete(id);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('ack_alert', (raw, ack) => {
      if (typeof raw?.alert_id !== 'string' || raw.alert_id.length === 0 || raw.alert_id.length > 128) {
        if (typeof ack === 'function') ack({ ok: false, error: errorOf(invalidRequest({ path: 'alert_id', message: 'expected the id of an alert' })) });
        return;
      }
      const id = raw.alert_id;
      this.acknowledge(socket.data.scope, id).then(
        () => typeof ack === 'function' && ack({ ok: true }),
        (e) => typeof ack === 'function' && ack({ ok: false, error: errorOf(e) }),
      );
    });
  }

  private async subscribe(socket: LiveSocket, raw: unknown): Promise<Ack> {
    const parsed = subscribeRequest.safeParse(raw);
    if (!parsed.success) {
      const error = { code: 'INVALID_REQUEST', message: describeZodError(parsed.error) };
      socket.emit('error', error);
      return { ok: false, error };
    }
    const req = parsed.data;
    const scope = socket.data.scope;
    let spec: ViewSpec;
    try {
      spec = viewFor(scope, this.deps.dims, req);
    } catch (e) {
      const error = errorOf(e);
      socket.emit('error', error);
      return { ok: false, error };
    }
    // The campaign's alerts come from memory; the first subscribe of a campaign loads them (one query, shared).
    if (!this.alerts.peek(req.campaign_id)) await this.alerts.load(req.campaign_id);
    if (!socket.connected) return { ok: false, error: errorOf(new HttpError(409, 'DISCONNECTED', 'the socket disconnected while subscribing')) };
    const name = roomName(scope, req, req.window);
    const previous = socket.data.subs.get(req.campaign_id);
    if (previous && previous !== name) void socket.leave(previous);
    const room = this.room(name, scope, req, req.window);
    socket.data.subs.set(req.campaign_id, name);
    for (const a of socket.data.alertRooms.get(req.campaign_id) ?? []) void socket.leave(a);
    const alertRooms = scope.role === 'manager' ? [...(spec.partners ?? [])].map((p) => alertRoom(req.campaign_id, p)) : [alertRoom(req.campaign_id, null)];
    for (const a of alertRooms) void socket.join(a);
    socket.data.alertRooms.set(req.campaign_id, alertRooms);
    // The socket joins the room when its snapshot goes out (the next flush), so it never sees a delta older than it.
    return new Promise<Ack>((done) => {
      room.pending.push({ socket, done });
      this.scheduleJoins();
    });
  }

  private scheduleJoins(): void {
    if (this.joinFlush) return;
    this.joinFlush = setImmediate(() => {
      this.joinFlush = null;
      this.flushJoins();
    });
  }

  /** Sends each room's pending sockets one shared snapshot in one broadcast, after bringing the room's members up to date. */
  private flushJoins(): void {
    for (const room of this.rooms.values()) {
      if (room.pending.length === 0) continue;
      const pending = room.pending;
      room.pending = [];
      // A socket that moved on (another subscribe of the campaign) or left is not joined; its ack still answers.
      const joining = pending.filter((p) => p.socket.connected && p.socket.data.subs.get(room.req.campaign_id) === room.name);
      const spec = this.specOf(room);
      if (!spec || !this.io || joining.length === 0) {
        for (const p of pending) p.done(spec ? { ok: true } : { ok: false, error: errorOf(notFound('CAMPAIGN_NOT_FOUND', `no campaign "${room.req.campaign_id}" in this token's scope`)) });
        // Nobody joined a room made for them: forget it (the adapter never held it, so it sends no delete-room).
        if (this.io && !this.io.of('/').adapter.rooms.has(room.name) && this.rooms.delete(room.name)) this.deps.metrics.rooms.set(this.rooms.size);
        continue;
      }
      // Members hold the rows last emitted; bring them up to date before the newcomers' snapshot.
      if (room.dirty) this.emitDelta(room, Date.now(), 0);
      const snapshot = this.roomSnapshot(room, spec);
      const ids = new Set<string>();
      for (const p of joining) {
        void p.socket.join(room.name);
        ids.add(p.socket.id);
      }
      this.io.local.to([...ids]).emit('snapshot', snapshot);
      this.deps.metrics.snapshots.inc(ids.size);
      for (const p of pending) p.done({ ok: true });
    }
  }

  private room(name: string, scope: DashboardScope, req: ViewRequest, window: WindowName): Room {
    let room = this.rooms.get(name);
    if (room) return room;
    const representative: DashboardScope = scope.role === 'manager' ? { ...scope } : { token_id: '', role: 'admin', campaign_ids: [], manager_id: '' };
    room = { name, scope: representative, req: { campaign_id: req.campaign_id, partner_id: req.partner_id, mine: req.mine, filter: req.filter }, window, seq: 0, sent: new Map(), terms: Object.create(null) as Record<string, FeeTerm>, lastEmit: 0, dirty: false, buckets: new Set(), pending: [], cached: null };
    const spec = viewFor(representative, this.deps.dims, room.req);
    const groups = computeGroups(this.deps.engine, this.deps.dims, spec, window, room.terms);
    for (const g of GROUPS) room.sent.set(g, new Map(groups[g].map((r) => [r.key, r])));
    this.rooms.set(name, room);
    this.deps.metrics.rooms.set(this.rooms.size);
    return room;
  }

  /**
   * The room's snapshot, rebuilt only when what it shows may have changed: a delta (seq), a tick (feed, clock), alerts or
   * dimensions. The room is not dirty here, so its rows equal what its members hold.
   */
  private roomSnapshot(room: Room, spec: ViewSpec): WireSnapshot {
    const key = `${room.seq}|${this.deps.engine.lastTickAt}|${this.deps.engine.bucket}|${this.alerts.version(room.req.campaign_id)}|${this.dimsEpoch}`;
    if (room.cached?.key === key) return room.cached.snapshot;
    const held = this.alerts.peek(room.req.campaign_id)?.alerts ?? [];
    // As the alerts query had it: a view narrowed to partners gets only their alerts, campaign-wide ones excluded.
    const alerts = held.filter((a) => (spec.partners === null || (a.partner_id !== '' && spec.partners.has(a.partner_id))) && this.alertInView(room.scope, spec, a)).slice(0, SNAPSHOT_ALERTS);
    // Packed once per state (rows as value arrays under one list of names): every joining socket gets the same message.
    const snapshot = packSnapshot(this.snapshot(room, spec, alerts));
    this.stats.snapshotBuilds++;
    room.cached = { key, snapshot };
    return snapshot;
  }

  private snapshot(room: Room, spec: ViewSpec, alerts: Alert[]): Snapshot {
    const { engine, dims } = this.deps;
    const campaign = dims.campaign(room.req.campaign_id)!;
    const terms = Object.create(null) as Record<string, FeeTerm>;
    const groups = computeGroups(engine, dims, spec, room.window, terms);
    const state = engine.campaigns.get(room.req.campaign_id);
    return {
      campaign_id: room.req.campaign_id,
      window: room.window,
      at: engine.lastTickAt,
      seq: room.seq,
      campaign: campaignInfo(campaign),
      partners: partnerInfos(spec, dims, state),
      groups,
      window_end: engine.windowRange(room.window).to,
      fee_terms: terms,
      series: seriesPoints(engine, dims, spec, lastHourBuckets(engine)),
      comments: (state?.comments ?? []).filter((c) => keyVisible(spec, dims, c.partner_id, c.platform)),
      posts: (state?.posts ?? []).filter((p) => keyVisible(spec, dims, p.partner_id, p.platform)),
      alerts,
    };
  }

  private specOf(room: Room): ViewSpec | null {
    try {
      return viewFor(room.scope, this.deps.dims, room.req);
    } catch {
      return null; // the campaign left the scope (dimensions changed): the room gets nothing more
    }
  }

  /** Pushes what one tick changed: deltas per room (serialised once per room), then feed items. */
  onTick(result: TickResult, dimsChanged = false): void {
    const t0 = performance.now();
    const now = Date.now();
    for (const room of this.rooms.values()) {
      const change = result.changes.get(room.req.campaign_id);
      if (change || dimsChanged) {
        room.dirty = true;
        if (change) for (const b of change.buckets) room.buckets.add(b);
        if (change?.slid) room.buckets.add(this.deps.engine.bucket);
      }
      if (room.dirty && now - room.lastEmit >= MIN_DELTA_INTERVAL_MS) this.emitDelta(room, now, result.newestInsertMs);
    }
    this.scheduleFlush();
    this.pushFeed(result);
    this.deps.metrics.pushSeconds.observe((performance.now() - t0) / 1000);
  }

  /** Rooms held back by the 4-a-second limit get their delta as soon as the limit allows, tick or no tick. */
  private scheduleFlush(): void {
    if (this.flushTimer) return;
    let due = Infinity;
    for (const room of this.rooms.values()) if (room.dirty) due = Math.min(due, room.lastEmit + MIN_DELTA_INTERVAL_MS);
    if (due === Infinity) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      const now = Date.now();
      for (const room of this.rooms.values()) if (room.dirty && now - room.lastEmit >= MIN_DELTA_INTERVAL_MS) this.emitDelta(room, now, 0);
      this.scheduleFlush();
    }, Math.max(0, due - Date.now()));
  }

  private emitDelta(room: Room, now: number, newestInsertMs: number): void {
    room.dirty = false;
    const spec = this.specOf(room);
    if (!spec || !this.io) return;
    const { engine, dims } = this.deps;
    const terms = Object.create(null) as Record<string, FeeTerm>;
    const groups = computeGroups(engine, dims, spec, room.window, terms);
    // Fee terms the members lack or hold otherwise (dimensions changed): sent, so they derive partner fee shares right.
    let newTerms: Record<string, FeeTerm> | null = null;
    for (const id of Object.keys(terms)) {
      const held = Object.hasOwn(room.terms, id) ? room.terms[id] : undefined;
      if (!held || held.some((v, i) => v !== terms[id][i])) (newTerms ??= Object.create(null) as Record<string, FeeTerm>)[id] = terms[id];
    }
    if (newTerms) Object.assign(room.terms, newTerms);
    const changed: Partial<Record<GroupName, GroupRow[]>> = {};
    const patches: Partial<Record<GroupName, GroupPatch>> = {};
    let any = newTerms !== null;
    let patched = false;
    for (const g of GROUPS) {
      const sent = room.sent.get(g)!;
      for (const row of groups[g]) {
        const c = rowChange(sent.get(row.key), row, g === 'partner' && Object.hasOwn(room.terms, row.key));
        if (!c) continue;
        sent.set(row.key, row);
        any = true;
        if (c.full) (changed[g] ??= []).push(c.full);
        else {
          const p = (patches[g] ??= {});
          if (c.moved.metrics) addToFieldPatch((p.metrics ??= {}), row.key, c.moved.metrics);
          if (c.moved.previous) addToFieldPatch((p.previous ??= {}), row.key, c.moved.previous);
          patched = true;
        }
      }
    }
    const hourAgo = engine.bucket - 3_600_000;
    const buckets = [...room.buckets].filter((b) => b > hourAgo && b <= engine.bucket).sort((a, b) => a - b);
    room.buckets.clear();
    const series = buckets.length > 0 ? seriesPoints(engine, dims, spec, buckets) : [];
    if (!any && series.length === 0) return;
    room.seq++;
    room.lastEmit = now;
    const delta: Delta = { campaign_id: room.req.campaign_id, window: room.window, at: engine.lastTickAt, seq: room.seq, groups: changed, ...(patched ? { patches } : {}), window_end: engine.windowRange(room.window).to, ...(newTerms ? { fee_terms: newTerms } : {}), series, sent_at: Date.now() };
    // One emit per room: socket.io encodes the packet once for all of the room's sockets.
    this.io.local.to(room.name).emit('delta', delta);
    this.deps.metrics.deltas.inc();
    if (newestInsertMs > 0) this.deps.metrics.pushLagSeconds.observe(Math.max(0, Date.now() - newestInsertMs) / 1000);
  }

  private roomsOfCampaign(campaignId: string): { room: Room; spec: ViewSpec }[] {
    const out: { room: Room; spec: ViewSpec }[] = [];
    for (const room of this.rooms.values()) {
      if (room.req.campaign_id !== campaignId) continue;
      const spec = this.specOf(room);
      if (spec) out.push({ room, spec });
    }
    return out;
  }

  private pushFeed(result: TickResult): void {
    if (!this.io || result.feed.length === 0) return;
    const byCampaign = new Map<string, typeof result.feed>();
    for (const f of result.feed) {
      const list = byCampaign.get(f.campaign_id);
      if (list) list.push(f);
      else byCampaign.set(f.campaign_id, [f]);
    }
    for (const [campaignId, items] of byCampaign) {
      const rooms = this.roomsOfCampaign(campaignId);
      if (rooms.length === 0) continue;
      const comments = items.filter((f) => f.kind === 'comment').slice(-FEED_PER_TICK);
      const posts = items.filter((f) => f.kind === 'post').slice(-FEED_PER_TICK);
      for (const f of [...comments, ...posts]) {
        const names = rooms.filter(({ spec }) => keyVisible(spec, this.deps.dims, f.item.partner_id, f.item.platform)).map(({ room }) => room.name);
        if (names.length === 0) continue;
        if (f.kind === 'comment') this.io.local.to(names).emit('comment', { ...f.item, campaign_id: campaignId });
        else this.io.local.to(names).emit('post', { ...f.item, campaign_id: campaignId });
      }
    }
  }

  private alertInView(scope: DashboardScope, spec: ViewSpec, a: Alert): boolean {
    if (!alertVisible(scope, this.deps.dims, a)) return false;
    return a.partner_id === '' ? scope.role !== 'manager' : partnerVisible(spec, this.deps.dims, a.partner_id);
  }

  /**
   * Alerts go to alert rooms that mirror scopes (whole campaign, or one partner for managers) on every node:
   * with the Redis adapter one node raises them and every node's sockets get them.
   */
  pushAlerts(alerts: Alert[]): void {
    this.alerts.add(alerts);
    if (!this.io) return;
    for (const a of alerts) {
      const rooms = [alertRoom(a.campaign_id, null)];
      if (a.partner_id !== '') rooms.push(alertRoom(a.campaign_id, a.partner_id));
      this.io.to(rooms).emit('alert', a);
    }
  }

  /** Marks an alert acknowledged (any scope that sees it, except the read-only wall) and pushes the update. */
  async acknowledge(scope: DashboardScope, alertId: string): Promise<Alert> {
    if (scope.role === 'wall') throw forbidden('a wall token is read-only', 'READ_ONLY');
    const alert = alertId ? await findAlert(this.deps.client, alertId) : null;
    if (!alert || !alertVisible(scope, this.deps.dims, alert)) throw notFound('ALERT_NOT_FOUND', `no alert "${alertId}" in this token's scope`);
    if (alert.acknowledged) return alert;
    const acked = { ...alert, acknowledged: true };
    await insertAlerts(this.deps.client, [acked], scope.token_id);
    this.pushAlerts([acked]);
    return acked;
  }

  /** Disconnects every socket of a token, on every node when the Redis adapter is on. */
  disconnectToken(tokenId: string): void {
    if (!this.io) return;
    this.io.to(`tok:${tokenId}`).emit('error', { code: 'TOKEN_REVOKED', message: 'this dashboard token was revoked' });
    this.io.in(`tok:${tokenId}`).disconnectSockets(true);
  }

  /** Revocations made elsewhere (another node, the CLI) reach this node's sockets within a second. */
  private async revalidate(): Promise<void> {
    if (!this.io) return;
    const ids = new Set<string>();
    for (const s of this.io.of('/').sockets.values()) if (s.data.scope && s.data.scope.token_id !== ENV_ADMIN_TOKEN_ID) ids.add(s.data.scope.token_id);
    if (ids.size === 0) return;
    const valid = await validTokenIds(this.deps.client, [...ids]);
    for (const id of ids) if (!valid.has(id)) this.disconnectToken(id);
  }

  async close(): Promise<void> {
    if (this.revalidateTimer) clearInterval(this.revalidateTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.joinFlush) clearImmediate(this.joinFlush);
    this.offDims?.();
    this.flushTimer = null;
    this.joinFlush = null;
    for (const room of this.rooms.values()) {
      for (const p of room.pending) p.done({ ok: false, error: errorOf(new HttpError(503, 'SHUTTING_DOWN', 'the server is shutting down; reconnect')) });
      room.pending = [];
    }
    this.revalidateTimer = null;
    if (this.io) {
      this.io.disconnectSockets(true);
      await new Promise<void>((resolve) => this.io!.close(() => resolve()));
    }
    this.io = null;
  }
}
