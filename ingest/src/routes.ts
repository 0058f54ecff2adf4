// The HTTP surface of ingest as an express Router: /v1/events, /v1/postback, /v1/conversions, the providers' webhooks
// (providers/webhookRoutes.ts) and /r/:code.
import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '@pulseroom/schema';
import {
  badRequest,
  HttpError,
  invalidRequest,
  notFound,
  parseJsonBytes,
  RouteTable,
  routeNotFound,
  sendError,
  toHttpError,
  unavailable,
  type DimensionCache,
  type RouteEntry,
  type SourceRow,
} from '@pulseroom/schema/server';
import { keyFrom, type SourceAuth } from './auth.js';
import type { IngestMetrics } from './metrics.js';
import type { BatchAnswer, Pipeline } from './pipeline.js';
import type { ClickRecorder } from './clickRecorder.js';
import { eventFromConversionJson, eventFromPostback, type PostbackEvent } from './postbacks.js';
import { addWebhookRoutes } from './providers/webhookRoutes.js';
import { answerRedirect } from './redirects.js';
import { parseBatch, validateEvents } from './validate.js';
import type { IngestConfig } from './config.js';
import { fromMinor } from '@pulseroom/schema';
import type { IngestState } from './state.js';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  importOrderCsv,
  MAX_CSV_ORDERS,
  ORDER_CSV_SAMPLE,
  planOrderCsv,
  readOrderCsv,
  requireOrderColumns,
} from './ordersCsv.js';

export interface RouterDeps {
  pipeline: () => Pipeline | null;
  /** The store's client (a CSV is read by ClickHouse's own reader). */
  client: ClickHouseClient;
  state: () => IngestState | null;
  auth: SourceAuth;
  dims: DimensionCache;
  config: IngestConfig;
  metrics: IngestMetrics;
  logger: Logger;
  clock: () => number;
  clicks: ClickRecorder;
}

type Handler = (req: Request, res: Response) => Promise<void>;

