// The server's Prometheus metrics, in a registry of its own (so several servers in one process, as in tests, do not
// collide).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'pulseroom_' });
  const m = {
    registry,
    sockets: new Gauge({ name: 'pulseroom_sockets', help: 'Connected dashboard sockets', registers: [registry] }),
    rooms: new Gauge({
      name: 'pulseroom_rooms',
      help: 'Live view rooms (campaign × window × scope × filter)',
      registers: [registry],
    }),
    reconcileSeconds: new Histogram({
      name: 'pulseroom_reconcile_duration_seconds',
      help: 'Reconcile with the store: read agg_delta, confirm or correct, slide windows',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    pushSeconds: new Histogram({
      name: 'pulseroom_push_duration_seconds',
      help: 'Computing and emitting the deltas of one frame',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    pushLagSeconds: new Histogram({
      name: 'pulseroom_push_lag_seconds',
      help: 'From a batch being accepted (fsync in the spool) to its delta being emitted',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    reconcileRows: new Histogram({
      name: 'pulseroom_reconcile_rows',
      help: 'Change-log rows read per reconcile (the rows of newly stored batches)',
      buckets: [0, 1, 10, 100, 1000, 10_000, 100_000],
      registers: [registry],
    }),
    deltas: new Counter({
      name: 'pulseroom_deltas_total',
      help: 'Delta messages emitted (one per room per frame with changes)',
      registers: [registry],
    }),
    snapshots: new Counter({ name: 'pulseroom_snapshots_total', help: 'Snapshots sent', registers: [registry] }),
    reconcileErrors: new Counter({
      name: 'pulseroom_reconcile_errors_total',
      help: 'Reconciles that failed (the store was unreachable, ...)',
      registers: [registry],
    }),
    reconcileCorrections: new Counter({
      name: 'pulseroom_live_reconcile_corrections_total',
      help: 'Batches whose streamed figures differed from the store, or that the stream never brought, corrected from the store',
      registers: [registry],
    }),
    acceptToEngineSeconds: new Histogram({
      name: 'pulseroom_live_accept_to_engine_seconds',
      help: 'From a batch being accepted (fsync in the spool) to the engine applying it from the stream',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    streamed: new Counter({
      name: 'pulseroom_live_stream_batches_total',
      help: 'Batches of accepted events applied from the stream',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'pulseroom_alerts_total',
      help: 'Alerts raised',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
  return m;
}
export type ServerMetrics = ReturnType<typeof createMetrics>;
