// The HTTP surface of ingest as an express Router: /v1/events, /v1/postback, /v1/conversions and /r/:code.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '@pulseroom/schema';
import type { DimensionCache, SourceRow } from '@pulseroom/schema/server';
import { keyFrom, type SourceAuth } from './auth.js';
import { HttpError, badRequest, unavailable } from './errors.js';
import type { IngestMetrics } from './metrics.js';
import type { BatchAnswer, Pipeline } from './pipeline.js';
import type { ClickRecorder } from './clickRecorder.js';
import { eventFromConversionJson, eventFromPostback } from './postbacks.js';
import { answerRedirect } from './redirects.js';
import { parseBatch, validateEvents } from './validate.js';
import type { IngestConfig } from './config.js';
import { fromMinor } from '@pulseroom/schema';
import type { IngestState } from './state.js';

export interface RouterDeps {
  pipeline: () => Pipeline | null;
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

export function createRouter(d: RouterDeps): express.Router {
  const router = express.Router();
  const jsonAny = jsonBody(MAX_BATCH_BYTES);
  const jsonOrForm = [express.json({ limit: '64kb', verify: utf8Only }), express.urlencoded({ extended: false, limit: '64kb', verify: utf8Only })];

  const started = (): Pipeline => {
    const p = d.pipeline();
    if (!p) throw unavailable('STARTING', 'ingest is starting; retry shortly', 2);
    return p;
  };

  /** Authenticates the request's source (Bearer, or `key` where allowed) into res.locals.source. */
  const authenticate = (allowQueryKey: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      started();
      res.locals.source = await d.auth.authenticate(keyFrom(req.get('authorization'), allowQueryKey ? req.query.key ?? (req.body as Record<string, unknown> | undefined)?.key : undefined));
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
          handler: (_req, res, _next, options) => {
            res.status(429).json({ error: { code: 'RATE_LIMITED', message: `more than ${options.limit} requests a minute for this key; slow down` } });
          },
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
          handler: (_req, res, _next, options) => {
            res.status(429).json({ error: { code: 'RATE_LIMITED', message: `more than ${options.limit} requests a minute from this address; slow down` } });
          },
        })
      : (_req: Request, _res: Response, next: NextFunction) => next();
  router.use('/v1', perIp);

  const count = (route: string) => (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => d.metrics.requests.inc({ route, status: String(res.statusCode) }));
    next();
  };

  const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction) => h(req, res).catch(next);

  router.post(
    '/v1/events',
    count('events'),
    authenticate(false),
    limiter,
    (req, res, next) => {
      // An over-long batch is "too large" (413), checked before the body is read in full where possible.
      const len = Number(req.get('content-length') ?? 0);
      if (len > MAX_BATCH_BYTES) return next(new HttpError(413, 'TOO_LARGE', `a batch may be at most ${MAX_BATCH_BYTES} bytes`));
      next();
    },
    ...jsonAny,
    wrap(async (req, res) => {
      const body = req.body as { events?: unknown } | undefined;
      if (body && Array.isArray(body.events) && body.events.length > MAX_EVENTS_PER_BATCH) {
        throw new HttpError(413, 'TOO_MANY_EVENTS', `a batch may hold at most ${MAX_EVENTS_PER_BATCH} events (got ${body.events.length})`);
      }
      const parsed = parseBatch(body);
      const answer = await started().accept(res.locals.source as SourceRow, parsed, (i) => `events[${i}]`);
      // A batch of which nothing was taken is a bad request; the per-event answer names each field.
      if (answer.accepted + answer.duplicates === 0 && answer.rejected.length > 0) {
        res.status(400).json({ ...answer, error: { code: 'INVALID_EVENTS', message: answer.rejected.slice(0, 20).map((r) => `${r.path}: ${r.message}`).join('; ') } });
        return;
      }
      res.status(200).json(answer);
    }),
  );

  const conversionRoute = (from: 'postback' | 'json'): Handler => async (req, res) => {
    const pipeline = started();
    const source = res.locals.source as SourceRow;
    const now = d.clock();
    let items: unknown[];
    let prefix: (i: number) => string;
    if (from === 'postback') {
      const params = { ...(req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {}), ...(req.query as Record<string, unknown>) };
      items = [eventFromPostback(params, now)];
      prefix = () => '';
    } else {
      const body = req.body as unknown;
      const list = body && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as { conversions?: unknown }).conversions) ? (body as { conversions: unknown[] }).conversions : Array.isArray(body) ? body : null;
      if (list && list.length > MAX_EVENTS_PER_BATCH) throw new HttpError(413, 'TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_BATCH} conversions per request`);
      if (list && list.length === 0) throw badRequest('INVALID_BATCH', 'conversions: expected at least one conversion');
      if (!list && (body === undefined || body === null || typeof body !== 'object')) throw badRequest('INVALID_BATCH', 'expected a JSON conversion object, an array of them, or { "conversions": [ … ] }');
      items = (list ?? [body]).map((o) => eventFromConversionJson(o, now));
      prefix = list ? (i) => `conversions[${i}]` : () => '';
    }
    await resolveCampaigns(pipeline, source, items as Record<string, unknown>[]);
    for (const it of items as Record<string, unknown>[]) {
      // Networks often leave the currency out: it is then the campaign's.
      if (it.type === 'conversion' && it.currency === undefined && typeof it.campaign_id === 'string') it.currency = d.dims.campaign(it.campaign_id)?.currency;
    }
    await fillFullRefunds(pipeline, d.state(), items as Record<string, unknown>[]);
    const parsed = validateEvents(items, prefix);
    for (const r of parsed.rejected) {
      const it = items[r.index] as Record<string, unknown>;
      if (r.path.endsWith('campaign_id') && it.campaign_id === undefined) {
        r.message = typeof it.click_id === 'string' ? `unknown click_id "${it.click_id}", so the campaign is unknown: send campaign_id` : 'expected a campaign_id (or a click_id of a recorded click)';
      }
    }
    const answer: BatchAnswer = await pipeline.accept(source, parsed, prefix);
    const ok = answer.accepted + answer.duplicates > 0;
    res.status(ok ? 200 : 400).json(ok ? answer : { ...answer, error: { code: 'INVALID_CONVERSION', message: answer.rejected.map((r) => `${r.path}: ${r.message}`).join('; ') } });
  };

  router.get('/v1/postback', count('postback'), authenticate(true), limiter, wrap(conversionRoute('postback')));
  router.post('/v1/postback', count('postback'), ...jsonOrForm, authenticate(true), limiter, wrap(conversionRoute('postback')));
  router.post('/v1/conversions', count('conversions'), authenticate(false), limiter, ...jsonAny, wrap(conversionRoute('json')));

  router.get(
    '/r/:code',
    count('redirect'),
    wrap(async (req, res) => {
      const code = String(req.params.code);
      let target = d.dims.link(code);
      const pipeline = d.pipeline();
      if (!target && pipeline && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(code)) {
        await pipeline.refreshDimensions(); // a link created a moment ago
        target = d.dims.link(code);
      }
      if (!target) {
        res.status(404).type('text/plain').send('unknown link');
        return;
      }
      answerRedirect(d, target, { ip: req.ip ?? req.socket.remoteAddress ?? '', userAgent: req.get('user-agent') ?? '', referrer: req.get('referer') ?? '' }, res);
    }),
  );

  router.use(['/v1', '/r'], (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = toHttpError(err);
    if (e.status >= 500 && e.code === 'INTERNAL') d.logger.error({ err, path: req.path }, 'ingest request failed');
    res.set(e.headers).status(e.status).json(e.body());
  });

  return router;
}

