// Outbound alert delivery: routes each raised alert to its campaign's channels, claims it in the delivery log before
// sending (one delivery per alert and channel, across restarts), groups storms, and logs every outcome.
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { Alert } from '@pulseroom/schema';
import { dataKeyOf, newId } from '@pulseroom/schema/server';
import type { ServerConfig } from '../config.js';
import type { DimensionCacheLike } from '../engine/types.js';
import { alertChannels } from '../queries/alertChannels.js';
import { claimedAlerts, unfinishedDeliveries, writeDeliveries, type DeliveryRow } from '../queries/alertDeliveries.js';
import { findAlert } from '../queries/alerts.js';
import { findAlertChannel } from '../queries/alertChannels.js';
import { routes, type AlertChannel } from './channels.js';
import { warRoomLink, type MessageContext, type OutboundMessage } from './messages.js';
import { postWithRetries, type RetryPolicy, type SendDeps, type SendResult } from './send.js';
import { slackMessage } from './slack.js';
import { StormGate } from './stormGate.js';
import { signedHeaders, webhookBody } from './webhook.js';

export interface NotifierDeps {
  client: ClickHouseClient;
  dims: DimensionCacheLike;
  config: ServerConfig;
  logger: Logger;
  send?: SendDeps;
}

/** The same alert and channel always give the same message id: a receiver that saw it drops a repeat. */
const messageId = (channelId: string, alertId: string) =>
  `msg_${createHash('sha256').update(`${channelId}|${alertId}`).digest('hex').slice(0, 24)}`;

export class AlertNotifier {
  private queue: Promise<void> = Promise.resolve();
  private inFlight = new Set<Promise<unknown>>();
  /** Message ids being sent by this node: a resume (leadership regained) leaves them to the attempt under way. */
  private sending = new Set<string>();
  private channelsById = new Map<string, AlertChannel>();
  private readonly gate: StormGate;
  private readonly policy: RetryPolicy;
  private readonly stopping = new AbortController();
  readonly context: MessageContext;

  private key: string | null = null;

  /** The key channel URLs and secrets are sealed with in the store (read, or made once, on first use). */
  get dataKey(): string {
    return (this.key ??= dataKeyOf(this.deps.config));
  }

  constructor(private readonly deps: NotifierDeps) {
    const { config, dims } = deps;
    this.policy = {
      maxAttempts: config.ALERT_NOTIFY_MAX_ATTEMPTS,
      baseDelayMs: config.ALERT_NOTIFY_RETRY_BASE_MS,
      maxDelayMs: config.ALERT_NOTIFY_RETRY_MAX_MS,
      timeoutMs: config.ALERT_NOTIFY_TIMEOUT_MS,
    };
    // Wall clock: the window of a storm is real time, whatever the app's event-time clock says.
    this.gate = new StormGate({
      windowMs: config.ALERT_NOTIFY_WINDOW_MS,
      maxPerWindow: config.ALERT_NOTIFY_MAX_PER_WINDOW,
      clock: Date.now,
      onSummary: (id, alerts) => this.summary(id, alerts),
    });
    this.context = {
      campaignName: (id) => dims.campaign(id)?.name ?? id,
      partnerName: (id) => {
        const p = dims.partner(id);
        return p ? (p.display_name && p.display_name !== p.handle ? `${p.display_name} (${p.handle})` : p.handle) : id;
      },
      warRoomUrl: (id) => warRoomLink(config.PULSEROOM_PUBLIC_URL, id),
    };
  }

  /** Alerts raised on this node (the alert leader): queued, so the live loop never waits for a receiver. */
  notify(alerts: Alert[]): void {
    const fresh = alerts.filter((a) => !a.acknowledged);
    if (fresh.length === 0) return;
    this.queue = this.queue
      .then(() => this.route(fresh))
      .catch((e) => this.deps.logger.error({ err: e }, 'could not route alerts to their channels'));
  }

  private async route(alerts: Alert[]): Promise<void> {
    const campaigns = new Set(alerts.map((a) => a.campaign_id));
    const channels = (await alertChannels(this.deps.client, this.dataKey)).filter((c) => campaigns.has(c.campaign_id));
    for (const channel of channels) {
      this.channelsById.set(channel.id, channel);
      const mine = alerts.filter((a) => routes(channel, a));
      const claimed = await claimedAlerts(
        this.deps.client,
        channel.id,
        mine.map((a) => a.id),
      );
      const rows: DeliveryRow[] = [];
      const now: OutboundMessage[] = [];
      for (const a of mine) {
        if (claimed.has(a.id)) continue;
        if (this.gate.offer(channel.id, a) === 'send') {
          const m: OutboundMessage = {
            id: messageId(channel.id, a.id),
            kind: 'alert',
            campaign_id: a.campaign_id,
            alerts: [a],
          };
          now.push(m);
          rows.push(this.row(channel, a, m.id, 'pending'));
        } else rows.push(this.row(channel, a, '', 'grouped'));
      }
      // The claim is stored before anything is sent: a restart finds it and does not send again.
      await writeDeliveries(this.deps.client, rows);
      for (const m of now) this.track(this.deliver(channel, m));
    }
  }