export function createRouter(d: RouterDeps): express.Router & { routes: RouteEntry[] } {
  const router = express.Router();
  const jsonAny = jsonBody(MAX_BATCH_BYTES);
  // A postback's body is a form or JSON (any other type is read as JSON, and named when it is not).
  const form = express.urlencoded({
    extended: false,
    limit: '64kb',
    verify: (_req, _res, buf) => {
      if (!isUtf8(buf)) throw new HttpError(400, 'INVALID_UTF8', 'the body is not valid UTF-8: send text as UTF-8');
    },
  });
  const postbackJson = jsonBody(64 * 1024);
  const postbackBody: express.RequestHandler = (req, res, next) =>
    req.is('application/x-www-form-urlencoded') ? form(req, res, next) : postbackJson(req, res, next);

  const started = (): Pipeline => {
    const p = d.pipeline();
    if (!p) throw unavailable('STARTING', 'ingest is starting; retry shortly', 2);
    return p;
  };

  /** Authenticates the request's source (Bearer, or `key` where allowed) into res.locals.source. */
  const authenticate = (allowQueryKey: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      started();
      res.locals.source = await d.auth.authenticate(
        keyFrom(
          req.get('authorization'),
          allowQueryKey ? (req.query.key ?? (req.body as Record<string, unknown> | undefined)?.key) : undefined,
        ),
      );
      next();
    } catch (e) {
      next(e);
    }
  };

  const limiter =
    d.config.INGEST_RATE_LIMIT_PER_MIN > 0
      ? rateLimit({
          windowMs: 60_000,
          limit: d.config.INGEST_RATE_LIMIT_PER_MIN,
          keyGenerator: (_req, res) => (res.locals.source as SourceRow).id,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          validate: false,
          handler: (_req, _res, next, options) =>
            next(
              new HttpError(
                429,
                'RATE_LIMITED',
                `more than ${options.limit} requests a minute for this key; slow down`,
              ),
            ),
        })
      : (_req: Request, _res: Response, next: NextFunction) => next();

  // Per IP on /v1, before the key is known: bounds key guessing and floods from one address (0 = off). Not on /r:
  // shoppers behind one carrier NAT share an address, and a visitor must always reach the shop.
  const perIp =
    d.config.INGEST_RATE_LIMIT_PER_IP_PER_MIN > 0
      ? rateLimit({
          windowMs: 60_000,
          limit: d.config.INGEST_RATE_LIMIT_PER_IP_PER_MIN,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          validate: false,
          handler: (_req, _res, next, options) =>
            next(
              new HttpError(
                429,
                'RATE_LIMITED',
                `more than ${options.limit} requests a minute from this address; slow down`,
              ),
            ),
        })
      : (_req: Request, _res: Response, next: NextFunction) => next();
  router.use('/v1', perIp);

  const count = (route: string) => (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => d.metrics.requests.inc({ route, status: String(res.statusCode) }));
    next();
  };

  const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction) => h(req, res).catch(next);

  /**
   * Conversions and refunds mapped from a sender's own shape (a postback, JSON, a provider's webhook) through the
   * common path: the campaign found, the currency and a full refund's amount filled in, validated, accepted.
   */
  const acceptConverted = async (
    pipeline: Pipeline,
    source: SourceRow,
    converted: PostbackEvent[],
    prefix: (i: number) => string,
  ): Promise<BatchAnswer> => {
    const items = converted.map((c) => c.event);
    await resolveCampaigns(pipeline, d.state(), d.dims, source, items);
    for (const it of items) {
      // Networks often leave the currency out: it is then the campaign's.
      if (it.type === 'conversion' && it.currency === undefined && typeof it.campaign_id === 'string')
        it.currency = d.dims.campaign(it.campaign_id)?.currency;
    }
    await fillFullRefunds(pipeline, d.state(), items);
    const parsed = validateEvents(items, prefix);
    for (const r of parsed.rejected) {
      const it = items[r.index];
      if (r.path.endsWith('campaign_id') && it.campaign_id === undefined) {
        r.message =
          typeof it.click_id === 'string'
            ? `unknown click_id "${it.click_id}", so the campaign is unknown: send campaign_id`
            : 'expected a campaign_id (or a click_id of a recorded click)';
      }
    }
    // A known parameter of the wrong type rejects its conversion, named as it was sent.
    const typeIssues = converted.flatMap((c, index) =>
      c.issues.map((f) => ({ index, path: prefix(index) ? `${prefix(index)}.${f.path}` : f.path, message: f.message })),
    );
    if (typeIssues.length > 0) {
      const bad = new Set(typeIssues.map((r) => r.index));
      for (const v of parsed.valid) if (bad.has(v.index)) parsed.rejectedTypes.push(v.event.type);
      parsed.valid = parsed.valid.filter((v) => !bad.has(v.index));
      parsed.rejected = [...parsed.rejected.filter((r) => !bad.has(r.index)), ...typeIssues].sort(
        (a, b) => a.index - b.index,
      );
    }
    const answer: BatchAnswer = await pipeline.accept(source, parsed, prefix);
    if (answer.accepted + answer.duplicates === 0) throw rejectedBatch('INVALID_CONVERSION', answer);
    return answer;
  };

  const conversionRoute =
    (from: 'postback' | 'json'): Handler =>
    async (req, res) => {
      const pipeline = started();
      const source = res.locals.source as SourceRow;
      const now = d.clock();
      let converted: PostbackEvent[];
      let prefix: (i: number) => string;
      if (from === 'postback') {
        const params = {
          ...(req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {}),
          ...(req.query as Record<string, unknown>),
        };
        converted = [eventFromPostback(params, now)];
        prefix = () => '';
      } else {
        const body = req.body as unknown;
        const list =
          body &&
          typeof body === 'object' &&
          !Array.isArray(body) &&
          Array.isArray((body as { conversions?: unknown }).conversions)
            ? (body as { conversions: unknown[] }).conversions
            : Array.isArray(body)
              ? body
              : null;
        if (list && list.length > MAX_EVENTS_PER_BATCH)
          throw new HttpError(413, 'TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_BATCH} conversions per request`);
        if (list && list.length === 0)
          throw badRequest('INVALID_BATCH', 'conversions: expected at least one conversion');
        if (!list && (body === undefined || body === null || typeof body !== 'object'))
          throw badRequest(
            'INVALID_BATCH',
            'expected a JSON conversion object, an array of them, or { "conversions": [ … ] }',
          );
        converted = (list ?? [body]).map((o) => eventFromConversionJson(o, now));
        prefix = list ? (i) => `conversions[${i}]` : () => '';
      }
      res.status(200).json(await acceptConverted(pipeline, source, converted, prefix));
    };

  const table = new RouteTable('', 'source');
  // A backfill of the shop's past orders: a CSV previewed (nothing written) or imported (confirm=true).
  const csvBody = express.text({ type: () => true, limit: '5mb', defaultCharset: 'utf-8' });
  /** A CSV upload is text/csv (or text/plain): any other body is named before anything else is read. */
  const csvOnly = (req: Request, _res: Response, next: NextFunction) => {
    if (req.is(['text/csv', 'text/plain', 'application/csv'])) return next();
    // another type is held to the JSON routes' size (a CSV may be larger)
    if (Number(req.get('content-length') ?? 0) > MAX_BATCH_BYTES)
      return next(new HttpError(413, 'TOO_LARGE', `a body that is not CSV may be at most ${MAX_BATCH_BYTES} bytes`));
    next(
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `expected the orders as a CSV body sent as Content-Type: text/csv (got ${req.get('content-type') ?? 'none'})`,
      ),
    );
  };
  table.add(router, '/v1/orders.csv', {
    get: [
      count('orders_csv'),
      authenticate(false),
      (_req, res) => {
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="pulseroom-orders-sample.csv"');
        res.send(ORDER_CSV_SAMPLE);
      },
    ],
    post: [
      count('orders_csv'),
      authenticate(false),
      limiter,
      (req, _res, next) => {
        const len = Number(req.get('content-length') ?? 0);
        if (len > 5 * 1024 * 1024) return next(new HttpError(413, 'TOO_LARGE', 'a CSV may be at most 5 MB'));
        next();
      },
      csvOnly,
      csvBody,
      wrap(async (req, res) => {
        if (typeof req.body !== 'string' || req.body.trim() === '')
          throw badRequest('INVALID_CSV', `expected the orders as a CSV body (at most ${MAX_CSV_ORDERS} rows, 5 MB)`);
        requireOrderColumns(req.body);
        const campaignId = typeof req.query.campaign_id === 'string' ? req.query.campaign_id : '';
        if (!d.dims.campaign(campaignId))
          throw invalidRequest({
            path: 'campaign_id',
            message: campaignId ? `no campaign "${campaignId}"` : 'required',
          });
        const confirm = req.query.confirm === 'true';
        if (req.query.confirm !== undefined && req.query.confirm !== 'true' && req.query.confirm !== 'false')
          throw invalidRequest({ path: 'confirm', message: 'expected true (import) or false (preview)' });
        const pipeline = started();
        const state = d.state();
        if (!state) throw unavailable('STARTING', 'ingest is starting; retry shortly', 2);
        const source = res.locals.source as SourceRow;
        if (source.campaign_ids.length > 0 && !source.campaign_ids.includes(campaignId))
          throw new HttpError(403, 'CAMPAIGN_NOT_ALLOWED', `this key may not send for campaign "${campaignId}"`);
        const read = await readOrderCsv(d.client, req.body, campaignId);
        res.json(
          confirm
            ? await importOrderCsv(pipeline, source, state, read)
            : { ...(await planOrderCsv(pipeline, state, read)), preview: true },
        );
      }),
    ],
  });

  table.add(router, '/v1/events', {
    post: [
      count('events'),
      authenticate(false),
      limiter,
      (req, _res, next) => {
        // An over-long batch is "too large" (413), checked before the body is read in full where possible.
        const len = Number(req.get('content-length') ?? 0);
        if (len > MAX_BATCH_BYTES)
          return next(new HttpError(413, 'TOO_LARGE', `a batch may be at most ${MAX_BATCH_BYTES} bytes`));
        next();
      },
      jsonAny,
      wrap(async (req, res) => {
        const body = req.body as { events?: unknown } | undefined;
        if (body && Array.isArray(body.events) && body.events.length > MAX_EVENTS_PER_BATCH) {
          throw new HttpError(
            413,
            'TOO_MANY_EVENTS',
            `a batch may hold at most ${MAX_EVENTS_PER_BATCH} events (got ${body.events.length})`,
          );
        }
        const parsed = parseBatch(body);
        const answer = await started().accept(res.locals.source as SourceRow, parsed, (i) => `events[${i}]`);
        // A batch of which nothing was taken is a bad request; the per-event answer names each field.
        if (answer.accepted + answer.duplicates === 0 && answer.rejected.length > 0)
          throw rejectedBatch('INVALID_EVENTS', answer);
        res.status(200).json(answer);
      }),
    ],
  });
  table.add(router, '/v1/postback', {
    get: [count('postback'), authenticate(true), limiter, wrap(conversionRoute('postback'))],
    post: [count('postback'), postbackBody, authenticate(true), limiter, wrap(conversionRoute('postback'))],
  });
  table.add(router, '/v1/conversions', {
    post: [count('conversions'), authenticate(false), limiter, jsonAny, wrap(conversionRoute('json'))],
  });
  table.add(
    router,
    '/r/:code',
    {
      get: [
        count('redirect'),
        wrap(async (req, res) => {
          const code = String(req.params.code);
          let target = d.dims.link(code);
          const pipeline = d.pipeline();
          if (!target && pipeline && LINK_CODE.test(code)) {
            await pipeline.refreshDimensions(); // a link created a moment ago
            target = d.dims.link(code);
          }
          if (!target) throw unknownLink();
          // HEAD gets the 302's headers and records nothing: a HEAD is a check of the link, not a visit.
          answerRedirect(
            d,
            target,
            {
              ip: req.ip ?? req.socket.remoteAddress ?? '',
              userAgent: req.get('user-agent') ?? '',
              referrer: req.get('referer') ?? '',
            },
            res,
            req.method !== 'HEAD',
          );
        }),
      ],
    },
    'public',
  );
  const hooks = {
    auth: d.auth,
    metrics: d.metrics,
    clock: d.clock,
    started,
    accept: acceptConverted,
    count,
    limiter,
    wrap,
  };
  addWebhookRoutes(table, router, hooks);
  // Anything else under /r is not a link (`/r//evil.example`, `/r/a/b`): a plain 404, never the web app or a redirect.
  router.use('/r', (_req, _res, next) => next(unknownLink()));
  // Anything else under /v1 is not a route: JSON, never the web app's HTML.
  router.use('/v1', (req, _res, next) => next(routeNotFound(req.method, req.originalUrl.split('?')[0])));

  router.use(['/v1', '/r'], (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = toHttpError(err, 'internal error; the events were not accepted, retry');
    if (e.status >= 500 && e.code === 'INTERNAL') d.logger.error({ err, path: req.path }, 'ingest request failed');
    if (e.code === 'LINK_NOT_FOUND') {
      // A shopper's browser shows this: plain text, as short as it can be.
      res.set(e.headers).status(404).type('text/plain').send('unknown link');
      return;
    }
    sendError(res, e);
  });

  return Object.assign(router, { routes: table.entries });
}

