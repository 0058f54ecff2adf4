// The REST API under /api: scoped reads (campaigns, summary, series, partner detail, alerts, CSV exports) and the admin
// API, all validated by zod.
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Logger } from 'pino';
import {
  groupName,
  PARTNER_TYPES,
  PLATFORMS,
  slugId,
  startOfZonedDay,
  TIERS,
  windowName,
  type DashboardScope,
  type GroupRow,
  type PartnerDetail,
  type SeriesResponse,
  type SourceFreshness,
  type SummaryResponse,
  type WhoAmI,
  type WindowName,
  WINDOWS,
  type CommissionsSummary,
  type OrderHistory,
  type PayoutsResponse,
} from '@pulseroom/schema';
import {
  dataKeyOf,
  HttpError,
  invalidRequest,
  parseRequest,
  notFound,
  parseJsonBytes,
  RouteTable,
  routeNotFound,
  sendError,
  toHttpError,
  unauthorized,
  type DimensionCache,
  type RouteEntry,
  type Store,
} from '@pulseroom/schema/server';
import { createAdminApi } from './adminApi.js';
import { LiveCommissions } from './live/commissions.js';
import type { MoneyBook } from './money/moneyBook.js';
import { payoutsCsv } from './money/payoutCsv.js';
import type { AlertNotifier } from './notify/notifier.js';
import {
  campaignAllowed,
  campaignsInScope,
  partnerAllowed,
  requireCampaign,
  scopeOf,
  viewFor,
  type RouteHandler as Handler,
  type TokenResolver,
} from './access.js';
import {
  computeGroups,
  partnerInfo,
  partnerTier,
  partnerType,
  partnerVisible,
  UNATTRIBUTED,
  type ViewSpec,
} from './engine/breakdowns.js';
import { BUCKET_MS, type AggregationEngine } from './engine/rollingWindows.js';
import { campaignInfo, type LiveHub } from './live/hub.js';
import type { ServerConfig } from './config.js';
import { alertsOfCampaign } from './queries/alerts.js';
import type { SourceFreshnessReader } from './sourceFreshness.js';
import { addAnnotationRoutes } from './annotationRoutes.js';
import { partnerFeed } from './queries/feed.js';
import { campaignSeries, campaignSeriesCsv, leaderboardCsv, type HistoryScope } from './queries/history.js';

export interface ApiDeps {
  store: Store;
  dims: DimensionCache;
  engine: AggregationEngine;
  hub: LiveHub;
  resolver: TokenResolver;
  config: ServerConfig;
  logger: Logger;
  clock: () => number;
  notifier: AlertNotifier;
  money: MoneyBook;
  sources: SourceFreshnessReader;
}

const BODY_LIMIT = 256 * 1024;
const bodyBytes = express.raw({ limit: BODY_LIMIT, type: () => true });
/** A CSV upload (the partner import) is text of up to 5 MB: about 50,000 partners. */
const csvText = express.text({ type: 'text/csv', limit: '5mb', defaultCharset: 'utf-8' });
/** The routes (paths under /api) that take a CSV body instead of JSON. */
const CSV_ROUTES: ReadonlySet<string> = new Set(['/admin/partners/import']);
/** A JSON body (BOM allowed, UTF-8 only) when the method carries one, CSV where a route takes it; else a 415. */
const jsonBody: express.RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  if (CSV_ROUTES.has(req.path) && req.is('text/csv')) return csvText(req, res, next);
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json') && !req.is('+json')) {
    return next(
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `expected a JSON body sent as Content-Type: application/json, or text/csv where a route takes CSV (got ${req.get('content-type') ?? 'none'})`,
      ),
    );
  }
  bodyBytes(req, res, (err?: unknown) => {
    if (err) return next(err);
    try {
      req.body = Buffer.isBuffer(req.body) ? parseJsonBytes(req.body) : undefined;
      next();
    } catch (e) {
      next(e);
    }
  });
};

const list = <T extends readonly [string, ...string[]]>(values: T, name: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: `expected ${name}: ${values.join(', ')}` })).max(values.length));

