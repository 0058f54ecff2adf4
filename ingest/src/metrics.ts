// Prometheus metrics of ingest, in a registry of its own so a process can host several services.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpoolDepth } from './spool.js';

export class IngestMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'pulseroom_ingest_events_accepted_total',
    help: 'Events accepted (durable in the spool)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'pulseroom_ingest_events_rejected_total',
    help: 'Events rejected as invalid',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'pulseroom_ingest_events_duplicate_total',
    help: 'Events answered as duplicates (event_id per source, or order_id per campaign)',
    labelNames: ['type', 'reason'] as const,
    registers: [this.registry],
  });
  readonly webhooksIgnored = new Counter({
    name: 'pulseroom_ingest_webhooks_ignored_total',
    help: 'Signed provider webhooks of a topic ingest does not read (answered 200 so they are not retried)',
    labelNames: ['provider', 'topic'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'pulseroom_ingest_requests_total',
    help: 'Ingest HTTP answers by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly flushSeconds = new Histogram({
    name: 'pulseroom_ingest_flush_seconds',
    help: 'Time to insert one spool segment into ClickHouse',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly flushedRows = new Counter({
    name: 'pulseroom_ingest_flushed_rows_total',
    help: 'Rows inserted into ClickHouse',
    registers: [this.registry],
  });
  readonly flushFailures = new Counter({
    name: 'pulseroom_ingest_flush_failures_total',
    help: 'Failed inserts (retried with backoff)',
    registers: [this.registry],
  });
  readonly quarantinedRows = new Counter({
    name: 'pulseroom_ingest_quarantined_rows_total',
    help: 'Spooled rows ClickHouse could not read, set aside in the spool quarantine directory (the rest of their segment was stored)',
    registers: [this.registry],
  });
  readonly lookupFailures = new Counter({
    name: 'pulseroom_ingest_lookup_failures_total',
    help: 'ClickHouse look-ups (clicks, orders, deal revenue) that failed; enrichment used memory only',
    registers: [this.registry],
  });
  readonly connectorCalls = new Counter({
    name: 'pulseroom_connector_calls_total',
    help: 'Platform API calls of the connectors, by platform, endpoint and outcome',
    labelNames: ['platform', 'endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly connectorEvents = new Counter({
    name: 'pulseroom_connector_events_total',
    help: 'Events the connectors produced and ingest accepted, by platform and type',
    labelNames: ['platform', 'type'] as const,
    registers: [this.registry],
  });
  readonly connectorQuota = new Gauge({
    name: 'pulseroom_connector_quota_units',
    help: "A YouTube connector's daily quota plan: budget, used today, wanted and planned units per day",
    labelNames: ['source_id', 'kind'] as const,
    registers: [this.registry],
  });
  readonly redirects = new Counter({
    name: 'pulseroom_ingest_redirects_total',
    help: 'Tracking-link redirects',
    labelNames: ['recorded'] as const,
    registers: [this.registry],
  });
  readonly acceptSeconds = new Histogram({
    name: 'pulseroom_ingest_accept_seconds',
    help: 'Time from request to durable acknowledgement',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor(depth: () => SpoolDepth | null, stateSizes: () => Record<string, number>) {
    const reg = [this.registry];
    new Gauge({
      name: 'pulseroom_ingest_spool_bytes',
      help: 'Bytes waiting in the spool',
      registers: reg,
      collect() {
        this.set(depth()?.bytes ?? 0);
      },
    });
    new Gauge({
      name: 'pulseroom_ingest_spool_rows',
      help: 'Events waiting in the spool',
      registers: reg,
      collect() {
        this.set(depth()?.rows ?? 0);
      },
    });
    new Gauge({
      name: 'pulseroom_ingest_spool_segments',
      help: 'Spool segments (one ClickHouse batch each)',
      registers: reg,
      collect() {
        this.set(depth()?.segments ?? 0);
      },
    });
    new Gauge({
      name: 'pulseroom_ingest_memory_entries',
      help: 'Entries of the in-memory indexes (event ids, clicks, visitors, orders)',
      labelNames: ['index'] as const,
      registers: reg,
      collect() {
        for (const [k, v] of Object.entries(stateSizes())) this.set({ index: k }, v);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'pulseroom_ingest_' });
  }
}
