// Deltas: what a frame changed, per room — only the rows whose figures moved (as patches of the fields that moved),
// the series buckets that received rows, and fee terms members lack — computed and serialised once per room.
import {
  addToFieldPatch,
  GROUPS,
  type Delta,
  type FeeTerm,
  type GroupName,
  type GroupPatch,
  type GroupRow,
} from '@pulseroom/schema';
import { computeGroups, seriesPoints } from '../engine/breakdowns.js';
import type { AggregationEngine, Frame } from '../engine/rollingWindows.js';
import type { DimensionCacheLike } from '../engine/types.js';
import type { ServerMetrics } from '../promMetrics.js';
import { rowChange } from '../rowDiff.js';
import type { Room, Rooms } from './rooms.js';
import type { LiveServer } from './types.js';

export interface DeltasDeps {
  engine: AggregationEngine;
  dims: DimensionCacheLike;
  rooms: Rooms;
  metrics: ServerMetrics;
  /** A room gets at most one delta per this many ms (one frame). */
  minIntervalMs: number;
}

export class Deltas {
  io: LiveServer | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: DeltasDeps) {}

  /** Marks the rooms a frame touched and emits to those whose last delta is at least a frame old. */
  onFrame(frame: Frame, dimsChanged: boolean): void {
    const now = Date.now();
    for (const room of this.deps.rooms.values()) {
      const change = frame.changes.get(room.req.campaign_id);
      if (change || dimsChanged) {
        room.dirty = true;
        if (change) for (const b of change.buckets) room.buckets.add(b);
        if (change?.slid) room.buckets.add(this.deps.engine.bucket);
      }
      if (room.dirty && now - room.lastEmit >= this.deps.minIntervalMs) this.emit(room, now, frame.newestAcceptedMs);
    }
    this.schedule();
  }

  /** Rooms held back by the rate limit get their delta as soon as it allows, frame or no frame. */
  private schedule(): void {
    if (this.timer) return;
    let due = Infinity;
    for (const room of this.deps.rooms.values())
      if (room.dirty) due = Math.min(due, room.lastEmit + this.deps.minIntervalMs);
    if (due === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = Date.now();
        for (const room of this.deps.rooms.values())
          if (room.dirty && now - room.lastEmit >= this.deps.minIntervalMs) this.emit(room, now, 0);
        this.schedule();
      },
      Math.max(0, due - Date.now()),
    );
  }

  /** Sends a room's members what changed since their last delta (or snapshot). */
  emit(room: Room, now: number, newestAcceptedMs: number): void {
    room.dirty = false;
    const spec = this.deps.rooms.specOf(room);
    if (!spec || !this.io) return;
    const { engine, dims } = this.deps;
    const terms = Object.create(null) as Record<string, FeeTerm>;
    const groups = computeGroups(engine, dims, spec, room.window, terms);
    // Fee terms the members lack or hold otherwise (dimensions changed): sent, so they derive partner fee shares right.
    let newTerms: Record<string, FeeTerm> | null = null;
    for (const id of Object.keys(terms)) {
      const held = Object.hasOwn(room.terms, id) ? room.terms[id] : undefined;
      if (!held || held.some((v, i) => v !== terms[id][i]))
        (newTerms ??= Object.create(null) as Record<string, FeeTerm>)[id] = terms[id];
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
    const delta: Delta = {
      campaign_id: room.req.campaign_id,
      window: room.window,
      at: engine.lastTickAt,
      seq: room.seq,
      groups: changed,
      ...(patched ? { patches } : {}),
      window_end: engine.windowRange(room.window).to,
      ...(newTerms ? { fee_terms: newTerms } : {}),
      series,
      sent_at: Date.now(),
    };
    // One emit per room: socket.io encodes the packet once for all of the room's sockets.
    this.io.local.to(room.name).emit('delta', delta);
    this.deps.metrics.deltas.inc();
    if (newestAcceptedMs > 0)
      this.deps.metrics.pushLagSeconds.observe(Math.max(0, Date.now() - newestAcceptedMs) / 1000);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
