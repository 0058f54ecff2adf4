// The admin routes of the platform connectors under /api/admin/connectors: connect a platform (the partner's
// credential sealed, never shown again), replace the credential, register a post by its URL, list posts, and each
// YouTube connector's quota plan. Ingest's connector runner polls what is registered here.
import type express from 'express';
import { z } from 'zod';
import {
  CONNECTOR_LABELS,
  CONNECTOR_PLATFORMS,
  nextQuotaReset,
  resolvePostUrl,
  slugId,
  text,
  youtubeQuotaPlan,
  type QuotaPlan,
} from '@pulseroom/schema';
import {
  conflict,
  connectorPosts,
  connectorUnitsSince,
  createConnector,
  findConnector,
  invalidRequest,
  listConnectors,
  notFound,
  parseRequest,
  registerConnectorPost,
  removeConnectorPost,
  sealSecret,
  setConnectorCredential,
  setSourceCampaigns,
  type ConnectorPostRow,
  type ConnectorRow,
  type DimensionCache,
  type RouteTable,
} from '@pulseroom/schema/server';
import type { ClickHouseClient } from '@clickhouse/client';
import type { RouteHandler as Handler } from './access.js';
import { sourcesLastSeen } from './queries/sources.js';

export interface ConnectorRouteDeps {
  client: ClickHouseClient;
  dims: DimensionCache;
  secretsKey: () => string;
  youtubeDailyQuota: number;
  audit(
    res: express.Response,
    e: { action: 'create' | 'update' | 'delete'; kind: 'source'; target_id: string; detail?: unknown },
  ): Promise<void>;
}

const credential = z
  .string({ error: 'expected the API key or access token the platform gave' })
  .trim()
  .min(8, 'expected the whole key or token')
  .max(4096, 'expected at most 4096 characters');
const accountId = z
  .string({ error: 'expected the Instagram professional account id (digits)' })
  .regex(/^\d{5,32}$/, 'expected the Instagram professional account id (digits)');

const connectorBody = z.object({
  platform: z.enum(CONNECTOR_PLATFORMS, { error: `expected one of ${CONNECTOR_PLATFORMS.join(', ')}` }),
  credential,
  /** Whose account the credential opens (Instagram, TikTok); YouTube's API key reads any public video. */
  partner_id: slugId.optional(),
  account_id: accountId.optional(),
  name: text(200).optional(),
  expected_every_s: z
    .number({ error: 'expected a number of seconds' })
    .int('expected whole seconds')
    .min(60, 'expected at least 60 seconds (the fastest cadence polls every minute)')
    .max(7 * 86_400, 'expected at most a week')
    .default(900),
});
const credentialBody = z.object({ credential, account_id: accountId.optional() });
const postBody = z.object({
  url: z.string({ error: 'expected the post URL' }).max(2048, 'expected at most 2048 characters'),
  campaign_id: slugId,
  partner_id: slugId.optional(),
});
const idParams = z.object({ id: slugId });
const postParams = z.object({ id: slugId, post_id: slugId });

const DAY_MS = 86_400_000;

/** A connector as the API shows it: never its credential. */
function shown(c: ConnectorRow, posts: ConnectorPostRow[], lastEventAt: number | null, quota: QuotaPlan | null) {
  const mine = posts.filter((p) => p.source_id === c.source_id);
  return {
    id: c.source_id,
    platform: c.platform,
    name: c.source.name,
    partner_id: c.partner_id || null,
    account_id: c.account_id || null,
    campaign_ids: c.source.campaign_ids,
    status: c.status,
    status_message: c.status_message || null,
    status_at: c.status_at,
    posts: mine.filter((p) => p.status === '').length,
    last_event_at: lastEventAt,
    quota,
  };
}

const shownPost = (p: ConnectorPostRow) => ({
  id: p.id,
  platform: p.platform,
  url: p.url,
  url_id: p.url_id,
  media_id: p.media_id || null,
  campaign_id: p.campaign_id,
  partner_id: p.partner_id,
  published_at: p.published_at || null,
  registered_at: p.registered_at,
  status: p.status || 'polling',
  status_message: p.status_message || null,
});

