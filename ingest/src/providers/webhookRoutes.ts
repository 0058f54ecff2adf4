// The providers' webhook routes: Shopify and Stripe (signed with a secret kept on the source) and Segment's tracking
// API (the source key as its write key). Each checks who sent the raw bytes before reading them as JSON.
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  badRequest,
  HttpError,
  invalidRequest,
  parseJsonBytes,
  unauthorized,
  validHmacSha256,
  type RouteTable,
  type SourceRow,
  type WebhookProvider,
} from '@pulseroom/schema/server';
import { conversionEvent, MAX_EVENTS_PER_BATCH, slugId } from '@pulseroom/schema';
import { keyFrom, type SourceAuth, type WebhookSource } from '../auth.js';
import type { IngestMetrics } from '../metrics.js';
import type { BatchAnswer, Pipeline } from '../pipeline.js';
import type { PostbackEvent } from '../postbacks.js';
import type { ProviderResult } from './providerEvents.js';
import { eventFromSegmentCall } from './segment.js';
import { eventsFromShopify } from './shopify.js';
import { checkStripeSignature, eventsFromStripe } from './stripe.js';

/** Providers' payloads are one order or one batch of calls: far below this. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

export interface WebhookRouteDeps {
  auth: SourceAuth;
  metrics: IngestMetrics;
  clock: () => number;
  /** The pipeline, or 503 while ingest starts. */
  started: () => Pipeline;
  /** The common path of mapped conversions and refunds (campaign, currency, validation, accept). */
  accept: (
    pipeline: Pipeline,
    source: SourceRow,
    converted: PostbackEvent[],
    prefix: (i: number) => string,
  ) => Promise<BatchAnswer>;
  count: (route: string) => Middleware;
  limiter: Middleware;
  wrap: (h: (req: Request, res: Response) => Promise<void>) => Middleware;
}

