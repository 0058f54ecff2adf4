// The live hub: Socket.IO connections authenticated by dashboard token, subscriptions into rooms, and each frame's
// deltas, feed items and alerts pushed to the rooms that may see them.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  describeZodError,
  subscribeRequest,
  type Ack,
  type Alert,
  type DashboardScope,
  type FeedItem,
} from '@pulseroom/schema';
import { HttpError, invalidRequest, notFound } from '@pulseroom/schema/server';
import { roomName, viewFor, type TokenResolver } from '../access.js';
import type { ViewSpec } from '../engine/breakdowns.js';
import type { AggregationEngine, Frame } from '../engine/rollingWindows.js';
import type { DimensionCacheLike } from '../engine/types.js';
import type { ServerMetrics } from '../promMetrics.js';
import type { MoneyBook } from '../money/moneyBook.js';
import type { SourceFreshnessReader } from '../sourceFreshness.js';
import { LiveAlerts } from './alerts.js';
import { LiveAnnotations } from './annotations.js';
import { LiveCommissions } from './commissions.js';
import { LiveFreshness } from './freshness.js';
import { Deltas } from './deltas.js';
import { pushFeed, type LiveFeed } from './feed.js';
import { Revocation } from './revocation.js';
import { Rooms } from './rooms.js';
import { errorOf, failed, type LiveServer, type LiveSocket } from './types.js';

export { alertRoom } from './alerts.js';
export { campaignInfo } from './rooms.js';

export interface LiveHubDeps {
  engine: AggregationEngine;
  feed: LiveFeed;
  /** `onChange` (the real cache has it) lets cached snapshots follow dimension changes made between frames. */
  dims: DimensionCacheLike & { onChange?: (listener: () => void) => () => void };
  resolver: TokenResolver;
  client: ClickHouseClient;
  logger: Logger;
  metrics: ServerMetrics;
  /** Other nodes share broadcasts (the Redis adapter). */
  shared: boolean;
  /** A room gets at most one delta per frame. */
  frameMs: number;
  /** Commissions by status, pushed to rooms (lock dates are compared with the clock). */
  money: MoneyBook;
  /** The app's event-time clock (notes stand on the charts' time axis). */
  clock: () => number;
  /** Sources' freshness, read for snapshots and checked every `sourceCheckMs` for pushes. */
  sources: SourceFreshnessReader;
  sourceCheckMs: number;
}

/** Counters tests read: snapshots built (not sent) and alert queries made. */
export interface LiveHubStats {
  readonly snapshotBuilds: number;
  readonly alertLoads: number;
}

export class LiveHub {
  io: LiveServer | null = null;
  readonly rooms: Rooms;
  readonly alerts: LiveAlerts;
  readonly commissions: LiveCommissions;
  readonly annotations: LiveAnnotations;
  readonly freshness: LiveFreshness;
  private readonly deltas: Deltas;
  private readonly revocation: Revocation;
  private joinFlush: NodeJS.Immediate | null = null;
  private readonly offDims: (() => void) | null;
  readonly stats: LiveHubStats;

  constructor(private readonly deps: LiveHubDeps) {
    const { engine, dims, metrics, client, logger } = deps;
    this.alerts = new LiveAlerts({ client, dims, shared: deps.shared });
    this.annotations = new LiveAnnotations({ client, dims, clock: deps.clock, shared: deps.shared });
    const { alerts, annotations } = this;
    this.rooms = new Rooms({ engine, dims, feed: deps.feed, alerts, annotations, metrics });
    this.freshness = new LiveFreshness({
      reader: deps.sources,
      rooms: this.rooms,
      logger,
      everyMs: deps.sourceCheckMs,
    });
    this.rooms.freshness = this.freshness;
    this.deltas = new Deltas({ engine, dims, rooms: this.rooms, metrics, minIntervalMs: deps.frameMs });
    this.revocation = new Revocation({ client, logger });
    this.commissions = new LiveCommissions({
      money: deps.money,
      rooms: this.rooms,
      dims,
      clock: deps.clock,
      logger,
      flushMs: 1_000,
      refreshMs: 60_000,
    });
    this.offDims =
      dims.onChange?.(() => {
        this.rooms.dimsEpoch++;
        // Rows may change with dimensions (fees, followers, filters): members get them before any newcomer's snapshot.
        for (const room of this.rooms.values()) room.dirty = true;
      }) ?? null;
    const { rooms } = this;
    this.stats = {
      get snapshotBuilds() {
        return rooms.snapshotBuilds;
      },
      get alertLoads() {
        return alerts.memory.loads;
      },
    };
  }

