// Alerts on the live stream: held per campaign in memory, pushed to alert rooms that mirror scopes (the whole campaign,
// or one partner for managers), acknowledged by any scope that sees them except the read-only wall.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert, DashboardScope } from '@pulseroom/schema';
import { forbidden, notFound } from '@pulseroom/schema/server';
import { alertVisible } from '../access.js';
import { AlertMemory } from './alertMemory.js';
import { partnerVisible, type ViewSpec } from '../engine/breakdowns.js';
import type { DimensionCacheLike } from '../engine/types.js';
import { findAlert, insertAlerts } from '../queries/alerts.js';
import type { LiveServer } from './types.js';

/** Sockets that see the whole campaign join the campaign's alert room; a manager's join one per partner of theirs. */
export const alertRoom = (campaignId: string, partnerId: string | null) =>
  partnerId === null ? `alerts|${campaignId}|all` : `alerts|${campaignId}|p:${partnerId}`;

export class LiveAlerts {
  readonly memory: AlertMemory;
  io: LiveServer | null = null;

  /**
   * `shared`: other nodes raise and acknowledge alerts too (Redis), so a campaign's alerts are reloaded every few
   * seconds.
   */
  constructor(private readonly deps: { client: ClickHouseClient; dims: DimensionCacheLike; shared: boolean }) {
    this.memory = new AlertMemory({ client: deps.client, maxAgeMs: deps.shared ? 5_000 : Infinity });
  }

  /** The alert rooms a subscription of `scope` to a campaign joins. */
  roomsFor(scope: DashboardScope, campaignId: string, spec: ViewSpec): string[] {
    return scope.role === 'manager'
      ? [...(spec.partners ?? [])].map((p) => alertRoom(campaignId, p))
      : [alertRoom(campaignId, null)];
  }

  inView(scope: DashboardScope, spec: ViewSpec, a: Alert): boolean {
    if (!alertVisible(scope, this.deps.dims, a)) return false;
    return a.partner_id === '' ? scope.role !== 'manager' : partnerVisible(spec, this.deps.dims, a.partner_id);
  }

  /** Every node's sockets get them (with the Redis adapter, `io.to` reaches the other nodes). */
  push(alerts: Alert[]): void {
    this.memory.add(alerts);
    if (!this.io) return;
    for (const a of alerts) {
      const rooms = [alertRoom(a.campaign_id, null)];
      if (a.partner_id !== '') rooms.push(alertRoom(a.campaign_id, a.partner_id));
      this.io.to(rooms).emit('alert', a);
    }
  }

  async acknowledge(scope: DashboardScope, alertId: string): Promise<Alert> {
    if (scope.role === 'wall') throw forbidden('a wall token is read-only', 'READ_ONLY');
    const alert = alertId ? await findAlert(this.deps.client, alertId) : null;
    if (!alert || !alertVisible(scope, this.deps.dims, alert))
      throw notFound('ALERT_NOT_FOUND', `no alert "${alertId}" in this token's scope`);
    if (alert.acknowledged) return alert;
    const acked = { ...alert, acknowledged: true };
    await insertAlerts(this.deps.client, [acked], scope.token_id);
    this.push([acked]);
    return acked;
  }
}