const LINK_CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const unknownLink = () => notFound('LINK_NOT_FOUND', 'unknown link');

/** A rejected batch: 400 with the per-event answer beside the error, which names each field. */
function rejectedBatch(code: string, answer: BatchAnswer): HttpError {
  const fields = answer.rejected.map((r) => ({ path: r.path, message: r.message }));
  return new HttpError(
    400,
    code,
    fields
      .slice(0, 20)
      .map((f) => `${f.path}: ${f.message}`)
      .join('; '),
    {},
    undefined,
    { ...answer },
  );
}

/**
 * A JSON body of any content type, read as bytes (size limit, gzip/deflate as body-parser does) and parsed by
 * parseJsonBytes.
 */
function jsonBody(limit: number): express.RequestHandler {
  const raw = express.raw({ limit, type: () => true });
  return (req, res, next) =>
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        req.body = Buffer.isBuffer(req.body) ? parseJsonBytes(req.body) : {};
        next();
      } catch (e) {
        next(e);
      }
    });
}

/**
 * A postback or a shop's webhook often names only the click: the campaign is the click's; else the one campaign (of
 * those the key may send for) whose deal owns the promo code; else, for a refund or a status change, the one whose order it names; else
 * the key's campaign when it is limited to one. Items whose campaign stays unknown are left for validation to reject
 * by name.
 */
