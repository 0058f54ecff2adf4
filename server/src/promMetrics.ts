// The server's Prometheus metrics, in a registry of its own (so several servers in one process, as in tests, do not collide).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'pulseroom_' });
  const m = {
    registry,
    sockets: new Gauge({ name: 'pulseroom_sockets', help: 'Connected dashboard sockets', registers: [registry] }),
    rooms: new Gauge({ name: 'pulseroom_rooms', help: 'Live view rooms (campaign × window × scope × filter)', registers: [registry] }),
    tickSeconds: new Histogram({ name: 'pulseroom_tick_duration_seconds', help: 'Aggregation tick: read agg_delta, apply, slide windows', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    pushSeconds: new Histogram({ name: 'pulseroom_push_duration_seconds', help: 'Computing and emitting the deltas of one tick', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25], registers: [registry] }),
    pushLagSeconds: new Histogram({ name: 'pulseroom_push_lag_seconds', help: 'From a batch being inserted into ClickHouse to its delta being emitted', buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10], registers: [registry] }),
    tickRows: new Histogram({ name: 'pulseroom_tick_rows', help: 'Change-log rows fetched per tick (the rows of new batches)', buckets: [0, 1, 10, 100, 1000, 10_000, 100_000], registers: [registry] }),
    deltas: new Counter({ name: 'pulseroom_deltas_total', help: 'Delta messages emitted (one per room per tick with changes)', registers: [registry] }),
    snapshots: new Counter({ name: 'pulseroom_snapshots_total', help: 'Snapshots sent', registers: [registry] }),
    tickErrors: new Counter({ name: 'pulseroom_tick_errors_total', help: 'Ticks that failed (the store was unreachable, ...)', registers: [registry] }),
    alerts: new Counter({ name: 'pulseroom_alerts_total', help: 'Alerts raised', labelNames: ['kind'], registers: [registry] }),
  };
  return m;
}
export type ServerMetrics = ReturnType<typeof createMetrics>;
