// One live subscription over Socket.IO: subscribes on every (re)connect, merges snapshot and deltas, and watches for
// stale data with backoff.
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  Alert,
  Annotation,
  ClientToServerEvents,
  CommentItem,
  CommissionsSummary,
  PostItem,
  ServerToClientEvents,
  Snapshot,
  Delta,
  SubscribeRequest,
} from './contract';
import {
  ackAlert,
  addAlert,
  addAnnotation,
  addComment,
  addPost,
  applyDelta,
  normalizeSnapshot,
  removeAnnotation,
  setSources,
  type LiveView,
} from './liveState';
import { Backoff, STALE_AFTER_MS } from './stale';
import type { WireSnapshot } from '@pulseroom/schema/live';
import { unpackSnapshot } from '@pulseroom/schema/snapshotWire';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveStatus {
  connected: boolean;
  everConnected: boolean;
  /** Browser time of the last snapshot or delta. */
  lastUpdate: number | null;
  error: { code: string; message: string } | null;
  reconnects: number;
}

export interface LiveClientOptions {
  token: string;
  request: SubscribeRequest;
  onView: (v: LiveView) => void;
  onStatus?: (s: LiveStatus) => void;
  /** Commissions by status of the subscribed view (campaign to date): after the snapshot, then when they change. */
  onCommissions?: (c: CommissionsSummary) => void;
  /** Injected for tests. */
  connect?: (token: string) => LiveSocket;
  now?: () => number;
  staleAfterMs?: number;
  /** A quiet campaign sends no deltas: resubscribe after this much silence to prove the link is alive. */
  probeAfterMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

export function defaultConnect(token: string): LiveSocket {
  return io({
    path: '/socket.io',
    auth: { token },
    transports: ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 15_000,
    randomizationFactor: 0.5,
    timeout: 8000,
  });
}

export class LiveClient {
  private socket: LiveSocket;
  private view: LiveView | null = null;
  private request: SubscribeRequest;
  private status: LiveStatus = { connected: false, everConnected: false, lastUpdate: null, error: null, reconnects: 0 };
  private readonly backoff = new Backoff(1000, 30_000);
  private watchdog: unknown = null;
  private retryAt = 0;
  private lastProbe = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly staleAfter: number;
  private readonly probeAfter: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;
  /** Bumped on each subscribe so late acks and messages of an older subscription are ignored. */
  private generation = 0;

  constructor(private readonly o: LiveClientOptions) {
    this.request = o.request;
    this.now = o.now ?? Date.now;
    this.staleAfter = o.staleAfterMs ?? STALE_AFTER_MS;
    this.probeAfter = o.probeAfterMs ?? Math.round(this.staleAfter * 0.7);
    this.setTimer = o.setTimer ?? ((fn, ms) => setInterval(fn, ms));
    this.clearTimer = o.clearTimer ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
    this.socket = (o.connect ?? defaultConnect)(o.token);
    this.wire();
    this.watchdog = this.setTimer(() => this.check(), 1000);
  }