async function resolveCampaigns(
  pipeline: Pipeline,
  state: IngestState | null,
  dims: DimensionCache,
  source: SourceRow,
  items: Record<string, unknown>[],
): Promise<void> {
  const scope = () => (source.campaign_ids.length > 0 ? source.campaign_ids : dims.allCampaigns().map((c) => c.id));
  const only = (ids: string[]) => (ids.length === 1 ? ids[0] : undefined);
  for (const it of items) {
    if (it.campaign_id !== undefined) continue;
    if (typeof it.click_id === 'string') {
      const click = await pipeline.findClick(it.click_id);
      if (click) {
        it.campaign_id = click.campaign_id;
        continue;
      }
    }
    const promo = it.promo_code;
    if (typeof promo === 'string') it.campaign_id = only(scope().filter((c) => dims.promo(c, promo)));
    if (
      it.campaign_id === undefined &&
      (it.type === 'refund' || it.type === 'status') &&
      typeof it.order_id === 'string' &&
      state
    ) {
      const candidates = scope().slice(0, MAX_REFUND_CAMPAIGN_PROBES);
      const orderId = it.order_id;
      const probes = candidates.map((c) => ({
        type: 'refund' as const,
        event_id: 'x',
        ts: 0,
        campaign_id: c,
        order_id: orderId,
        amount: 1,
      }));
      await pipeline.prefetch(probes);
      it.campaign_id = only(candidates.filter((c) => state.order(c, orderId)));
    }
    if (it.campaign_id === undefined && source.campaign_ids.length === 1) it.campaign_id = source.campaign_ids[0];
  }
}

/** How many campaigns a refund without one is looked for in (a shop's source usually sends for one or a few). */
const MAX_REFUND_CAMPAIGN_PROBES = 50;

/** A refund postback without an amount refunds the whole order. */
async function fillFullRefunds(
  pipeline: Pipeline,
  state: IngestState | null,
  items: Record<string, unknown>[],
): Promise<void> {
  const open = items.filter(
    (it) =>
      it.type === 'refund' &&
      it.amount === undefined &&
      typeof it.campaign_id === 'string' &&
      typeof it.order_id === 'string',
  );
  if (open.length === 0 || !state) return;
  await pipeline.prefetch(
    open.map((it) => ({
      type: 'refund',
      event_id: 'x',
      ts: 0,
      campaign_id: it.campaign_id as string,
      order_id: it.order_id as string,
      amount: 1,
    })),
  );
  for (const it of open) {
    const order = state.order(it.campaign_id as string, it.order_id as string);
    if (order && order.orig_amount_minor > 0) {
      it.amount = fromMinor(order.orig_amount_minor, order.orig_currency);
      it.currency = order.orig_currency;
    }
  }
}