export function addWebhookRoutes(table: RouteTable, router: express.Router, w: WebhookRouteDeps): void {
  const raw = express.raw({ limit: MAX_WEBHOOK_BYTES, type: () => true });
  // Every provider sends JSON (Segment's browser library as text/plain, to skip a CORS preflight).
  const jsonOnly =
    (alsoText: boolean): Middleware =>
    (req, _res, next) => {
      if (!req.is(alsoText ? ['application/json', 'text/plain'] : 'application/json')) {
        return next(
          new HttpError(
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            `expected a JSON body sent as Content-Type: application/json${alsoText ? ' (or text/plain)' : ''}`,
          ),
        );
      }
      next();
    };
  const bytes = (req: Request) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  /** The source named in the URL, set up for `provider`, whose secret signed the raw body (401 otherwise). */
  const signedBy =
    (provider: WebhookProvider, check: (req: Request, hook: WebhookSource) => void): Middleware =>
    (req, res, next) => {
      w.started();
      const id = String(req.params.source_id);
      const verify = async () => {
        let hook = await w.auth.webhookSource(id, provider);
        try {
          check(req, hook);
        } catch (e) {
          // The secret may have been pasted anew since it was cached: read again (at most every few seconds).
          const fresh = await w.auth.webhookSource(id, provider, true);
          if (fresh.secret === hook.secret) throw e;
          hook = fresh;
          check(req, hook);
        }
        res.locals.source = hook.source;
      };
      verify().then(() => next(), next);
    };

  const shopifySignature = signedBy('shopify', (req, hook) => {
    const sig = req.get('x-shopify-hmac-sha256');
    if (!sig || !validHmacSha256(hook.secret, bytes(req), sig, 'base64')) throw badSignature('X-Shopify-Hmac-Sha256');
  });
  const stripeSignature = signedBy('stripe', (req, hook) => {
    const verdict = checkStripeSignature(req.get('stripe-signature'), bytes(req), hook.secret, w.clock());
    if (verdict === 'invalid') throw badSignature('Stripe-Signature');
    // Signed by the secret but long ago: a replay, or a clock far off. Stripe retries it with a fresh signature.
    if (verdict === 'stale')
      throw badRequest(
        'STALE_SIGNATURE',
        'Stripe-Signature: the timestamp is more than 5 minutes from the server clock',
      );
  });

  /** A provider's mapped payload: its events accepted, or a topic we do not read answered 200 (not to be retried). */
  const answer = async (
    res: Response,
    provider: string,
    result: ProviderResult,
    prefix: (i: number) => string = () => '',
  ): Promise<void> => {
    if (result.kind === 'ignored') {
      w.metrics.webhooksIgnored.inc({ provider, topic: result.topic.slice(0, 64) || '(none)' });
      res.status(200).json({ accepted: 0, duplicates: 0, rejected: [], ignored: result.topic });
      return;
    }
    const now = w.clock();
    for (const { event } of result.converted) asSentByAShop(event, now);
    res.status(200).json(await w.accept(w.started(), res.locals.source as SourceRow, result.converted, prefix));
  };

  table.add(router, '/v1/webhooks/shopify/:source_id', {
    post: [
      w.count('shopify'),
      jsonOnly(false),
      raw,
      shopifySignature,
      w.limiter,
      w.wrap(async (req, res) => {
        const body = parseJsonBytes(bytes(req), { bigIntegersAsText: true });
        await answer(
          res,
          'shopify',
          eventsFromShopify(req.get('x-shopify-topic') ?? '', body, req.get('x-shopify-webhook-id')),
        );
      }),
    ],
  });
  table.add(router, '/v1/webhooks/stripe/:source_id', {
    post: [
      w.count('stripe'),
      jsonOnly(false),
      raw,
      stripeSignature,
      w.limiter,
      w.wrap(async (req, res) =>
        answer(res, 'stripe', eventsFromStripe(parseJsonBytes(bytes(req), { bigIntegersAsText: true }))),
      ),
    ],
  });

  // Segment's tracking API: the write key is the source key, sent as Basic auth's user name (or as a Bearer key).
  const writeKey: Middleware = (req, res, next) => {
    w.started();
    w.auth
      .authenticate(keyFrom(req.get('authorization')))
      .then((source) => {
        res.locals.source = source;
        next();
      })
      .catch(next);
  };
  const segment = (batch: boolean) =>
    w.wrap(async (req, res) => {
      const body = parseJsonBytes(bytes(req), { bigIntegersAsText: true });
      let calls: unknown[] = [body];
      if (batch) {
        const list = (body as { batch?: unknown } | null)?.batch;
        if (!Array.isArray(list)) throw invalidRequest({ path: 'batch', message: 'expected an array of calls' });
        if (list.length > MAX_EVENTS_PER_BATCH)
          throw new HttpError(413, 'TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_BATCH} calls per batch`);
        calls = list;
      }
      const mapped = calls.map((c, i) => ({ i, event: eventFromSegmentCall(c) }));
      const orders = mapped.filter((m) => m.event !== null);
      if (orders.length === 0) {
        await answer(res, 'segment', {
          kind: 'ignored',
          topic: batch ? 'batch' : String((body as { event?: unknown } | null)?.event ?? ''),
        });
        return;
      }
      const at = (i: number) => (batch ? `batch[${orders[i].i}]` : '');
      await answer(res, 'segment', { kind: 'events', converted: orders.map((m) => m.event!) }, at);
    });
  for (const [path, batch] of [
    ['/v1/track', false],
    ['/v1/batch', true],
  ] as const) {
    table.add(router, path, {
      post: [
        w.count(batch ? 'segment-batch' : 'segment-track'),
        jsonOnly(true),
        raw,
        writeKey,
        w.limiter,
        segment(batch),
      ],
    });
  }
}

const badSignature = (header: string) =>
  unauthorized(`${header}: missing, or not signed with this source's webhook secret`, 'pulseroom-ingest');

/**
 * A shop's order is refused only for what makes it no order. What rides along for attribution may be no click id or
 * promo code of ours (a merchant's own reference in client_reference_id, a discount code with a space in it): it is
 * left out, so the order is stored, attributed otherwise or counted unattributed. An order without a time is now.
 */
function asSentByAShop(event: Record<string, unknown>, now: number): void {
  if (event.click_id !== undefined && !slugId.safeParse(event.click_id).success) delete event.click_id;
  if (event.promo_code !== undefined && !conversionEvent.shape.promo_code.safeParse(event.promo_code).success) {
    delete event.promo_code;
  }
  if (event.type !== undefined && event.ts === undefined) event.ts = now;
}
