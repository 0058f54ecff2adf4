// The live loop: streamed batches go into the engine as they come; every frame pushes what changed; every few seconds
// (and whenever the clock enters a new 10 s bucket) the engine reconciles with the store and slides its windows.
import type { Logger } from 'pino';
import type { Alert, FeedItem, LiveBatch } from '@pulseroom/schema';
import type { AlertRules } from '../alertRules.js';
import type { AggregationEngine, Frame, ReconcileResult } from '../engine/rollingWindows.js';
import type { ServerMetrics } from '../promMetrics.js';
import type { LiveFeed } from './feed.js';
import type { LiveHub } from './hub.js';

export interface LiveLoopDeps {
  engine: AggregationEngine;
  feed: LiveFeed;
  hub: LiveHub;
  alerts: AlertRules;
  metrics: ServerMetrics;
  logger: Logger;
  frameMs: number;
  reconcileMs: number;
  alertEvalMs: number;
  /** One node raises alerts (with Redis, the holder of a short lease); every node pushes them to its sockets. */
  isAlertLeader: () => Promise<boolean>;
  /** Alerts raised here go out to their channels (Slack, webhooks): only the leader raises them, so one node sends. */
  notify?: (alerts: Alert[]) => void;
  /** Dimensions changed since the last call (rows may show other figures). */
  takeDimsChanged: () => boolean;
  /** Batches the store confirmed (a stream consumer acknowledges them). */
  onConfirmed?: (batchIds: string[]) => void;
}

export class LiveLoop {
  private frameTimer: NodeJS.Timeout | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<ReconcileResult | null> | null = null;
  private alerting: Promise<unknown> = Promise.resolve();
  private lastAlertCheck = 0;
  private running = false;
  /** When the last reconcile succeeded (wall clock): /readyz reports a store that stopped answering. */
  lastReconcileOk = Date.now();

  constructor(private readonly deps: LiveLoopDeps) {}

  /** A batch of accepted events (from ingest in this process, or the stream between processes). */
  accept(batch: LiveBatch): boolean {
    if (!this.deps.engine.applyStream(batch)) return false;
    this.deps.metrics.streamed.inc();
    this.deps.metrics.acceptToEngineSeconds.observe(Math.max(0, Date.now() - batch.accepted_at) / 1000);
    this.deps.feed.add(batch.feed);
    this.deps.hub.commissions.noteBatch(batch);
    return true;
  }

  start(): void {
    this.running = true;
    this.frameTimer = setInterval(() => this.frame(), this.deps.frameMs);
    this.scheduleReconcile(this.deps.reconcileMs);
  }

  private scheduleReconcile(ms: number): void {
    if (!this.running) return;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = null;
      void this.reconcile().then((r) => this.scheduleReconcile(r?.more ? 0 : this.deps.reconcileMs));
    }, ms);
  }

  /** One read of the store (never two at once): confirms, corrects and slides; the next frame pushes the result. */
  reconcile(): Promise<ReconcileResult | null> {
    if (this.reconciling) return this.reconciling;
    const { engine, metrics, logger } = this.deps;
    this.reconciling = (async () => {
      const stop = metrics.reconcileSeconds.startTimer();
      try {
        const r = await engine.reconcile();
        stop();
        metrics.reconcileRows.observe(r.rows);
        if (r.corrections > 0) metrics.reconcileCorrections.inc(r.corrections);
        if (r.confirmedIds.length > 0) {
          this.deps.onConfirmed?.(r.confirmedIds);
          this.deps.hub.commissions.confirmed(r.confirmedIds);
        }
        await this.deps.feed.fromStore(r.storeBatches);
        this.lastReconcileOk = Date.now();
        return r;
      } catch (e) {
        stop();
        metrics.reconcileErrors.inc();
        logger.error({ err: e }, 'reconcile with the store failed; retrying');
        return null;
      } finally {
        this.reconciling = null;
      }
    })();
    return this.reconciling;
  }

  /** Pushes what changed since the last frame; a new 10 s bucket first needs a reconcile (it slides the windows). */
  private frame(): void {
    const { engine } = this.deps;
    if (engine.behind && !this.reconciling) {
      void this.reconcile().then(() => this.push());
      return;
    }
    this.push();
  }

  private push(): Frame {
    const frame = this.deps.engine.takeFrame();
    const dims = this.deps.takeDimsChanged();
    const items = this.deps.feed.take();
    if (frame.changes.size > 0 || items.length > 0 || dims) this.deps.hub.onFrame(frame, items, dims);
    const now = Date.now();
    if (items.some((f) => f.kind === 'post') || now - this.lastAlertCheck >= this.deps.alertEvalMs) {
      this.lastAlertCheck = now;
      this.alerting = this.alerting.then(() => this.evaluateAlerts(items));
    }
    return frame;
  }

  private async evaluateAlerts(items: FeedItem[]): Promise<void> {
    try {
      const fired: Alert[] = (await this.deps.isAlertLeader()) ? await this.deps.alerts.evaluate(items) : [];
      for (const a of fired) this.deps.metrics.alerts.inc({ kind: a.kind });
      this.deps.hub.pushAlerts(fired);
      if (fired.length > 0) this.deps.notify?.(fired);
    } catch (e) {
      this.deps.logger.error({ err: e }, 'alert evaluation failed');
    }
  }

  /** One reconcile and one frame, by hand (tests with a controllable clock); resolves once its alerts are out. */
  async tickOnce(): Promise<Frame> {
    await this.reconcile();
    this.lastAlertCheck = 0;
    const frame = this.push();
    await this.alerting;
    return frame;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.frameTimer) clearInterval(this.frameTimer);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.frameTimer = this.reconcileTimer = null;
    await this.reconciling;
    await this.alerting;
  }
}
