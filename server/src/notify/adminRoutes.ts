// The admin routes of alert channels under /api/admin/alert-channels: list, read, upsert, delete, send a test, and
// the delivery log. Secrets never leave: a channel is shown masked, a generated webhook secret once, when made.
import type express from 'express';
import { z } from 'zod';
import { slugId } from '@pulseroom/schema';
import {
  HttpError,
  invalidRequest,
  notFound,
  parseRequest,
  type DimensionCache,
  type RouteTable,
} from '@pulseroom/schema/server';
import type { ClickHouseClient } from '@clickhouse/client';
import type { RouteHandler as Handler } from '../access.js';
import { alertChannels, findAlertChannel, upsertAlertChannel } from '../queries/alertChannels.js';
import { deliveryLog } from '../queries/alertDeliveries.js';
import { channelInput, masked, newWebhookSecret, type AlertChannel } from './channels.js';
import type { AlertNotifier } from './notifier.js';

export interface ChannelRouteDeps {
  client: ClickHouseClient;
  dims: DimensionCache;
  notifier: AlertNotifier;
  audit(
    res: express.Response,
    e: { action: 'create' | 'update' | 'delete'; kind: 'alert_channel'; target_id: string; detail?: unknown },
  ): Promise<void>;
}

const idParam = z.object({ id: slugId });
const listQuery = z.object({ campaign_id: slugId.optional() });
const logQuery = z.object({
  limit: z.coerce
    .number({ error: 'expected a number of entries' })
    .int('expected a whole number')
    .min(1, 'expected at least 1')
    .max(1000, 'expected at most 1000')
    .default(100),
});

export function addAlertChannelRoutes(routes: RouteTable<Handler>, router: express.Router, d: ChannelRouteDeps): void {
  const { client, dims, notifier } = d;
  const existing = async (req: express.Request): Promise<AlertChannel> => {
    const { id } = parseRequest(idParam, req.params);
    const c = await findAlertChannel(client, notifier.dataKey, id);
    if (!c) throw notFound('ALERT_CHANNEL_NOT_FOUND', `no alert channel "${id}"`);
    return c;
  };

  routes.add(router, '/alert-channels', {
    get: [
      async (req, res) => {
        const q = parseRequest(listQuery, req.query);
        res.json({ items: (await alertChannels(client, notifier.dataKey, q.campaign_id)).map(masked) });
      },
    ],
  });
  routes.add(router, '/alert-channels/:id', {
    get: [
      async (req, res) => {
        res.json(masked(await existing(req)));
      },
    ],
    put: [
      async (req, res) => {
        const { id } = parseRequest(idParam, req.params);
        const body = parseRequest(channelInput, req.body ?? {});
        if (!dims.campaign(body.campaign_id)) {
          throw invalidRequest({ path: 'campaign_id', message: `unknown campaign "${body.campaign_id}"` });
        }
        if (body.type === 'slack' && body.secret !== undefined) {
          throw invalidRequest({ path: 'secret', message: 'a Slack channel has no secret: its webhook URL is one' });
        }
        const before = await findAlertChannel(client, notifier.dataKey, id);
        const url = body.url ?? before?.url;
        if (url === undefined) throw invalidRequest({ path: 'url', message: 'required for a new channel' });
        // A webhook keeps its secret unless a new one is sent; a new webhook without one gets one, shown this once.
        const needsSecret = body.type === 'webhook' && body.secret === undefined && !before?.secret;
        const generated = needsSecret ? newWebhookSecret() : undefined;
        const secret = body.type === 'slack' ? '' : (body.secret ?? generated ?? before!.secret);
        const { campaign_id, name, type, kinds, min_severity, enabled } = body;
        const channel: AlertChannel = { id, campaign_id, name, type, url, secret, kinds, min_severity, enabled };
        await upsertAlertChannel(client, notifier.dataKey, channel);
        const shown = masked(channel);
        await d.audit(res, {
          action: before ? 'update' : 'create',
          kind: 'alert_channel',
          target_id: id,
          detail: shown,
        });
        res
          .status(before ? 200 : 201)
          .json({ ...shown, created: !before, ...(generated ? { secret: generated } : {}) });
      },
    ],
    delete: [
      async (req, res) => {
        const c = await existing(req);
        await upsertAlertChannel(client, notifier.dataKey, c, true);
        await d.audit(res, { action: 'delete', kind: 'alert_channel', target_id: c.id });
        res.json({ id: c.id, deleted: true });
      },
    ],
  });
  routes.add(router, '/alert-channels/:id/test', {
    post: [
      async (req, res) => {
        const r = await notifier.sendTest(await existing(req));
        if (!r.ok) {
          const why = r.error || `HTTP ${r.status}`;
          throw new HttpError(502, 'TEST_DELIVERY_FAILED', `the channel's receiver refused the test message: ${why}`);
        }
        res.json({ ok: true, status: r.status });
      },
    ],
  });
  routes.add(router, '/alert-channels/:id/deliveries', {
    get: [
      async (req, res) => {
        const c = await existing(req);
        const q = parseRequest(logQuery, req.query);
        res.json({ items: await deliveryLog(client, c.id, q.limit) });
      },
    ],
  });
}