  attach(http: HttpServer): LiveServer {
    // perMessageDeflate off: on small JSON deltas compression costs more lag than it saves (bench: fan-out).
    const io: LiveServer = new Server(http, {
      path: '/socket.io',
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      cors: { origin: false },
    });
    this.io = this.alerts.io = this.annotations.io = this.freshness.io = this.deltas.io = this.commissions.io = io;
    this.commissions.start();
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
      if (this.rooms.map.get(name)?.pending.length) return;
      this.rooms.delete(name);
    });
    this.revocation.start(io);
    this.freshness.start();
    return io;
  }

  private onConnection(socket: LiveSocket): void {
    const { metrics } = this.deps;
    metrics.sockets.inc();
    this.revocation.track(socket);
    socket.on('disconnect', () => metrics.sockets.dec());
    socket.on('subscribe', (raw, ack) => {
      this.subscribe(socket, raw).then(
        (res) => typeof ack === 'function' && ack(res),
        (e) => {
          this.deps.logger.error({ err: e }, 'subscribe failed');
          if (typeof ack === 'function') ack(failed(e));
        },
      );
    });
    socket.on('unsubscribe', (raw, ack) => {
      if (typeof raw?.campaign_id !== 'string') {
        if (typeof ack === 'function')
          ack(failed(invalidRequest({ path: 'campaign_id', message: 'expected the id of a subscribed campaign' })));
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
        if (typeof ack === 'function')
          ack(failed(invalidRequest({ path: 'alert_id', message: 'expected the id of an alert' })));
        return;
      }
      this.acknowledge(socket.data.scope, raw.alert_id).then(
        () => typeof ack === 'function' && ack({ ok: true }),
        (e) => typeof ack === 'function' && ack(failed(e)),
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
    // The campaign's alerts, notes and sources come from memory; the first subscribe of a campaign loads them.
    const id = req.campaign_id;
    await Promise.all([
      this.alerts.memory.peek(id) ?? this.alerts.memory.load(id),
      this.annotations.memory.peek(id) ?? this.annotations.memory.load(id),
      this.freshness.peek(id) ?? this.freshness.load(id),
    ]);
    if (!socket.connected)
      return failed(new HttpError(409, 'DISCONNECTED', 'the socket disconnected while subscribing'));
    const name = roomName(scope, req, req.window);
    const previous = socket.data.subs.get(req.campaign_id);
    if (previous && previous !== name) void socket.leave(previous);
    const room = this.rooms.room(name, scope, req, req.window);
    socket.data.subs.set(req.campaign_id, name);
    for (const a of socket.data.alertRooms.get(req.campaign_id) ?? []) void socket.leave(a);
    const alertRooms = this.alerts.roomsFor(scope, req.campaign_id, spec);
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

  /**
   * Sends each room's pending sockets one shared snapshot in one broadcast, after bringing the room's members up to
   * date.
   */
  private flushJoins(): void {
    for (const room of this.rooms.values()) {
      if (room.pending.length === 0) continue;
      const pending = room.pending;
      room.pending = [];
      // A socket that moved on (another subscribe of the campaign) or left is not joined; its ack still answers.
      const joining = pending.filter(
        (p) => p.socket.connected && p.socket.data.subs.get(room.req.campaign_id) === room.name,
      );
      const spec = this.rooms.specOf(room);
      if (!spec || !this.io || joining.length === 0) {
        for (const p of pending)
          p.done(
            spec
              ? { ok: true }
              : failed(notFound('CAMPAIGN_NOT_FOUND', `no campaign "${room.req.campaign_id}" in this token's scope`)),
          );
        // Nobody joined a room made for them: forget it (the adapter never held it, so it sends no delete-room).
        if (this.io && !this.io.of('/').adapter.rooms.has(room.name)) this.rooms.delete(room.name);
        continue;
      }
      // Members hold the rows last emitted; bring them up to date before the newcomers' snapshot.
      if (room.dirty) this.deltas.emit(room, Date.now(), 0);
      const snapshot = this.rooms.snapshot(room, spec);
      const ids = new Set<string>();
      for (const p of joining) {
        void p.socket.join(room.name);
        ids.add(p.socket.id);
      }
      this.io.local.to([...ids]).emit('snapshot', snapshot);
      this.deps.metrics.snapshots.inc(ids.size);
      void this.commissions.sendTo(
        joining.map((p) => p.socket),
        room.req.campaign_id,
        spec,
      );
      for (const p of pending) p.done({ ok: true });
    }
  }

  /** Pushes what one frame changed: deltas per room (serialised once per room), then feed items. */
  onFrame(frame: Frame, items: readonly FeedItem[], dimsChanged: boolean): void {
    const t0 = performance.now();
    this.deltas.onFrame(frame, dimsChanged);
    if (this.io && items.length > 0) pushFeed(this.io, this.rooms, this.deps.dims, items);
    this.deps.metrics.pushSeconds.observe((performance.now() - t0) / 1000);
  }

  pushAlerts(alerts: Alert[]): void {
    this.alerts.push(alerts);
  }

  acknowledge(scope: DashboardScope, alertId: string): Promise<Alert> {
    return this.alerts.acknowledge(scope, alertId);
  }

  disconnectToken(tokenId: string): void {
    this.revocation.disconnectToken(tokenId);
  }

  async close(): Promise<void> {
    this.revocation.stop();
    this.commissions.stop();
    await this.freshness.stop();
    this.deltas.close();
    if (this.joinFlush) clearImmediate(this.joinFlush);
    this.joinFlush = null;
    this.offDims?.();
    for (const room of this.rooms.values()) {
      for (const p of room.pending)
        p.done(failed(new HttpError(503, 'SHUTTING_DOWN', 'the server is shutting down; reconnect')));
      room.pending = [];
    }
    if (this.io) {
      // This node's sockets only: with the Redis adapter, `io.disconnectSockets` would drop every node's dashboards.
      this.io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => this.io!.close(() => resolve()));
    }
    this.io = null;
  }
}