  private summary(channelId: string, alerts: Alert[]): void {
    const channel = this.channelsById.get(channelId);
    if (!channel) return;
    const id = messageId(channelId, `summary:${alerts[0].id}`);
    const m: OutboundMessage = { id, kind: 'summary', campaign_id: channel.campaign_id, alerts };
    this.track(this.deliver(channel, m));
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private row(
    channel: AlertChannel,
    a: Alert,
    message: string,
    status: DeliveryRow['status'],
    r?: SendResult,
    kind: string = a.kind,
  ): DeliveryRow {
    return {
      channel_id: channel.id,
      alert_id: a.id,
      campaign_id: a.campaign_id,
      message_id: message,
      kind,
      status,
      attempts: r?.attempts ?? 0,
      http_status: r?.status ?? 0,
      error: r?.error ?? '',
      at: Date.now(),
    };
  }

  /** Sends one message with retries and logs its outcome for every alert it carries. */
  private async deliver(channel: AlertChannel, m: OutboundMessage, policy = this.policy): Promise<SendResult> {
    this.sending.add(m.id);
    const r = await this.post(channel, m, policy).finally(() => this.sending.delete(m.id));
    const { logger } = this.deps;
    if (!r.ok) {
      const { attempts, error } = r;
      logger.warn({ channel: channel.id, message: m.id, attempts, error }, 'alert delivery failed');
    }
    // Cut by a shutdown: left pending, so the next leader finishes it (resume) under the same message id.
    const status = r.ok ? 'sent' : this.stopping.signal.aborted ? 'pending' : 'failed';
    const rows = m.alerts.map((a) => this.row(channel, a, m.id, status, r, m.kind === 'test' ? 'test' : a.kind));
    await writeDeliveries(this.deps.client, rows).catch((e) => logger.error({ err: e }, 'could not log deliveries'));
    return r;
  }

  private post(channel: AlertChannel, m: OutboundMessage, policy: RetryPolicy): Promise<SendResult> {
    if (channel.type === 'slack') {
      const body = JSON.stringify(slackMessage(m, this.context));
      return postWithRetries(channel.url, () => ({ headers: {}, body }), policy, this.sendDeps);
    }
    return postWithRetries(
      channel.url,
      () => {
        const now = Date.now();
        const body = webhookBody(m, this.context, now);
        return { headers: signedHeaders(channel.secret, m.id, now, body), body };
      },
      policy,
      this.sendDeps,
    );
  }

  private get sendDeps(): SendDeps {
    return { ...this.deps.send, signal: this.stopping.signal };
  }

  /** The "send test" action: one attempt, answered at once, logged under a test id. */
  async sendTest(channel: AlertChannel): Promise<SendResult> {
    const test: Alert = {
      id: newId('test'),
      campaign_id: channel.campaign_id,
      partner_id: '',
      kind: 'goal_reached',
      severity: 'info',
      message: 'Test message from Pulseroom: this channel is set up.',
      ts: Date.now(),
      acknowledged: false,
    };
    const id = messageId(channel.id, test.id);
    const m: OutboundMessage = { id, kind: 'test', campaign_id: channel.campaign_id, alerts: [test] };
    return this.deliver(channel, m, { ...this.policy, maxAttempts: 1 });
  }

  /**
   * Finishes the deliveries a stopped server left pending (on start, and when this node becomes the alert leader):
   * the same message id, so a webhook receiver that got it before drops the repeat.
   */
  resume(): void {
    this.queue = this.queue
      .then(async () => {
        const byMessage = new Map<string, DeliveryRow[]>();
        for (const r of await unfinishedDeliveries(this.deps.client)) {
          byMessage.set(r.message_id, [...(byMessage.get(r.message_id) ?? []), r]);
        }
        for (const [id, rows] of byMessage) {
          if (this.sending.has(id)) continue;
          const channel = await findAlertChannel(this.deps.client, this.dataKey, rows[0].channel_id);
          const found = await Promise.all(rows.map((r) => findAlert(this.deps.client, r.alert_id)));
          const alerts = found.filter((a) => a !== null);
          if (!channel || alerts.length === 0) continue;
          const kind = alerts.length > 1 ? 'summary' : 'alert';
          this.track(this.deliver(channel, { id: rows[0].message_id, kind, campaign_id: channel.campaign_id, alerts }));
        }
      })
      .catch((e) => this.deps.logger.error({ err: e }, 'could not resume unfinished alert deliveries'));
  }

  /** Waits for what is queued and in flight (tests; shutdown), sending held summaries first when `flush`. */
  async drain(flush = false): Promise<void> {
    await this.queue;
    if (flush) this.gate.flushAll();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * Retries are cut (shutdown never waits minutes): what was cut stays pending for the next leader's resume; held
   * summaries are dropped (their alerts stay 'grouped' in the log).
   */
  async stop(): Promise<void> {
    this.gate.stop();
    this.stopping.abort();
    await this.drain();
  }
}
