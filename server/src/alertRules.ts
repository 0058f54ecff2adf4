// Alert rules over the engine's buckets: each fires with a message saying why, at most once per cooldown per kind and
// partner.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  CONNECTOR_LABELS,
  currencyExponent,
  netSentiment,
  toMinor,
  type Alert,
  type AlertKind,
  type ConnectorPlatform,
  type PostItem,
} from '@pulseroom/schema';
import { connectorsNeedingReauth, newId } from '@pulseroom/schema/server';
import type { ServerConfig } from './config.js';
import { FIELD_INDEX as I, NF, windowIndex, type AggregationEngine, type KeyState } from './engine/rollingWindows.js';
import { toTotals } from './engine/breakdowns.js';
import type { DimensionCacheLike } from './engine/types.js';
import { alertsForCooldown, insertAlerts } from './queries/alerts.js';
import type { FeedItem } from './queries/feed.js';

const MIN = 60_000;
const W15 = windowIndex('15m');

export interface AlertRulesDeps {
  engine: AggregationEngine;
  dims: DimensionCacheLike;
  client: ClickHouseClient;
  config: ServerConfig;
  clock: () => number;
  logger: Logger;
}

const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${fmt.format(Math.abs(n))}`;

export class AlertRules {
  private lastFired = new Map<string, number>();
  private lastEval = 0;

  constructor(private readonly deps: AlertRulesDeps) {}

  async init(): Promise<void> {
    const since = this.deps.clock() - this.deps.config.ALERT_COOLDOWN_MS;
    for (const a of await alertsForCooldown(this.deps.client, since)) {
      const once = a.kind === 'goal_reached' || a.kind === 'connector_reauth';
      const key = once ? a.id : `${a.campaign_id}|${a.kind}|${a.partner_id}`;
      this.lastFired.set(key, Math.max(this.lastFired.get(key) ?? 0, once ? Infinity : a.ts));
    }
  }

  private handle(id: string): string {
    return this.deps.dims.partner(id)?.handle ?? id;
  }

  /** Tries to fire: false when the same kind for the same partner fired within the cooldown. */
  private fire(
    out: Alert[],
    a: Omit<Alert, 'id' | 'ts' | 'acknowledged'>,
    opts: { key?: string; id?: string } = {},
  ): void {
    const now = this.deps.clock();
    const key = opts.key ?? `${a.campaign_id}|${a.kind}|${a.partner_id}`;
    const last = this.lastFired.get(key);
    if (last !== undefined && now - last < this.deps.config.ALERT_COOLDOWN_MS) return;
    this.lastFired.set(key, opts.id ? Infinity : now);
    out.push({ ...a, id: opts.id ?? newId('al'), ts: now, acknowledged: false });
  }

  /** Evaluates the rules (at most every ALERT_EVAL_MS) and the posts of this tick; stores and returns what fired. */
  async evaluate(feed: FeedItem[]): Promise<Alert[]> {
    const { config } = this.deps;
    if (!config.ALERTS_ENABLED) return [];
    const out: Alert[] = [];
    for (const f of feed)
      if (f.kind === 'post' && f.item.disclosure === 'missing') this.disclosure(out, f.campaign_id, f.item);
    const now = this.deps.clock();
    if (now - this.lastEval >= config.ALERT_EVAL_MS) {
      this.lastEval = now;
      for (const c of this.deps.engine.campaigns.values())
        if (this.deps.dims.campaign(c.id)) this.campaignRules(out, c.id, [...c.keys.values()]);
      await this.connectorRules(out);
    }
    if (out.length > 0) {
      try {
        await insertAlerts(this.deps.client, out);
      } catch (e) {
        this.deps.logger.error({ err: e }, 'could not store alerts');
      }
      for (const a of out) this.deps.logger.info({ alert: a }, 'alert');
    }
    return out;
  }

  /**
   * A connector the platform refused (Instagram's error 190, a revoked TikTok token, an invalid YouTube key) polls
   * nothing until someone pastes a new credential: raised once per refusal, in each campaign its posts belong to.
   */
  private async connectorRules(out: Alert[]): Promise<void> {
    let refused: Awaited<ReturnType<typeof connectorsNeedingReauth>>;
    try {
      refused = await connectorsNeedingReauth(this.deps.client);
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'could not read the connectors needing re-authorisation');
      return;
    }
    for (const c of refused)
      for (const campaignId of c.campaign_ids) {
        if (!this.deps.dims.campaign(campaignId)) continue;
        const id = `reauth-${c.source_id}-${c.status_at}-${campaignId}`;
        const label = CONNECTOR_LABELS[c.platform as ConnectorPlatform] ?? c.platform;
        this.fire(
          out,
          {
            campaign_id: campaignId,
            partner_id: c.partner_id,
            kind: 'connector_reauth',
            severity: 'critical',
            message: `${c.name || `${label} connector`} needs re-authorisation: ${label} refused its credential (${c.status_message}). No figures come from it until a new one is pasted in the setup console (PUT /api/admin/connectors/${c.source_id}/credentials).`,
          },
          { id, key: id },
        );
      }
  }

  private disclosure(out: Alert[], campaignId: string, post: PostItem): void {
    this.fire(
      out,
      {
        campaign_id: campaignId,
        partner_id: post.partner_id,
        kind: 'disclosure_missing',
        severity: 'critical',
        message: `${this.handle(post.partner_id)} posted on ${post.platform || 'a platform'} without an ad disclosure (no #ad, "paid partnership" or platform label): ${post.url}`,
      },
      { key: `${campaignId}|disclosure_missing|${post.partner_id}|${post.content_id}` },
    );
  }

  private campaignRules(out: Alert[], campaignId: string, keys: KeyState[]): void {
    const { engine, config, dims } = this.deps;
    const B = engine.bucket;
    const campaign = dims.campaign(campaignId)!;
    const byPartner = new Map<string, KeyState[]>();
    for (const k of keys) {
      const list = byPartner.get(k.partner_id) ?? [];
      list.push(k);
      byPartner.set(k.partner_id, list);
    }
    const sum = (ks: KeyState[], from: number, to: number) => {
      const acc = new Float64Array(NF);
      for (const k of ks) engine.rangeTotals(k, from, to, acc);
      return acc;
    };
    const last15 = (ks: KeyState[]) => {
      const acc = new Float64Array(NF);
      for (const k of ks) for (let i = 0; i < NF; i++) acc[i] += k.cur[W15][i];
      return acc;
    };
    const interactions = (v: Float64Array) => v[I.likes] + v[I.comments] + v[I.shares] + v[I.saves];

    const sentiment = (partnerId: string, ks: KeyState[], who: string) => {
      const now = last15(ks);
      const before = sum(ks, B - 75 * MIN, B - 15 * MIN);
      const nNow = now[I.pos_n] + now[I.neu_n] + now[I.neg_n];
      const nBefore = before[I.pos_n] + before[I.neu_n] + before[I.neg_n];
      if (nNow < config.ALERT_SENTIMENT_MIN_COMMENTS || nBefore < config.ALERT_SENTIMENT_MIN_COMMENTS) return;
      const a = netSentiment(toTotals(before))!;
      const b = netSentiment(toTotals(now))!;
      if (Math.abs(b - a) < config.ALERT_SENTIMENT_SWING_POINTS) return;
      this.fire(out, {
        campaign_id: campaignId,
        partner_id: partnerId,
        kind: 'sentiment_swing',
        severity: b < a ? (b < 0 ? 'critical' : 'warning') : 'info',
        message: `Net sentiment ${who}${b < a ? 'fell' : 'rose'} from ${signed(a)} to ${signed(b)} in the last 15 min (${fmt.format(nNow)} comments, vs ${fmt.format(nBefore)} in the hour before).`,
      });
    };

    for (const [partnerId, ks] of byPartner) {
      if (partnerId === '') continue;
      const who = this.handle(partnerId);
      sentiment(partnerId, ks, `for ${who} `);
      const now = last15(ks);
      // The partner's own baseline: its average per 15 min over the 1 h 45 min before the last 15 min.
      const base = sum(ks, B - 120 * MIN, B - 15 * MIN);
      const baseI = interactions(base) / 7;
      const nowI = interactions(now);
      if (baseI >= config.ALERT_MIN_BASELINE_INTERACTIONS && nowI >= baseI * config.ALERT_SPIKE_FACTOR) {
        this.fire(out, {
          campaign_id: campaignId,
          partner_id: partnerId,
          kind: 'engagement_spike',
          severity: 'info',
          message: `${who}'s engagement is ${(nowI / baseI).toFixed(1)}× their usual: ${fmt.format(nowI)} interactions in the last 15 min vs about ${fmt.format(baseI)} per 15 min before.`,
        });
      } else if (baseI >= config.ALERT_MIN_BASELINE_INTERACTIONS && nowI <= baseI * config.ALERT_DROP_FACTOR) {
        this.fire(out, {
          campaign_id: campaignId,
          partner_id: partnerId,
          kind: 'engagement_drop',
          severity: 'warning',
          message: `${who}'s engagement dropped to ${fmt.format(nowI)} interactions in the last 15 min, from about ${fmt.format(baseI)} per 15 min before (${Math.round((1 - nowI / baseI) * 100)}% lower).`,
        });
      }
      const baseC = base[I.unique_clicks] / 7;
      const nowC = now[I.unique_clicks];
      if (
        nowC >= config.ALERT_MIN_SPIKE_CLICKS &&
        baseC >= config.ALERT_MIN_BASELINE_CLICKS / 7 &&
        nowC >= baseC * config.ALERT_SPIKE_FACTOR
      ) {
        this.fire(out, {
          campaign_id: campaignId,
          partner_id: partnerId,
          kind: 'click_spike',
          severity: 'info',
          message: `Clicks on ${who}'s links jumped to ${fmt.format(nowC)} unique clicks in the last 15 min, ${(nowC / baseC).toFixed(1)}× their usual ${fmt.format(baseC)} per 15 min.`,
        });
      }
    }

    sentiment('', keys, '');
    const ctd = new Float64Array(NF);
    for (const k of keys) for (let i = 0; i < NF; i++) ctd[i] += k.ctd[i];
    const money = (minor: number) =>
      new Intl.NumberFormat('en', { style: 'currency', currency: campaign.currency, maximumFractionDigits: 0 }).format(
        minor / 10 ** currencyExponent(campaign.currency),
      );
    if (campaign.goals.revenue !== undefined && campaign.goals.revenue > 0) {
      const goal = toMinor(campaign.goals.revenue, campaign.currency);
      if (ctd[I.revenue_minor] >= goal) {
        this.fire(
          out,
          {
            campaign_id: campaignId,
            partner_id: '',
            kind: 'goal_reached',
            severity: 'info',
            message: `Revenue goal reached: ${money(ctd[I.revenue_minor])} of the ${money(goal)} goal, campaign to date.`,
          },
          { id: `goal-${campaignId}-revenue`, key: `goal-${campaignId}-revenue` },
        );
      }
    }
    if (
      campaign.goals.clicks !== undefined &&
      campaign.goals.clicks > 0 &&
      ctd[I.unique_clicks] >= campaign.goals.clicks
    ) {
      this.fire(
        out,
        {
          campaign_id: campaignId,
          partner_id: '',
          kind: 'goal_reached',
          severity: 'info',
          message: `Clicks goal reached: ${fmt.format(ctd[I.unique_clicks])} unique clicks of the ${fmt.format(campaign.goals.clicks)} goal, campaign to date.`,
        },
        { id: `goal-${campaignId}-clicks`, key: `goal-${campaignId}-clicks` },
      );
    }
    const unNow = last15(keys)[I.unattributed_n];
    const unBefore = sum(keys, B - 75 * MIN, B - 15 * MIN)[I.unattributed_n] / 4;
    if (unNow >= config.ALERT_UNATTRIBUTED_MIN && unNow >= Math.max(1, unBefore) * config.ALERT_UNATTRIBUTED_FACTOR) {
      this.fire(out, {
        campaign_id: campaignId,
        partner_id: '',
        kind: 'unattributed_rising',
        severity: 'warning',
        message: `${fmt.format(unNow)} conversions in the last 15 min could not be attributed to a partner (vs about ${fmt.format(unBefore)} per 15 min in the hour before): check tracking links and promo codes.`,
      });
    }
  }
}

export type { AlertKind };