const viewQuery = z.object({
  partner_id: slugId.optional(),
  type: list(PARTNER_TYPES, 'partner types').optional(),
  tier: list(TIERS, 'tiers').optional(),
  platform: list(PLATFORMS, 'platforms').optional(),
});
const summaryQuery = viewQuery.extend({ window: windowName.default('5m'), group: groupName.default('partner') });

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const instant = z.string().transform((s, ctx) => {
  // Strict: Date.parse alone takes almost anything ("' OR '1'='1" is a date in 2001 to V8).
  const ms = /^\d{1,15}$/.test(s) ? Number(s) : ISO_DATE_TIME.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO-8601 date-time' });
    return z.NEVER;
  }
  return ms;
});

/** Bucket sizes a series can use, and the one picked for a range when none is asked for. */
export const SERIES_BUCKETS = {
  '10s': 10_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
} as const;
const MAX_POINTS = 5_000;
export function bucketForRange(rangeMs: number): number {
  if (rangeMs <= 3_600_000) return SERIES_BUCKETS['10s'];
  if (rangeMs <= 86_400_000) return SERIES_BUCKETS['1m'];
  if (rangeMs <= 3 * 86_400_000) return SERIES_BUCKETS['5m'];
  if (rangeMs <= 7 * 86_400_000) return SERIES_BUCKETS['15m'];
  if (rangeMs <= 31 * 86_400_000) return SERIES_BUCKETS['1h'];
  if (rangeMs <= 180 * 86_400_000) return SERIES_BUCKETS['6h'];
  return SERIES_BUCKETS['1d'];
}
const bucketKeys = Object.keys(SERIES_BUCKETS) as [keyof typeof SERIES_BUCKETS, ...(keyof typeof SERIES_BUCKETS)[]];
const seriesQuery = viewQuery.extend({
  from: instant.optional(),
  to: instant.optional(),
  bucket: z.enum(bucketKeys, { error: `expected a bucket: ${bucketKeys.join(', ')}` }).optional(),
});

const partnerQuery = z.object({ campaign_id: slugId.optional() });
const ordersQuery = z.object({
  partner_id: slugId,
  limit: z.coerce
    .number({ error: 'expected a whole number from 1 to 500' })
    .int('expected a whole number from 1 to 500')
    .min(1, 'expected a whole number from 1 to 500')
    .max(500, 'expected a whole number from 1 to 500')
    .default(100),
});
const payoutsQuery = z.object({ period_end: instant.optional(), partner_id: slugId.optional() });