  private wire(): void {
    const s = this.socket;
    s.on('connect', () => {
      if (this.status.everConnected) this.status.reconnects++;
      this.patch({ connected: true, everConnected: true, error: null });
      this.subscribe();
    });
    s.on('disconnect', () => this.patch({ connected: false }));
    s.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      const code = err?.data?.code ?? 'connect_error';
      const auth = /auth|token|forbidden|unauthori[sz]ed/i.test(`${code} ${err?.message}`);
      this.patch({
        connected: false,
        error: auth ? { code, message: err?.data?.message ?? err.message } : this.status.error,
      });
      // A refused handshake is not retried by socket.io itself: retry on our own backoff unless it is an auth error.
      if (!s.active && !auth) this.scheduleReconnect();
    });
    s.on('snapshot', (w: WireSnapshot) => this.onSnapshot(unpackSnapshot(w)));
    s.on('delta', (d: Delta) => this.onDelta(d));
    s.on('alert', (a: Alert) => this.onItem(a.campaign_id, (v) => addAlert(v, a)));
    s.on('comment', (c: CommentItem & { campaign_id: string }) =>
      this.onItem(c.campaign_id, (v) =>
        this.request.partner_id && c.partner_id !== this.request.partner_id ? v : addComment(v, c),
      ),
    );
    s.on('post', (p: PostItem & { campaign_id: string }) =>
      this.onItem(p.campaign_id, (v) =>
        this.request.partner_id && p.partner_id !== this.request.partner_id ? v : addPost(v, p),
      ),
    );
    s.on('commissions', (c: CommissionsSummary) => {
      if (c.campaign_id === this.request.campaign_id) this.o.onCommissions?.(c);
    });
    // A partner's view keeps its partner's notes and the campaign-wide ones (its socket may hear of others').
    s.on('annotation', (a) =>
      this.onItem(a.campaign_id, (v) =>
        this.request.partner_id && a.partner_id !== '' && a.partner_id !== this.request.partner_id
          ? v
          : addAnnotation(v, a),
      ),
    );
    s.on('annotation_removed', (r) => this.onItem(r.campaign_id, (v) => removeAnnotation(v, r.id)));
    s.on('sources', (r) => this.onItem(r.campaign_id, (v) => setSources(v, r.sources)));
    s.on('error', (e) => this.patch({ error: e }));
  }

  private patch(p: Partial<LiveStatus>): void {
    this.status = { ...this.status, ...p };
    this.o.onStatus?.(this.status);
  }

  private subscribe(): void {
    const gen = ++this.generation;
    this.socket.emit('subscribe', this.request, (ack: Ack) => {
      if (gen !== this.generation || this.closed) return;
      if (!ack?.ok)
        this.patch({
          error: ack?.error ?? { code: 'subscribe_failed', message: 'The server refused the subscription.' },
        });
    });
  }

  private onSnapshot(s: Snapshot): void {
    if (s.campaign_id !== this.request.campaign_id || s.window !== this.request.window) return;
    this.view = normalizeSnapshot(s);
    this.backoff.reset();
    this.patch({ lastUpdate: this.now(), error: null });
    this.o.onView(this.view);
  }

  private onDelta(d: Delta): void {
    if (!this.view) return;
    const r = applyDelta(this.view, d);
    if (r.status === 'gap') {
      this.subscribe();
      return;
    }
    if (r.status !== 'applied') return;
    this.view = r.view;
    this.backoff.reset();
    this.patch({ lastUpdate: this.now() });
    this.o.onView(this.view);
  }

  private onItem(campaignId: string, f: (v: LiveView) => LiveView): void {
    if (!this.view || campaignId !== this.request.campaign_id) return;
    const next = f(this.view);
    if (next === this.view) return;
    this.view = next;
    this.o.onView(this.view);
  }

  /**
   * Every second: after a short silence, probe with a resubscribe (a fresh snapshot proves the link);
   * after the stale threshold, reconnect on a growing backoff until data flows again.
   */
  private check(): void {
    if (this.closed || this.status.lastUpdate === null) return;
    const now = this.now();
    const silent = now - this.status.lastUpdate;
    if (
      silent > this.probeAfter &&
      silent <= this.staleAfter &&
      this.socket.connected &&
      now - this.lastProbe > this.probeAfter
    ) {
      this.lastProbe = now;
      this.subscribe();
      return;
    }
    if (silent <= this.staleAfter) return;
    this.patch({}); // let the UI re-evaluate staleness
    if (now < this.retryAt) return;
    this.retryAt = now + this.backoff.next();
    if (this.socket.connected) {
      // Connected but silent: the link is half-dead; start over.
      this.socket.disconnect();
      this.socket.connect();
    } else if (!this.socket.active) {
      this.socket.connect();
    }
    // Otherwise socket.io is already reconnecting with its own backoff.
  }

  private scheduleReconnect(): void {
    const delay = this.backoff.next();
    setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delay);
  }

  /** Changes window, filters or scope: a fresh snapshot replaces the view. */
  setRequest(req: SubscribeRequest): void {
    if (JSON.stringify(req) === JSON.stringify(this.request)) return;
    const old = this.request;
    this.request = req;
    this.view = null;
    if (this.socket.connected) {
      if (old.campaign_id !== req.campaign_id) this.socket.emit('unsubscribe', { campaign_id: old.campaign_id });
      this.subscribe();
    }
  }

  ackAlert(id: string): void {
    this.change((v) => ackAlert(v, id));
  }

  /** A note this page added or removed through the API: shown at once, before its push comes back. */
  noteAdded(a: Annotation): void {
    this.onItem(a.campaign_id, (v) => addAnnotation(v, a));
  }
  noteRemoved(campaignId: string, id: string): void {
    this.onItem(campaignId, (v) => removeAnnotation(v, id));
  }

  private change(f: (v: LiveView) => LiveView): void {
    if (this.view) {
      this.view = f(this.view);
      this.o.onView(this.view);
    }
  }

  getStatus(): LiveStatus {
    return this.status;
  }

  close(): void {
    this.closed = true;
    if (this.watchdog !== null) this.clearTimer(this.watchdog);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
