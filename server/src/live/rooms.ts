// Rooms: one per live view (campaign × window × scope × filter). A room holds the rows its members were last sent and
// builds the snapshot a joining socket gets, once per state whatever the number of sockets joining.
import {
  GROUPS,
  packSnapshot,
  toMinor,
  type Alert,
  type Campaign,
  type CampaignInfo,
  type DashboardScope,
  type FeeTerm,
  type GroupName,
  type GroupRow,
  type Snapshot,
  type WindowName,
  type WireSnapshot,
} from '@pulseroom/schema';
import { viewFor, type ViewRequest } from '../access.js';
import {
  computeGroups,
  keyVisible,
  lastHourBuckets,
  partnerInfos,
  seriesPoints,
  type ViewSpec,
} from '../engine/breakdowns.js';
import type { AggregationEngine } from '../engine/rollingWindows.js';
import type { DimensionCacheLike } from '../engine/types.js';
import type { ServerMetrics } from '../promMetrics.js';
import type { LiveAlerts } from './alerts.js';
import type { LiveAnnotations } from './annotations.js';
import type { LiveFreshness } from './freshness.js';
import type { LiveFeed } from './feed.js';
import type { Ack, LiveSocket } from './types.js';

/** Alerts a snapshot carries. */
const SNAPSHOT_ALERTS = 50;

export interface Room {
  name: string;
  /** A scope representative of the room's members (rooms are per manager id or "all"). */
  scope: DashboardScope;
  req: ViewRequest;
  window: WindowName;
  seq: number;
  /**
   * The rows the members hold, by group and key (as last sent: rows are never mutated after; partner rows' fee shares
   * excepted, which members derive from `terms`).
   */
  sent: Map<GroupName, Map<string, GroupRow>>;
  /** The partners' fee terms the members hold. */
  terms: Record<string, FeeTerm>;
  lastEmit: number;
  dirty: boolean;
  buckets: Set<number>;
  /** Sockets whose snapshot goes out with the next flush, all in one broadcast (one encoding). */
  pending: PendingJoin[];
  /**
   * The snapshot of the room's current state, built at most once per state: reused by every socket joining before it
   * changes.
   */
  cached: { key: string; snapshot: WireSnapshot } | null;
}

export interface PendingJoin {
  socket: LiveSocket;
  done: (ack: Ack) => void;
}

export interface RoomsDeps {
  engine: AggregationEngine;
  dims: DimensionCacheLike;
  feed: LiveFeed;
  alerts: LiveAlerts;
  annotations: LiveAnnotations;
  metrics: ServerMetrics;
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
    goals: {
      revenue_minor: c.goals.revenue === undefined ? null : toMinor(c.goals.revenue, c.currency),
      clicks: c.goals.clicks ?? null,
      er: c.goals.er ?? null,
    },
  };
}

export class Rooms {
  readonly map = new Map<string, Room>();
  /** Bumped when dimensions change, so cached snapshots (partners, campaign, fees) are rebuilt. */
  dimsEpoch = 0;
  snapshotBuilds = 0;
  /** The campaigns' sources (set by the hub, which checks them against these rooms). */
  freshness: LiveFreshness | null = null;

  constructor(private readonly deps: RoomsDeps) {}

  get size(): number {
    return this.map.size;
  }

  values(): IterableIterator<Room> {
    return this.map.values();
  }

  delete(name: string): void {
    if (this.map.delete(name)) this.deps.metrics.rooms.set(this.map.size);
  }

