// The admin API under /api/admin: campaigns, partners and deals (list, get, upsert, delete), ingest sources, share
// links (dashboard tokens), alert channels and the audit log of every change — what the setup console and `npm run
// load` build on.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import {
  campaign as campaignSchema,
  campaignGoalQuestions,
  deal as dealSchema,
  dealCodeConflicts,
  partner as partnerSchema,
  slugId,
  timestamp,
  text,
  tokenRequest,
} from '@pulseroom/schema';
import {
  conflict,
  createSource,
  createToken,
  deleteDimension,
  forbidden,
  HttpError,
  invalidRequest,
  parseRequest,
  listSources,
  listTokens,
  notFound,
  revokeSource,
  sealSecret,
  setSourceWebhook,
  WEBHOOK_PROVIDERS,
  revokeToken,
  RouteTable,
  upsertCampaigns,
  upsertDeals,
  upsertPartners,
  type DimensionCache,
} from '@pulseroom/schema/server';
import type { ClickHouseClient } from '@clickhouse/client';
import { scopeOf, type RouteHandler as Handler, type TokenResolver } from './access.js';
import { appendAudit, auditEntries, AUDIT_KINDS, type AuditEntry } from './queries/audit.js';
import { sourcesLastSeen } from './queries/sources.js';
import { addAlertChannelRoutes } from './notify/adminRoutes.js';
import { addConnectorRoutes } from './connectorAdmin.js';
import type { AlertNotifier } from './notify/notifier.js';
import type { MoneyBook } from './money/moneyBook.js';
import { PARTNER_CSV_SAMPLE, partnersCsv, planPartnerImport } from './partnerCsv.js';

export interface AdminApiDeps {
  client: ClickHouseClient;
  dims: DimensionCache;
  resolver: TokenResolver;
  notifier: AlertNotifier;
  /** Drops the open sockets of a revoked token (every node). */
  disconnectToken(tokenId: string): void;
  /** The data key that seals webhook signing secrets (read when first needed: it may be made in the data dir). */
  secretsKey: () => string;
  money: MoneyBook;
  /** Event time (what lock dates and periods are measured in). */
  clock: () => number;
  /** Payouts were marked paid: the screens' commission figures change. */
  moneyChanged: (campaignId: string) => void;
  /** The daily quota of the YouTube connectors' projects (their plan is shown against it). */
  youtubeDailyQuota: number;
}

const markPaidBody = z.object({
  period_end: timestamp,
  partner_ids: z.array(slugId, { error: 'expected an array of partner ids' }).max(10_000).optional(),
  reference: z.string({ error: 'expected a string' }).max(200, 'expected at most 200 characters').default(''),
});

const MAX_PAGE = 1000;
const page = z.object({
  limit: z.coerce
    .number({ error: 'expected a number of items' })
    .int('expected a whole number')
    .min(1, 'expected at least 1')
    .max(MAX_PAGE, `expected at most ${MAX_PAGE}`)
    .default(100),
  cursor: slugId.optional(),
  q: text(200).optional(),
});
const dealFilter = page.extend({ campaign_id: slugId.optional(), partner_id: slugId.optional() });
const partnerFilter = page.extend({ manager_id: slugId.optional() });
const auditQuery = z.object({
  limit: page.shape.limit,
  before: z.coerce
    .number({ error: 'expected epoch milliseconds' })
    .int('expected epoch milliseconds')
    .positive('expected epoch milliseconds')
    .optional(),
  kind: z.enum(AUDIT_KINDS, { error: `expected one of ${AUDIT_KINDS.join(', ')}` }).optional(),
  target_id: text(200).optional(),
});
const sourceBody = z.object({
  name: text(200).default(''),
  campaign_ids: z.array(slugId).max(1000).default([]),
  /** How often the source is expected to send, in seconds (unset: the server's SOURCE_EXPECTED_EVERY_S). */
  expected_every_s: z
    .number({ error: 'expected a number of seconds' })
    .int('expected whole seconds')
    .min(10, 'expected at least 10 seconds')
    .max(7 * 86_400, 'expected at most a week')
    .optional(),
});
const webhookBody = z.object({
  provider: z.enum(WEBHOOK_PROVIDERS, { error: `expected one of ${WEBHOOK_PROVIDERS.join(', ')}` }),
  secret: z
    .string({ error: 'expected the signing secret the provider shows' })
    .trim()
    .min(8, 'expected the whole signing secret')
    .max(512, 'expected at most 512 characters'),
});
const importQuery = z.object({
  confirm: z.enum(['true', 'false'], { error: 'expected true (write) or false (preview)' }).optional(),
});
const upsertQuery = z.object({
  confirm: z.literal('goals', { error: 'expected "goals" (to take goals the API questioned)' }).optional(),
});

