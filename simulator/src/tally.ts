// Figures computed from generated traffic, the same way the dashboard defines them, so tests and
// SimStats can set what was produced beside what was claimed.
import { TIERS, type Tier } from '@pulseroom/schema';
import type { Action } from './traffic.js';

export interface TrafficTally {
  /** interactions / views × 100 by tier (null with no views). */
  er_by_tier: Record<Tier, number | null>;
  views_by_tier: Record<Tier, number>;
  clicks: { human: number; unique: number; bots: number };
  orders: {
    click: number;
    promo: number;
    unattributable: number;
    approved: number;
    pending: number;
    rejected: number;
    refunds: number;
  };
  /** Approved attributed orders (click + promo) / unique clicks × 100. */
  cr_percent: number | null;
  /** Mean approved order amount by order currency. */
  aov: Record<string, number>;
  comments: { total: number; negative: number; crisis: number };
  posts: { total: number; clear: number; weak: number; missing: number };
}

export function emptyTally(): TrafficTally {
  const byTier = <T>(v: T) => Object.fromEntries(TIERS.map((t) => [t, v])) as Record<Tier, T>;
  return {
    er_by_tier: byTier<number | null>(null),
    views_by_tier: byTier(0),
    clicks: { human: 0, unique: 0, bots: 0 },
    orders: { click: 0, promo: 0, unattributable: 0, approved: 0, pending: 0, rejected: 0, refunds: 0 },
    cr_percent: null,
    aov: {},
    comments: { total: 0, negative: 0, crisis: 0 },
    posts: { total: 0, clear: 0, weak: 0, missing: 0 },
  };
}

/** Accumulates actions; call `finish` for the ratios. */
export class Tallier {
  private readonly t = emptyTally();
  private readonly interactions: Record<string, number> = {};
  private readonly amounts: Record<string, { sum: number; n: number }> = {};
  private attributedApproved = 0;

  add(actions: Iterable<Action>): this {
    for (const a of actions) {
      if (a.kind === 'visit') {
        if (a.bot) this.t.clicks.bots++;
        else {
          this.t.clicks.human++;
          if (a.unique) this.t.clicks.unique++;
        }
        if (a.order) {
          this.t.orders.click++;
          this.order(a.order.event.status ?? 'approved', a.order.event.amount, a.order.event.currency, true);
          if (a.order.refund) this.t.orders.refunds++;
        }
        continue;
      }
      const e = a.event;
      if (e.type === 'engagement' && a.note?.tier) {
        const tier = a.note.tier;
        this.t.views_by_tier[tier] += e.views ?? 0;
        this.interactions[tier] =
          (this.interactions[tier] ?? 0) + (e.likes ?? 0) + (e.comments ?? 0) + (e.shares ?? 0) + (e.saves ?? 0);
      } else if (e.type === 'comment') {
        this.t.comments.total++;
        if (a.note?.mood === 'negative' || a.note?.mood === 'crisis') this.t.comments.negative++;
        if (a.note?.mood === 'crisis') this.t.comments.crisis++;
      } else if (e.type === 'post') {
        this.t.posts.total++;
        if (a.note?.disclosure) this.t.posts[a.note.disclosure]++;
      } else if (e.type === 'conversion') {
        const unattributable = a.note?.order === 'unattributable';
        if (unattributable) this.t.orders.unattributable++;
        else this.t.orders.promo++;
        this.order(e.status ?? 'approved', e.amount, e.currency, !unattributable);
      } else if (e.type === 'refund') {
        this.t.orders.refunds++;
      }
    }
    return this;
  }

  private order(status: string, amount: number, currency: string, attributed: boolean): void {
    if (status === 'approved') {
      this.t.orders.approved++;
      if (attributed) this.attributedApproved++;
      const m = (this.amounts[currency] ??= { sum: 0, n: 0 });
      m.sum += amount;
      m.n++;
    } else if (status === 'pending') this.t.orders.pending++;
    else this.t.orders.rejected++;
  }

  finish(): TrafficTally {
    const t = structuredClone(this.t);
    for (const tier of TIERS)
      t.er_by_tier[tier] =
        t.views_by_tier[tier] > 0 ? ((this.interactions[tier] ?? 0) / t.views_by_tier[tier]) * 100 : null;
    t.cr_percent = t.clicks.unique > 0 ? (this.attributedApproved / t.clicks.unique) * 100 : null;
    for (const [cur, m] of Object.entries(this.amounts)) t.aov[cur] = Math.round((m.sum / m.n) * 100) / 100;
    return t;
  }
}