  /** The room of a view, made with the rows its first members will be sent. */
  room(name: string, scope: DashboardScope, req: ViewRequest, window: WindowName): Room {
    let room = this.map.get(name);
    if (room) return room;
    const representative: DashboardScope =
      scope.role === 'manager' ? { ...scope } : { token_id: '', role: 'admin', campaign_ids: [], manager_id: '' };
    room = {
      name,
      scope: representative,
      req: { campaign_id: req.campaign_id, partner_id: req.partner_id, mine: req.mine, filter: req.filter },
      window,
      seq: 0,
      sent: new Map(),
      terms: Object.create(null) as Record<string, FeeTerm>,
      lastEmit: 0,
      dirty: false,
      buckets: new Set(),
      pending: [],
      cached: null,
    };
    const spec = viewFor(representative, this.deps.dims, room.req);
    const groups = computeGroups(this.deps.engine, this.deps.dims, spec, window, room.terms);
    for (const g of GROUPS) room.sent.set(g, new Map(groups[g].map((r) => [r.key, r])));
    this.map.set(name, room);
    this.deps.metrics.rooms.set(this.map.size);
    return room;
  }

  specOf(room: Room): ViewSpec | null {
    try {
      return viewFor(room.scope, this.deps.dims, room.req);
    } catch {
      return null; // the campaign left the scope (dimensions changed): the room gets nothing more
    }
  }

  ofCampaign(campaignId: string): { room: Room; spec: ViewSpec }[] {
    const out: { room: Room; spec: ViewSpec }[] = [];
    for (const room of this.map.values()) {
      if (room.req.campaign_id !== campaignId) continue;
      const spec = this.specOf(room);
      if (spec) out.push({ room, spec });
    }
    return out;
  }

  /**
   * The room's snapshot, rebuilt only when what it shows may have changed: a delta (seq), a frame (feed, clock), alerts
   * or dimensions. The room is not dirty here, so its rows equal what its members hold.
   */
  snapshot(room: Room, spec: ViewSpec): WireSnapshot {
    const { engine, alerts, annotations } = this.deps;
    const id = room.req.campaign_id;
    const versions = `${alerts.memory.version(id)}|${annotations.memory.version(id)}|${this.freshness?.version(id)}`;
    const key = `${room.seq}|${engine.lastTickAt}|${engine.bucket}|${versions}|${this.dimsEpoch}`;
    if (room.cached?.key === key) return room.cached.snapshot;
    const held = alerts.memory.peek(room.req.campaign_id)?.items ?? [];
    // As the alerts query had it: a view narrowed to partners gets only their alerts, campaign-wide ones excluded.
    const shown = held
      .filter(
        (a) =>
          (spec.partners === null || (a.partner_id !== '' && spec.partners.has(a.partner_id))) &&
          alerts.inView(room.scope, spec, a),
      )
      .slice(0, SNAPSHOT_ALERTS);
    // Packed once per state (rows as value arrays under one list of names): every joining socket gets the same message.
    const snapshot = packSnapshot(this.build(room, spec, shown));
    this.snapshotBuilds++;
    room.cached = { key, snapshot };
    return snapshot;
  }

  private build(room: Room, spec: ViewSpec, alerts: Alert[]): Snapshot {
    const { engine, dims } = this.deps;
    const campaign = dims.campaign(room.req.campaign_id)!;
    const terms = Object.create(null) as Record<string, FeeTerm>;
    const groups = computeGroups(engine, dims, spec, room.window, terms);
    const feed = this.deps.feed.of(room.req.campaign_id);
    const notes = this.deps.annotations.memory.peek(room.req.campaign_id)?.items ?? [];
    return {
      campaign_id: room.req.campaign_id,
      window: room.window,
      at: engine.lastTickAt,
      seq: room.seq,
      campaign: campaignInfo(campaign),
      partners: partnerInfos(spec, dims, engine.campaigns.get(room.req.campaign_id)),
      groups,
      window_end: engine.windowRange(room.window).to,
      fee_terms: terms,
      series: seriesPoints(engine, dims, spec, lastHourBuckets(engine)),
      comments: feed.comments.filter((c) => keyVisible(spec, dims, c.partner_id, c.platform)),
      posts: feed.posts.filter((p) => keyVisible(spec, dims, p.partner_id, p.platform)),
      alerts,
      annotations: notes.filter((a) => this.deps.annotations.inView(spec, a)),
      sources: this.freshness?.peek(room.req.campaign_id) ?? [],
    };
  }
}
