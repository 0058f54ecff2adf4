// REST of the notes on the charts: list a campaign's (in the token's scope), add one, remove one. Who may do what is
// decided by LiveAnnotations, which also pushes each change to the campaign's sockets.
import type express from 'express';
import { z } from 'zod';
import { annotationRequest, slugId, type Annotation, type DashboardScope } from '@pulseroom/schema';
import { forbidden, invalidRequest, parseRequest, type RouteTable } from '@pulseroom/schema/server';
import { requireCampaign, scopeOf, type RouteHandler } from './access.js';
import type { ViewSpec } from './engine/breakdowns.js';
import type { DimensionCacheLike } from './engine/types.js';
import type { LiveHub } from './live/hub.js';

const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, 'expected epoch milliseconds')
  .transform(Number);
const listQuery = z.object({ partner_id: slugId.optional(), from: epochMs.optional(), to: epochMs.optional() });

export interface AnnotationRoutesDeps {
  dims: DimensionCacheLike;
  hub: LiveHub;
  /** The view a scope may see of a campaign, narrowed to one partner when asked. */
  view: (scope: DashboardScope, campaignId: string, partnerId: string | undefined) => ViewSpec;
}

export function addAnnotationRoutes(
  api: express.Router,
  routes: RouteTable<RouteHandler>,
  deps: AnnotationRoutesDeps,
): void {
  const { dims, hub } = deps;
  routes.add(api, '/campaigns/:id/annotations', {
    get: [
      async (req, res) => {
        const q = parseRequest(listQuery, req.query);
        if (q.from !== undefined && q.to !== undefined && q.from >= q.to)
          throw invalidRequest({ path: 'to', message: 'expected "to" after "from"' });
        const spec = deps.view(scopeOf(res), req.params.id, q.partner_id);
        const body: Annotation[] = await hub.annotations.list(spec, { sinceMs: q.from, untilMs: q.to });
        res.json(body);
      },
    ],
    post: [
      async (req, res) => {
        const scope = scopeOf(res);
        // Who may write, and where, before the body: a token learns nothing of a campaign outside its scope.
        if (scope.role === 'wall') throw forbidden('a wall token is read-only', 'READ_ONLY');
        requireCampaign(scope, dims, req.params.id);
        const body = parseRequest(annotationRequest, req.body ?? {});
        res.status(201).json(await hub.annotations.add(scope, req.params.id, body));
      },
    ],
  });
  routes.add(api, '/annotations/:id', {
    delete: [
      async (req, res) => {
        res.json(await hub.annotations.remove(scopeOf(res), req.params.id));
      },
    ],
  });
}