export function createApi(deps: ApiDeps): express.Router & { routes: RouteEntry[] } {
  const { dims, engine, hub, resolver, config, clock } = deps;
  const client = deps.store.client;
  const api = express.Router();
  const routes = new RouteTable<Handler>('/api', 'dashboard');

  const limited = (message: string) => (_req: Request, _res: Response, next: NextFunction) =>
    next(new HttpError(429, 'RATE_LIMITED', message));
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: config.PULSEROOM_API_RATE_PER_MIN,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: limited('too many requests; slow down'),
    }),
  );
  api.use(async (req, res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const scope = m ? await resolver.resolve(m[1]) : null;
    if (!scope)
      return next(
        unauthorized(m ? 'this dashboard token is invalid or revoked' : 'send Authorization: Bearer <dashboard token>'),
      );
    res.locals.scope = scope;
    next();
  });
  // Bodies are read once the caller is known: an anonymous request never makes the server read megabytes.
  api.use(jsonBody);
  // Per token as well as per address: one leaked or runaway token cannot starve the others behind a shared proxy.
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: config.PULSEROOM_API_RATE_PER_TOKEN_PER_MIN,
      keyGenerator: (_req, res) => `tok:${scopeOf(res).token_id}`,
      validate: false,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: limited('too many requests with this token; slow down'),
    }),
  );

  /** The view a scope may see for a campaign with the request's narrowing. */
  const view = (scope: DashboardScope, campaignId: string, q: z.infer<typeof viewQuery>): ViewSpec =>
    viewFor(scope, dims, {
      campaign_id: campaignId,
      partner_id: q.partner_id,
      filter: { type: q.type, tier: q.tier, platform: q.platform },
    });

  /** The rows of agg_10s a view may read, for history queries. */
  const historyScope = (spec: ViewSpec): HistoryScope => {
    const narrowed = spec.partners !== null || spec.types !== null || spec.tiers !== null;
    const candidates = spec.partners ? [...spec.partners] : [UNATTRIBUTED, ...dims.allPartners().map((p) => p.id)];
    return {
      campaign_id: spec.campaign_id,
      partners: narrowed ? candidates.filter((id) => partnerVisible(spec, dims, id)) : null,
      platforms: spec.platforms ? [...spec.platforms] : null,
    };
  };

  const seriesRange = (q: z.infer<typeof seriesQuery>, campaignId: string) => {
    const now = clock();
    const toRaw = q.to ?? now;
    const fromRaw = q.from ?? toRaw - 3_600_000;
    if (fromRaw >= toRaw) throw invalidRequest({ path: 'to', message: 'expected "to" after "from"' });
    const bucketMs = q.bucket ? SERIES_BUCKETS[q.bucket] : bucketForRange(toRaw - fromRaw);
    const timeZone = dims.campaign(campaignId)?.timezone ?? 'UTC';
    // Days are the campaign's calendar days (midnight in its zone); shorter buckets are aligned to the epoch.
    const daily = bucketMs >= SERIES_BUCKETS['1d'];
    const fromMs = daily ? startOfZonedDay(fromRaw, timeZone) : Math.floor(fromRaw / bucketMs) * bucketMs;
    const lastDay = daily ? startOfZonedDay(toRaw, timeZone) : 0;
    const toMs = daily
      ? lastDay === toRaw
        ? toRaw
        : startOfZonedDay(toRaw, timeZone, 1)
      : Math.ceil(toRaw / bucketMs) * bucketMs;
    if (Math.round((toMs - fromMs) / bucketMs) > MAX_POINTS)
      throw invalidRequest({
        path: 'bucket',
        message: `expected at most ${MAX_POINTS} points: pick a larger bucket or a shorter range`,
      });
    return { fromMs, toMs, bucketMs, timeZone };
  };

  routes.add(api, '/me', {
    get: [
      (_req, res) => {
        const s = scopeOf(res);
        const me: WhoAmI = {
          role: s.role,
          campaign_ids:
            s.role === 'admin' || s.role === 'manager' ? campaignsInScope(s, dims).map((c) => c.id) : s.campaign_ids,
          manager_id: s.manager_id,
          label: s.label ?? '',
        };
        res.json(me);
      },
    ],
  });

  routes.add(api, '/campaigns', {
    get: [
      (_req, res) => {
        res.json(campaignsInScope(scopeOf(res), dims).map(campaignInfo));
      },
    ],
  });

  routes.add(api, '/campaigns/:id/sources', {
    get: [
      async (req, res) => {
        requireCampaign(scopeOf(res), dims, req.params.id);
        const body: SourceFreshness[] = await deps.sources.forCampaign(req.params.id);
        res.json(body);
      },
    ],
  });

  routes.add(api, '/campaigns/:id/summary', {
    get: [
      (req, res) => {
        const q = parseRequest(summaryQuery, req.query);
        const spec = view(scopeOf(res), req.params.id, q);
        const campaign = dims.campaign(req.params.id)!;
        const body: SummaryResponse = {
          campaign_id: campaign.id,
          window: q.window,
          group: q.group,
          at: engine.lastTickAt,
          currency: campaign.currency,
          rows: computeGroups(engine, dims, spec, q.window)[q.group],
        };
        res.json(body);
      },
    ],
  });

  routes.add(api, '/campaigns/:id/export.csv', {
    get: [
      async (req, res) => {
        const q = parseRequest(summaryQuery, req.query);
        const spec = view(scopeOf(res), req.params.id, q);
        const rows = computeGroups(engine, dims, spec, q.window)[q.group];
        const groupOf: Record<string, string> = {};
        if (q.group === 'type' || q.group === 'tier')
          for (const p of dims.allPartners())
            groupOf[p.id] = q.group === 'type' ? partnerType(dims, p.id) : partnerTier(dims, p.id);
        const pick = (f: (r: GroupRow) => number) => Object.fromEntries(rows.map((r) => [r.key, f(r)]));
        const range = engine.windowRange(q.window);
        const stream = await leaderboardCsv(client, {
          ...historyScope(spec),
          group: q.group,
          afterMs: q.window === 'ctd' ? null : range.from - BUCKET_MS,
          untilMs: range.to - BUCKET_MS,
          keys: rows.map((r) => r.key),
          groupOf,
          followers: pick((r) => r.metrics.followers),
          fees: pick((r) => r.metrics.fee_minor),
          committed: pick((r) => r.metrics.fee_committed_minor),
        });
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${req.params.id}-${q.group}-${q.window}.csv"`);
        stream.on('error', (e) => res.destroy(e));
        stream.pipe(res);
      },
    ],
  });

  routes.add(api, '/campaigns/:id/series', {
    get: [
      async (req, res) => {
        const q = parseRequest(seriesQuery, req.query);
        const spec = view(scopeOf(res), req.params.id, q);
        const r = seriesRange(q, req.params.id);
        const body: SeriesResponse = {
          campaign_id: spec.campaign_id,
          from: r.fromMs,
          to: r.toMs,
          bucket_ms: r.bucketMs,
          points: await campaignSeries(client, { ...historyScope(spec), ...r }),
        };
        res.json(body);
      },
    ],
  });

  routes.add(api, '/campaigns/:id/series.csv', {
    get: [
      async (req, res) => {
        const q = parseRequest(seriesQuery, req.query);
        const spec = view(scopeOf(res), req.params.id, q);
        const r = seriesRange(q, req.params.id);
        const stream = await campaignSeriesCsv(client, { ...historyScope(spec), ...r });
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${req.params.id}-series.csv"`);
        stream.on('error', (e) => res.destroy(e));
        stream.pipe(res);
      },
    ],
  });

  routes.add(api, '/campaigns/:id/alerts', {
    get: [
      async (req, res) => {
        const scope = scopeOf(res);
        const spec = view(scope, req.params.id, {});
        res.json(await alertsOfCampaign(client, req.params.id, spec.partners ? [...spec.partners] : null));
      },
    ],
  });

  addAnnotationRoutes(api, routes, {
    dims,
    hub,
    view: (scope, id, partnerId) => view(scope, id, { partner_id: partnerId }),
  });

  routes.add(api, '/alerts/:id/ack', {
    post: [
      async (req, res) => {
        res.json(await hub.acknowledge(scopeOf(res), req.params.id));
      },
    ],
  });

  routes.add(api, '/partners/:id', {
    get: [
      async (req, res) => {
        const scope = scopeOf(res);
        const q = parseRequest(partnerQuery, req.query);
        const partnerId = req.params.id;
        const p = dims.partner(partnerId);
        // One answer for "no such partner", "not yours" and "not in that campaign": a token learns nothing outside its
        // scope.
        const missing = notFound('PARTNER_NOT_FOUND', `no partner "${partnerId}" in this token's scope`);
        if (!p || !partnerAllowed(scope, dims, partnerId)) throw missing;
        const inScope = (campaignId: string) =>
          campaignAllowed(scope, dims, campaignId) && dims.dealFor(campaignId, partnerId) !== undefined;
        const campaignId = q.campaign_id ?? campaignsInScope(scope, dims).find((c) => inScope(c.id))?.id;
        if (!campaignId || !inScope(campaignId)) throw missing;
        const spec = viewFor(scope, dims, { campaign_id: campaignId, partner_id: partnerId });
        const windows: PartnerDetail['windows'] = {};
        for (const w of WINDOWS) {
          const row = computeGroups(engine, dims, spec, w as WindowName).partner.find((r) => r.key === partnerId);
          if (row) windows[w] = row;
        }
        const feed = await partnerFeed(client, {
          campaign_id: campaignId,
          partner_id: partnerId,
          sinceMs: clock() - 30 * 86_400_000,
          limit: 50,
        });
        const body: PartnerDetail = {
          partner: partnerInfo(p),
          campaign_id: campaignId,
          windows,
          posts: feed.flatMap((f) => (f.kind === 'post' ? [f.item] : [])),
          comments: feed.flatMap((f) => (f.kind === 'comment' ? [f.item] : [])),
          alerts: await alertsOfCampaign(client, campaignId, [partnerId], 50),
        };
        res.json(body);
      },
    ],
  });

  // ---- commissions by status, order histories, payouts ----
  const { money } = deps;
  /** Money is per partner: a wall (one screen, no finance detail) reads the totals only, through `commissions`. */
  const moneyView = (res: Response, campaignId: string, q: z.infer<typeof viewQuery>, finance: boolean) => {
    const scope = scopeOf(res);
    if (finance && scope.role === 'wall')
      throw new HttpError(403, 'FORBIDDEN', 'a wall token does not read order histories or payouts');
    return view(scope, campaignId, q);
  };
  routes.add(api, '/campaigns/:id/commissions', {
    get: [
      async (req, res) => {
        const q = parseRequest(viewQuery, req.query);
        const spec = moneyView(res, req.params.id, q, false);
        const all = await money.commissions(spec.campaign_id, spec.partners, clock());
        const body: CommissionsSummary = LiveCommissions.scoped(all, (p) => partnerVisible(spec, dims, p));
        res.json(body);
      },
    ],
  });
  routes.add(api, '/campaigns/:id/orders', {
    get: [
      async (req, res) => {
        moneyView(res, req.params.id, {}, true); // an unknown campaign is a 404 whatever the query
        const q = parseRequest(ordersQuery, req.query);
        const spec = moneyView(res, req.params.id, { partner_id: q.partner_id }, true);
        if (!partnerVisible(spec, dims, q.partner_id) || !dims.dealFor(spec.campaign_id, q.partner_id))
          throw notFound('PARTNER_NOT_FOUND', `no partner "${q.partner_id}" in this campaign and token's scope`);
        const body: OrderHistory[] = await money.orders(spec.campaign_id, q.partner_id, clock(), q.limit);
        res.json(body);
      },
    ],
  });
  const payouts = async (req: Request, res: Response): Promise<PayoutsResponse> => {
    moneyView(res, String(req.params.id), {}, true);
    const q = parseRequest(payoutsQuery, req.query);
    const spec = moneyView(res, String(req.params.id), { partner_id: q.partner_id }, true);
    const periodEnd = q.period_end ?? clock();
    const out = await money.payouts(spec.campaign_id, periodEnd, spec.partners);
    return { ...out, rows: out.rows.filter((r) => partnerVisible(spec, dims, r.partner_id)) };
  };
  routes.add(api, '/campaigns/:id/payouts', {
    get: [
      async (req, res) => {
        res.json(await payouts(req, res));
      },
    ],
  });
  routes.add(api, '/campaigns/:id/payouts.csv', {
    get: [
      async (req, res) => {
        const body = await payouts(req, res);
        const stream = await payoutsCsv(client, body.rows);
        const day = new Date(body.period_end).toISOString().slice(0, 10);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${req.params.id}-payouts-${day}.csv"`);
        stream.on('error', (e) => res.destroy(e));
        stream.pipe(res);
      },
    ],
  });

  const secretsKey = () => dataKeyOf(config);
  const admin = createAdminApi({
    client,
    dims,
    resolver,
    notifier: deps.notifier,
    disconnectToken: (id) => hub.disconnectToken(id),
    secretsKey,
    money,
    clock,
    moneyChanged: (campaignId) => hub.commissions.markDirty(campaignId),
    youtubeDailyQuota: config.YOUTUBE_DAILY_QUOTA,
  });
  api.use('/admin', admin);

  api.use((req, _res, next) => next(routeNotFound(req.method, req.originalUrl.split('?')[0])));
  api.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) deps.logger.error({ err }, 'request failed');
    sendError(res, e);
  });
  return Object.assign(api, { routes: [...routes.entries, ...admin.routes] });
}

export { requireCampaign };