/** Items sorted by id after `cursor`, `limit` of them, and where the next page starts. */
function paginate<T extends { id: string }>(
  items: T[],
  q: { limit: number; cursor?: string },
): { items: T[]; next_cursor: string | null; total: number } {
  const sorted = items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const from = q.cursor === undefined ? 0 : sorted.findIndex((x) => x.id > q.cursor!);
  const rest = from < 0 ? [] : sorted.slice(from);
  const out = rest.slice(0, q.limit);
  return { items: out, next_cursor: rest.length > q.limit ? out[out.length - 1].id : null, total: sorted.length };
}

const matches = (q: string | undefined, ...fields: (string | undefined)[]) =>
  !q || fields.some((f) => f?.toLowerCase().includes(q.toLowerCase()));

export function createAdminApi(d: AdminApiDeps): express.Router & { routes: RouteTable['entries'] } {
  const { client, dims } = d;
  const admin = express.Router();
  const routes = new RouteTable<Handler>('/api/admin', 'admin');
  admin.use((_req, res, next) =>
    next(scopeOf(res).role === 'admin' ? undefined : forbidden('the admin API needs an admin token')),
  );

  const audit = (res: Response, e: Pick<AuditEntry, 'action' | 'kind' | 'target_id'> & { detail?: unknown }) => {
    const who = scopeOf(res);
    // Wall-clock time: when the change was made (the app clock is event time, which tests move by hand).
    return appendAudit(client, {
      at: Date.now(),
      token_id: who.token_id,
      token_label: who.label ?? '',
      action: e.action,
      kind: e.kind,
      target_id: e.target_id,
      detail: JSON.stringify(e.detail ?? {}),
    });
  };

  // ---- campaigns, partners, deals ----
  const upsert =
    <S extends z.ZodType>(
      kind: 'campaign' | 'partner' | 'deal',
      schema: S,
      exists: (id: string) => boolean,
      write: (docs: z.infer<S>[]) => Promise<void>,
      check?: (doc: z.infer<S>, req: Request) => void,
    ): Handler =>
    async (req, res) => {
      const raw = req.body as unknown;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw invalidRequest({ path: '(root)', message: 'expected a JSON object' });
      const doc = { ...(raw as Record<string, unknown>) };
      if (doc.id === undefined) doc.id = req.params.id;
      if (doc.id !== req.params.id)
        throw invalidRequest({ path: 'id', message: `expected "${req.params.id}" (the id in the URL)` });
      const parsed = parseRequest(schema, doc);
      check?.(parsed, req);
      const existed = exists(req.params.id);
      // The document as sent is stored (defaults are applied where it is read), so a later schema default still
      // applies.
      await write([doc as z.infer<S>]);
      await dims.reload();
      await audit(res, { action: existed ? 'update' : 'create', kind, target_id: req.params.id, detail: doc });
      res.json({ id: doc.id, ok: true, created: !existed });
    };

  /** Deletes a dimension nothing refers to; a campaign or partner with deals is a 409 naming them. */
  const remove =
    (
      kind: 'campaign' | 'partner' | 'deal',
      table: 'campaigns' | 'partners' | 'deals',
      find: (id: string) => { id: string } | undefined,
      users: (id: string) => string[],
    ): Handler =>
    async (req, res) => {
      const doc = find(req.params.id);
      if (!doc) throw notFound(`${kind.toUpperCase()}_NOT_FOUND`, `no ${kind} "${req.params.id}"`);
      const using = users(doc.id);
      if (using.length > 0)
        throw conflict(
          'IN_USE',
          `${kind} "${doc.id}" has ${using.length} deal${using.length > 1 ? 's' : ''} (${using.slice(0, 5).join(', ')}${using.length > 5 ? ', …' : ''}): delete them first`,
        );
      await deleteDimension(client, table, doc);
      await dims.reload();
      await audit(res, { action: 'delete', kind, target_id: doc.id });
      res.json({ id: doc.id, deleted: true });
    };

  routes.add(admin, '/campaigns', {
    get: [
      (req, res) => {
        const q = parseRequest(page, req.query);
        res.json(
          paginate(
            dims.allCampaigns().filter((c) => matches(q.q, c.id, c.name, c.brand)),
            q,
          ),
        );
      },
    ],
  });
  routes.add(admin, '/campaigns/:id', {
    get: [
      (req, res) => {
        const c = dims.campaign(req.params.id);
        if (!c) throw notFound('CAMPAIGN_NOT_FOUND', `no campaign "${req.params.id}"`);
        res.json(c);
      },
    ],
    put: [
      upsert(
        'campaign',
        campaignSchema,
        (id) => dims.campaign(id) !== undefined,
        (docs) => upsertCampaigns(client, docs),
        (c, req) => {
          const questions = campaignGoalQuestions(c);
          if (questions.length > 0 && parseRequest(upsertQuery, req.query).confirm !== 'goals') {
            throw new HttpError(
              422,
              'GOALS_QUESTIONED',
              `${questions.map((f) => `${f.path}: ${f.message}`).join('; ')} — send again with ?confirm=goals to keep them`,
              {},
              questions,
            );
          }
        },
      ),
    ],
    delete: [
      remove(
        'campaign',
        'campaigns',
        (id) => dims.campaign(id),
        (id) => dims.dealsOf(id).map((x) => x.id),
      ),
    ],
  });

  routes.add(admin, '/partners', {
    get: [
      (req, res) => {
        const q = parseRequest(partnerFilter, req.query);
        const list = dims
          .allPartners()
          .filter(
            (p) =>
              matches(q.q, p.id, p.handle, p.display_name) &&
              (q.manager_id === undefined || p.manager_id === q.manager_id),
          );
        res.json(paginate(list, q));
      },
    ],
  });
  routes.add(admin, '/partners.csv', {
    get: [
      async (_req, res) => {
        const stream = await partnersCsv(client);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="partners.csv"');
        stream.on('error', (e) => res.destroy(e));
        stream.pipe(res);
      },
    ],
  });
  // GET: a sample file to start from. POST (text/csv): a preview of what the file would do, per row; with
  // ?confirm=true it is written, all of it or (with any row in error) nothing.
  routes.add(admin, '/partners/import', {
    get: [
      (_req, res) => {
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="partners-sample.csv"');
        res.send(PARTNER_CSV_SAMPLE);
      },
    ],
    post: [
      async (req, res) => {
        if (typeof req.body !== 'string')
          throw new HttpError(
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            'expected the CSV as the body, sent as Content-Type: text/csv',
          );
        const confirm = parseRequest(importQuery, req.query).confirm === 'true';
        const plan = await planPartnerImport(client, dims, req.body);
        if (!confirm) {
          res.json({ ...plan, imported: 0 });
          return;
        }
        if (plan.errors.length > 0) {
          const fields = plan.errors.map((e) => ({ path: `row ${e.row}.${e.column}`, message: e.message }));
          throw new HttpError(
            400,
            'INVALID_ROWS',
            `${plan.summary.errors} row(s) have errors; nothing was imported: ${fields
              .slice(0, 10)
              .map((f) => `${f.path}: ${f.message}`)
              .join('; ')}`,
            {},
            fields,
            { ...plan, imported: 0 },
          );
        }
        const changed = plan.rows.filter((r) => r.action !== 'unchanged');
        await upsertPartners(
          client,
          changed.map((r) => r.partner),
        );
        await dims.reload();
        await audit(res, {
          action: 'import',
          kind: 'partner',
          target_id: `${changed.length} partners`,
          detail: { ...plan.summary, ids: changed.map((r) => r.id).slice(0, 1000) },
        });
        res.json({ ...plan, imported: changed.length });
      },
    ],
  });
  routes.add(admin, '/partners/:id', {
    get: [
      (req, res) => {
        const p = dims.partner(req.params.id);
        if (!p) throw notFound('PARTNER_NOT_FOUND', `no partner "${req.params.id}"`);
        res.json(p);
      },
    ],
    put: [
      upsert(
        'partner',
        partnerSchema,
        (id) => dims.partner(id) !== undefined,
        (docs) => upsertPartners(client, docs),
      ),
    ],
    delete: [
      remove(
        'partner',
        'partners',
        (id) => dims.partner(id),
        (id) =>
          dims
            .allDeals()
            .filter((x) => x.partner_id === id)
            .map((x) => x.id),
      ),
    ],
  });

  routes.add(admin, '/deals', {
    get: [
      (req, res) => {
        const q = parseRequest(dealFilter, req.query);
        const list = dims
          .allDeals()
          .filter(
            (x) =>
              (q.campaign_id === undefined || x.campaign_id === q.campaign_id) &&
              (q.partner_id === undefined || x.partner_id === q.partner_id),
          )
          .filter((x) => matches(q.q, x.id, ...x.links.map((l) => l.code), ...x.promo_codes));
        res.json(paginate(list, q));
      },
    ],
  });
  routes.add(admin, '/deals/:id', {
    get: [
      (req, res) => {
        const x = dims.deal(req.params.id);
        if (!x) throw notFound('DEAL_NOT_FOUND', `no deal "${req.params.id}"`);
        res.json(x);
      },
    ],
    put: [
      upsert(
        'deal',
        dealSchema,
        (id) => dims.deal(id) !== undefined,
        (docs) => upsertDeals(client, docs),
        (deal) => {
          if (!dims.campaign(deal.campaign_id))
            throw invalidRequest({ path: 'campaign_id', message: `unknown campaign "${deal.campaign_id}"` });
          if (!dims.partner(deal.partner_id))
            throw invalidRequest({ path: 'partner_id', message: `unknown partner "${deal.partner_id}"` });
          // The same rule as a dimension file's: a link code or a promo code belongs to one deal.
          const clashes = dealCodeConflicts([...dims.allDeals().filter((x) => x.id !== deal.id), deal]).filter(
            (c) => c.deal_id === deal.id,
          );
          if (clashes.length > 0) {
            const fields = clashes.map((c) => ({ path: c.path, message: c.message }));
            throw conflict('CODE_TAKEN', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
          }
        },
      ),
    ],
    delete: [
      remove(
        'deal',
        'deals',
        (id) => dims.deal(id),
        () => [],
      ),
    ],
  });

  // ---- payouts ----
  routes.add(admin, '/campaigns/:id/payouts', {
    post: [
      async (req, res) => {
        if (!dims.campaign(req.params.id)) throw notFound('CAMPAIGN_NOT_FOUND', `no campaign "${req.params.id}"`);
        const body = parseRequest(markPaidBody, req.body);
        if (body.period_end > d.clock())
          throw invalidRequest({
            path: 'period_end',
            message: 'expected a time that has passed: a period is paid once it ended',
          });
        for (const p of body.partner_ids ?? [])
          if (!dims.dealFor(req.params.id, p))
            throw invalidRequest({ path: 'partner_ids', message: `partner "${p}" has no deal in this campaign` });
        const paid = await d.money.markPaid(
          req.params.id,
          body.period_end,
          body.partner_ids ?? null,
          body.reference,
          scopeOf(res).label || scopeOf(res).token_id,
          Date.now(),
        );
        if (paid.length === 0)
          throw conflict(
            'NOTHING_DUE',
            'no payout is due for this period: no payable commission or fee, or every total is below the minimum payout',
          );
        d.moneyChanged(req.params.id);
        await audit(res, {
          action: 'create',
          kind: 'payout',
          target_id: req.params.id,
          detail: { period_end: body.period_end, reference: body.reference, payouts: paid.map((p) => p.payout_id) },
        });
        res.status(201).json({ campaign_id: req.params.id, period_end: body.period_end, rows: paid });
      },
    ],
  });

  // ---- ingest sources ----
  routes.add(admin, '/sources', {
    get: [
      async (_req, res) => {
        const [list, seen] = await Promise.all([listSources(client), sourcesLastSeen(client, Date.now())]);
        res.json(
          list.map(({ key_hash: _h, ...s }) => ({
            ...s,
            revoked: s.revoked === 1,
            last_event_at: seen.get(s.id) ?? null,
          })),
        );
      },
    ],
    post: [
      async (req, res) => {
        const body = parseRequest(sourceBody, req.body ?? {});
        const { id, key } = await createSource(client, body);
        await audit(res, { action: 'create', kind: 'source', target_id: id, detail: body });
        res.status(201).json({ id, key });
      },
    ],
  });
  // Rotating an ingest key: create a new one, move the sender over, then revoke the old one here.
  routes.add(admin, '/sources/:id', {
    delete: [
      async (req, res) => {
        if (!(await revokeSource(client, req.params.id)))
          throw notFound('SOURCE_NOT_FOUND', `no source "${req.params.id}"`);
        await audit(res, { action: 'revoke', kind: 'source', target_id: req.params.id });
        res.json({ id: req.params.id, revoked: true });
      },
    ],
  });

  // A shop's or payment provider's webhook: the secret it signs with, sealed, never shown again (paste anew to rotate).
  routes.add(admin, '/sources/:id/webhook', {
    put: [
      async (req, res) => {
        const body = parseRequest(webhookBody, req.body ?? {});
        if (!(await setSourceWebhook(client, req.params.id, body.provider, sealSecret(d.secretsKey(), body.secret)))) {
          throw notFound('SOURCE_NOT_FOUND', `no source "${req.params.id}"`);
        }
        const detail = { provider: body.provider }; // never the secret
        await audit(res, { action: 'update', kind: 'source', target_id: req.params.id, detail });
        res.json({ id: req.params.id, provider: body.provider, url: `/v1/webhooks/${body.provider}/${req.params.id}` });
      },
    ],
  });

  // ---- share links (dashboard tokens) ----
  routes.add(admin, '/tokens', {
    get: [
      async (_req, res) => {
        res.json(
          (await listTokens(client)).map(({ token_hash: _h, ...t }) => ({
            ...t,
            revoked: t.revoked === 1,
            expires_at: t.expires_at || null,
          })),
        );
      },
    ],
    post: [
      async (req, res) => {
        const body = parseRequest(tokenRequest, req.body ?? {});
        const { id, token } = await createToken(client, body);
        const { label, role, campaign_ids, manager_id, expires_at } = body;
        await audit(res, {
          action: 'create',
          kind: 'token',
          target_id: id,
          detail: { label, role, campaign_ids, manager_id, expires_at },
        });
        res.status(201).json({ id, token, role: body.role, expires_at: body.expires_at ?? null });
      },
    ],
  });
  routes.add(admin, '/tokens/:id', {
    delete: [
      async (req, res) => {
        if (!(await revokeToken(client, req.params.id)))
          throw notFound('TOKEN_NOT_FOUND', `no token "${req.params.id}"`);
        d.resolver.invalidate();
        d.disconnectToken(req.params.id);
        await audit(res, { action: 'revoke', kind: 'token', target_id: req.params.id });
        res.json({ id: req.params.id, revoked: true });
      },
    ],
  });

  // ---- alert channels (Slack, signed webhooks) ----
  addAlertChannelRoutes(routes, admin, { client, dims, notifier: d.notifier, audit });

  // ---- platform connectors (YouTube, Instagram, TikTok) ----
  addConnectorRoutes(routes, admin, {
    client,
    dims,
    audit,
    secretsKey: d.secretsKey,
    youtubeDailyQuota: d.youtubeDailyQuota,
  });

  // ---- audit log ----
  routes.add(admin, '/audit', {
    get: [
      async (req, res) => {
        const q = parseRequest(auditQuery, req.query);
        const entries = await auditEntries(client, {
          limit: q.limit,
          beforeMs: q.before,
          kind: q.kind,
          targetId: q.target_id,
        });
        res.json({ entries, next_before: entries.length === q.limit ? entries[entries.length - 1].at : null });
      },
    ],
  });

  return Object.assign(admin, { routes: routes.entries });
}
