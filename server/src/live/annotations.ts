// Notes on the charts: who may add and remove them, held per campaign in memory for snapshots, and pushed to every
// socket of the campaign that may see them (a partner's note to that partner's views, a campaign-wide one to all).
import type { ClickHouseClient } from '@clickhouse/client';
import type { Annotation, AnnotationRequest, DashboardScope } from '@pulseroom/schema';
import { forbidden, invalidRequest, newId, notFound } from '@pulseroom/schema/server';
import { campaignAllowed, ENV_ADMIN_TOKEN_ID, partnerAllowed, requireCampaign } from '../access.js';
import { partnerVisible, type ViewSpec } from '../engine/breakdowns.js';
import type { DimensionCacheLike } from '../engine/types.js';
import { annotationsOfCampaign, findAnnotation, insertAnnotation } from '../queries/annotations.js';
import { alertRoom } from './alerts.js';
import { CampaignMemory } from './campaignMemory.js';
import type { LiveServer } from './types.js';

/** Notes a campaign's snapshots carry: the last 24 h, at most this many. */
export const ANNOTATIONS_KEPT = 200;
const DAY_MS = 86_400_000;
/** A note may be put a little ahead of now (a clock a few seconds off), not into the future. */
const AHEAD_MS = 5 * 60_000;

export interface LiveAnnotationsDeps {
  client: ClickHouseClient;
  dims: DimensionCacheLike;
  /** The app's event-time clock: notes stand on the charts' time axis. */
  clock: () => number;
  /** Other nodes add notes too (Redis): a campaign's notes are reloaded every few seconds. */
  shared: boolean;
}

export class LiveAnnotations {
  readonly memory: CampaignMemory<Annotation>;
  io: LiveServer | null = null;

  constructor(private readonly deps: LiveAnnotationsDeps) {
    this.memory = new CampaignMemory<Annotation>({
      load: (campaignId) =>
        annotationsOfCampaign(deps.client, {
          campaign_id: campaignId,
          partners: null,
          sinceMs: deps.clock() - DAY_MS,
          limit: ANNOTATIONS_KEPT,
        }),
      keep: ANNOTATIONS_KEPT,
      maxAgeMs: deps.shared ? 5_000 : Infinity,
    });
  }

  /** A view shows its partners' notes and the campaign-wide ones. */
  inView(spec: ViewSpec, a: Annotation): boolean {
    return a.partner_id === '' || partnerVisible(spec, this.deps.dims, a.partner_id);
  }

  /** Admins and the campaign's viewers note anything of it; a manager notes their own partners; a wall nothing. */
  async add(scope: DashboardScope, campaignId: string, req: AnnotationRequest): Promise<Annotation> {
    if (scope.role === 'wall') throw forbidden('a wall token is read-only', 'READ_ONLY');
    requireCampaign(scope, this.deps.dims, campaignId);
    const partnerId = req.partner_id ?? '';
    if (partnerId === '' && scope.role === 'manager')
      throw invalidRequest({
        path: 'partner_id',
        message: "expected partner_id: an account manager's note is about one of their partners",
      });
    if (partnerId !== '' && !this.mayNote(scope, campaignId, partnerId))
      throw invalidRequest({
        path: 'partner_id',
        message: `expected the id of a partner of campaign "${campaignId}" in this token's scope`,
      });
    const now = this.deps.clock();
    const ts = req.ts ?? now;
    if (ts > now + AHEAD_MS)
      throw invalidRequest({ path: 'ts', message: 'expected a time no later than 5 minutes from now' });
    const a: Annotation = {
      id: newId('note'),
      campaign_id: campaignId,
      partner_id: partnerId,
      ts,
      text: req.text,
      // The product's own admin token is labelled with its variable's name: a person reads "Admin".
      author: scope.token_id === ENV_ADMIN_TOKEN_ID ? 'Admin' : scope.label || scope.role,
    };
    await insertAnnotation(this.deps.client, a, scope.token_id);
    this.memory.add([a]);
    this.io?.to(this.roomsOf(a)).emit('annotation', a);
    return a;
  }

  /** Whoever may add a note may remove it; a note outside the scope is unknown to it. */
  async remove(scope: DashboardScope, id: string): Promise<Annotation> {
    if (scope.role === 'wall') throw forbidden('a wall token is read-only', 'READ_ONLY');
    const a = id ? await findAnnotation(this.deps.client, id) : null;
    const missing = notFound('ANNOTATION_NOT_FOUND', `no note "${id}" in this token's scope`);
    if (!a || !campaignAllowed(scope, this.deps.dims, a.campaign_id)) throw missing;
    if (a.partner_id !== '' && !partnerAllowed(scope, this.deps.dims, a.partner_id)) throw missing;
    if (a.partner_id === '' && scope.role === 'manager')
      throw forbidden('a campaign-wide note is removed by an admin or a viewer of the campaign', 'NOT_YOURS');
    await insertAnnotation(this.deps.client, a, scope.token_id, true);
    this.memory.remove(a.campaign_id, [a.id]);
    this.io?.to(this.roomsOf(a)).emit('annotation_removed', { campaign_id: a.campaign_id, id: a.id });
    return a;
  }

  /** A view's notes, newest first, from the store (the REST list). */
  list(spec: ViewSpec, q: { sinceMs?: number; untilMs?: number; limit?: number }): Promise<Annotation[]> {
    return annotationsOfCampaign(this.deps.client, {
      campaign_id: spec.campaign_id,
      partners: spec.partners ? [...spec.partners] : null,
      sinceMs: q.sinceMs ?? this.deps.clock() - DAY_MS,
      untilMs: q.untilMs,
      limit: q.limit ?? 500,
    }).then((list) => list.filter((a) => this.inView(spec, a)));
  }

  private mayNote(scope: DashboardScope, campaignId: string, partnerId: string): boolean {
    return (
      this.deps.dims.dealFor(campaignId, partnerId) !== undefined && partnerAllowed(scope, this.deps.dims, partnerId)
    );
  }

  /**
   * The alert rooms reach every socket of the campaign (the whole campaign's, or a manager's one per partner); with
   * the Redis adapter, every node's.
   */
  private roomsOf(a: Annotation): string[] {
    const rooms = [alertRoom(a.campaign_id, null)];
    if (a.partner_id !== '') rooms.push(alertRoom(a.campaign_id, a.partner_id));
    else for (const d of this.deps.dims.dealsOf(a.campaign_id)) rooms.push(alertRoom(a.campaign_id, d.partner_id));
    return rooms;
  }
}