export function addConnectorRoutes(routes: RouteTable<Handler>, router: express.Router, d: ConnectorRouteDeps): void {
  const { client, dims } = d;
  const existing = async (req: express.Request): Promise<ConnectorRow> => {
    const { id } = parseRequest(idParams, req.params);
    const c = await findConnector(client, id);
    if (!c) throw notFound('CONNECTOR_NOT_FOUND', `no connector "${id}"`);
    return c;
  };

  /** Each YouTube connector's plan: what its posts' cadences want against the daily quota, and what it spent. */
  const plans = async (connectors: ConnectorRow[], posts: ConnectorPostRow[]): Promise<Map<string, QuotaPlan>> => {
    const now = Date.now();
    const youtube = connectors.filter((c) => c.platform === 'youtube');
    if (youtube.length === 0) return new Map();
    const units = await connectorUnitsSince(client, nextQuotaReset(now) - DAY_MS, now - DAY_MS);
    return new Map(
      youtube.map((c) => [
        c.source_id,
        youtubeQuotaPlan({
          postAgesMs: posts
            .filter((p) => p.source_id === c.source_id && p.status === '')
            .map((p) => now - (p.published_at || p.registered_at)),
          commentUnitsLastDay: units.get(c.source_id)?.commentUnitsLastDay ?? 0,
          usedToday: units.get(c.source_id)?.used ?? 0,
          budget: d.youtubeDailyQuota,
        }),
      ]),
    );
  };

  routes.add(router, '/connectors', {
    get: [
      async (_req, res) => {
        const [connectors, posts, seen] = await Promise.all([
          listConnectors(client),
          connectorPosts(client),
          sourcesLastSeen(client, Date.now()),
        ]);
        const quota = await plans(connectors, posts);
        res.json(connectors.map((c) => shown(c, posts, seen.get(c.source_id) ?? null, quota.get(c.source_id) ?? null)));
      },
    ],
    post: [
      async (req, res) => {
        const body = parseRequest(connectorBody, req.body ?? {});
        if (body.platform !== 'youtube' && !body.partner_id)
          throw invalidRequest({
            path: 'partner_id',
            message: `required: the creator whose ${CONNECTOR_LABELS[body.platform]} token this is`,
          });
        if (body.partner_id && !dims.partner(body.partner_id))
          throw invalidRequest({ path: 'partner_id', message: `unknown partner "${body.partner_id}"` });
        if (body.platform === 'instagram' && !body.account_id)
          throw invalidRequest({
            path: 'account_id',
            message: 'required: the Instagram professional account id the token belongs to',
          });
        const who = body.partner_id ? ` (${dims.partner(body.partner_id)?.handle ?? body.partner_id})` : '';
        const name = body.name ?? `${CONNECTOR_LABELS[body.platform]} connector${who}`;
        const id = await createConnector(client, {
          platform: body.platform,
          name,
          partner_id: body.partner_id ?? '',
          account_id: body.account_id ?? '',
          sealedCredential: sealSecret(d.secretsKey(), body.credential),
          // the campaigns of its posts, added as they are registered: the freshness banner names it only there
          campaign_ids: [],
          expected_every_s: body.expected_every_s,
        });
        const { credential: _c, ...detail } = body; // never the credential
        await d.audit(res, { action: 'create', kind: 'source', target_id: id, detail });
        res.status(201).json({ id, platform: body.platform, name, status: 'active' });
      },
    ],
  });

  // A refused credential (needs_reauth) is replaced here; the connector polls again at its next round.
  routes.add(router, '/connectors/:id/credentials', {
    put: [
      async (req, res) => {
        const body = parseRequest(credentialBody, req.body ?? {});
        const c = await existing(req);
        await setConnectorCredential(
          client,
          c,
          sealSecret(d.secretsKey(), body.credential),
          body.account_id ?? c.account_id,
        );
        const detail = { credential: 'replaced', account_id: body.account_id };
        await d.audit(res, { action: 'update', kind: 'source', target_id: c.source_id, detail });
        res.json({ id: c.source_id, status: 'active' });
      },
    ],
  });

  routes.add(router, '/connectors/:id/posts', {
    get: [
      async (req, res) => {
        const c = await existing(req);
        res.json((await connectorPosts(client, c.source_id)).map(shownPost));
      },
    ],
    post: [
      async (req, res) => {
        const c = await existing(req);
        const body = parseRequest(postBody, req.body ?? {});
        const ref = resolvePostUrl(body.url);
        if ('error' in ref) throw invalidRequest({ path: 'url', message: ref.error });
        if (ref.platform !== c.platform) {
          const wanted = `${c.platform === 'instagram' ? 'an' : 'a'} ${CONNECTOR_LABELS[c.platform]} post URL`;
          throw invalidRequest({
            path: 'url',
            message: `expected ${wanted} for this connector (this one is ${CONNECTOR_LABELS[ref.platform]}'s)`,
          });
        }
        if (!dims.campaign(body.campaign_id))
          throw invalidRequest({ path: 'campaign_id', message: `unknown campaign "${body.campaign_id}"` });
        const partnerId = body.partner_id ?? c.partner_id;
        if (!partnerId)
          throw invalidRequest({
            path: 'partner_id',
            message: 'required: whose post this is (the connector names none)',
          });
        if (!dims.partner(partnerId))
          throw invalidRequest({ path: 'partner_id', message: `unknown partner "${partnerId}"` });
        if (c.partner_id && partnerId !== c.partner_id)
          throw invalidRequest({
            path: 'partner_id',
            message: `this connector reads ${c.partner_id}'s account; register other partners' posts on their own`,
          });
        const twin = (await connectorPosts(client, c.source_id)).find(
          (p) => p.url_id === ref.id && p.campaign_id === body.campaign_id,
        );
        if (twin)
          throw conflict('POST_ALREADY_REGISTERED', `this post is already registered for the campaign as "${twin.id}"`);
        // The connector's source sends for its posts' campaigns: only there is it expected, and named when quiet.
        const scope = c.source.campaign_ids;
        if (!scope.includes(body.campaign_id))
          await setSourceCampaigns(client, c.source_id, [...scope, body.campaign_id]);
        const post = await registerConnectorPost(client, {
          source_id: c.source_id,
          campaign_id: body.campaign_id,
          partner_id: partnerId,
          platform: ref.platform,
          url: ref.url,
          url_id: ref.id,
          // Instagram's media id is not in the URL: the connector looks the shortcode up in the creator's media
          media_id: ref.platform === 'instagram' ? '' : ref.id,
        });
        await d.audit(res, {
          action: 'update',
          kind: 'source',
          target_id: c.source_id,
          detail: { post: shownPost(post) },
        });
        res.status(201).json(shownPost(post));
      },
    ],
  });

  routes.add(router, '/connectors/:id/posts/:post_id', {
    delete: [
      async (req, res) => {
        const { id, post_id } = parseRequest(postParams, req.params);
        const post = (await connectorPosts(client, id)).find((p) => p.id === post_id);
        if (!post) throw notFound('POST_NOT_FOUND', `no post "${post_id}" on connector "${id}"`);
        await removeConnectorPost(client, post);
        await d.audit(res, { action: 'update', kind: 'source', target_id: id, detail: { removed_post: post_id } });
        res.json({ id: post_id, removed: true });
      },
    ],
  });

  routes.add(router, '/connectors/:id/quota', {
    get: [
      async (req, res) => {
        const c = await existing(req);
        if (c.platform !== 'youtube')
          throw notFound('NO_QUOTA', `${CONNECTOR_LABELS[c.platform]} counts no daily quota units; only YouTube does`);
        const plan = (await plans([c], await connectorPosts(client, c.source_id))).get(c.source_id)!;
        res.json(plan);
      },
    ],
  });
}