/** Bodies must be UTF-8: invalid bytes would be stored as U+FFFD, silently changing what the sender sent. */
function utf8Only(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) throw Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'encoding.not.utf8' });
}

/**
 * A JSON body of any content type, read as bytes (size limit, gzip/deflate as body-parser does) and parsed with
 * JSON.parse: body-parser's json() decodes the bytes through iconv-lite first, a sixth of ingest's CPU at launch
 * volumes. UTF-8 only (see utf8Only); an empty body is `{}`; errors carry body-parser's types for toHttpError.
 */
function jsonBody(limit: number): express.RequestHandler[] {
  return [
    express.raw({ limit, type: () => true }),
    (req, _res, next) => {
      const buf: unknown = req.body;
      if (!Buffer.isBuffer(buf) || buf.length === 0) {
        req.body = {};
        return next();
      }
      if (!isUtf8(buf)) return next(Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'encoding.not.utf8' }));
      try {
        req.body = JSON.parse(buf.toString('utf8'));
      } catch (e) {
        return next(Object.assign(new Error((e as Error).message), { status: 400, type: 'entity.parse.failed' }));
      }
      next();
    },
  ];
}

/** Body-parser and our own errors as HTTP answers; anything else is a bug (500). */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') return new HttpError(413, 'TOO_LARGE', `the body may be at most ${e.limit ?? MAX_BATCH_BYTES} bytes`);
  if (e?.type === 'encoding.not.utf8') return new HttpError(400, 'INVALID_UTF8', 'the body is not valid UTF-8: send text fields as UTF-8');
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'MALFORMED_JSON', `malformed JSON: ${e.message ?? 'could not parse the body'}`);
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'BAD_REQUEST', e.message ?? 'bad request');
  return new HttpError(500, 'INTERNAL', 'internal error; the events were not accepted, retry');
}

/**
 * A postback often names only the click: the campaign is the click's. A key limited to one campaign
 * implies it. Items whose campaign stays unknown are left for validation to reject by name.
 */
async function resolveCampaigns(pipeline: Pipeline, source: SourceRow, items: Record<string, unknown>[]): Promise<void> {
  for (const it of items) {
    if (it.campaign_id !== undefined) continue;
    if (typeof it.click_id === 'string') {
      const click = await pipeline.findClick(it.click_id);
      if (click) {
        it.campaign_id = click.campaign_id;
        continue;
      }
    }
    if (source.campaign_ids.length === 1) it.campaign_id = source.campaign_ids[0];
  }
}

/** A refund postback without an amount refunds the whole order. */
async function fillFullRefunds(pipeline: Pipeline, state: IngestState | null, items: Record<string, unknown>[]): Promise<void> {
  const open = items.filter((it) => it.type === 'refund' && it.amount === undefined && typeof it.campaign_id === 'string' && typeof it.order_id === 'string');
  if (open.length === 0 || !state) return;
  await pipeline.prefetch(open.map((it) => ({ type: 'refund', event_id: 'x', ts: 0, campaign_id: it.campaign_id as string, order_id: it.order_id as string, amount: 1 })));
  for (const it of open) {
    const order = state.order(it.campaign_id as string, it.order_id as string);
    if (order && order.orig_amount_minor > 0) {
      it.amount = fromMinor(order.orig_amount_minor, order.orig_currency);
      it.currency = order.orig_currency;
    }
  }
}
