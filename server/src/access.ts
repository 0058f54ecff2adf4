// Who may see what: dashboard tokens resolved to scopes (cached briefly), and the checks every socket and REST call
// goes through.
import type { ClickHouseClient } from '@clickhouse/client';
import type { RequestHandler, Response } from 'express';
import type { Campaign, DashboardScope, SubscribeRequest, WindowName } from '@pulseroom/schema';
import {
  badRequest,
  findTokenByHash,
  forbidden,
  hashSecret,
  notFound,
  recordTokenUse,
  sameHash,
} from '@pulseroom/schema/server';
import type { DimensionCacheLike } from './engine/types.js';
import type { ViewSpec } from './engine/breakdowns.js';

export const ENV_ADMIN_TOKEN_ID = 'env-admin';

/** The scope the API's authentication put on the response. */
export const scopeOf = (res: Response): DashboardScope => res.locals.scope as DashboardScope;

/** A route's handler: path parameters are plain strings. */
export type RouteHandler = RequestHandler<Record<string, string>>;

/** How often the last use of each token is written to the store. */
const USAGE_FLUSH_MS = 30_000;

/** Resolves bearer tokens to scopes: SHA-256 → dashboard_tokens, trusted for `cacheMs`; an expired one is refused. */
export class TokenResolver {
  private cache = new Map<string, { scope: DashboardScope | null; until: number }>();
  private readonly adminHash: string | null;
  /** Token id → when it was last used, not yet written. */
  private readonly used = new Map<string, number>();
  private readonly usageTimer: NodeJS.Timeout;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly cacheMs: number,
    adminToken?: string,
  ) {
    this.adminHash = adminToken ? hashSecret(adminToken) : null;
    this.usageTimer = setInterval(() => void this.flushUsage().catch(() => undefined), USAGE_FLUSH_MS);
    this.usageTimer.unref();
  }

  async resolve(token: string | undefined | null): Promise<DashboardScope | null> {
    if (!token || typeof token !== 'string' || token.length > 256) return null;
    const h = hashSecret(token);
    if (this.adminHash && sameHash(h, this.adminHash))
      return {
        token_id: ENV_ADMIN_TOKEN_ID,
        label: 'PULSEROOM_ADMIN_TOKEN',
        role: 'admin',
        campaign_ids: [],
        manager_id: '',
      };
    const now = Date.now();
    const hit = this.cache.get(h);
    let scope: DashboardScope | null;
    if (hit && hit.until > now) scope = hit.scope;
    else {
      scope = await findTokenByHash(this.client, h);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(h, { scope, until: now + this.cacheMs });
    }
    if (!scope || (scope.expires_at && scope.expires_at <= now)) return null;
    this.used.set(scope.token_id, now);
    return scope;
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** Writes when each token used since the last write was last used. */
  async flushUsage(): Promise<void> {
    if (this.used.size === 0) return;
    const batch = new Map(this.used);
    this.used.clear();
    await recordTokenUse(this.client, batch);
  }

  async stop(): Promise<void> {
    clearInterval(this.usageTimer);
    await this.flushUsage().catch(() => undefined);
  }
}

/** Campaign ids of a scope (admin: every campaign). */
export function campaignAllowed(scope: DashboardScope, dims: DimensionCacheLike, campaignId: string): boolean {
  switch (scope.role) {
    case 'admin':
      return true;
    case 'viewer':
      return scope.campaign_ids.includes(campaignId);
    case 'wall':
      return scope.campaign_ids[0] === campaignId;
    case 'manager': {
      const mine = dims.partnersOfManager(scope.manager_id);
      return dims.dealsOf(campaignId).some((d) => mine.has(d.partner_id));
    }
  }
}

export function campaignsInScope(scope: DashboardScope, dims: DimensionCacheLike): Campaign[] {
  return dims
    .allCampaigns()
    .filter((c) => campaignAllowed(scope, dims, c.id))
    .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
}

export function requireCampaign(scope: DashboardScope, dims: DimensionCacheLike, campaignId: string): Campaign {
  const c = dims.campaign(campaignId);
  // The same answer for "does not exist" and "not yours": a scope learns nothing about other campaigns.
  if (!c || !campaignAllowed(scope, dims, campaignId))
    throw notFound('CAMPAIGN_NOT_FOUND', `no campaign "${campaignId}" in this token's scope`);
  return c;
}

/** The partners a scope may see (null: all, unattributed events included). */
export function scopePartners(scope: DashboardScope, dims: DimensionCacheLike): Set<string> | null {
  return scope.role === 'manager' ? dims.partnersOfManager(scope.manager_id) : null;
}

export function partnerAllowed(scope: DashboardScope, dims: DimensionCacheLike, partnerId: string): boolean {
  const set = scopePartners(scope, dims);
  return set === null || set.has(partnerId);
}

export type ViewRequest = Pick<SubscribeRequest, 'campaign_id' | 'partner_id' | 'mine' | 'filter'>;

/** Checks a request against the scope and builds the view it may see; throws an HttpError otherwise. */
export function viewFor(scope: DashboardScope, dims: DimensionCacheLike, req: ViewRequest): ViewSpec {
  requireCampaign(scope, dims, req.campaign_id);
  let partners = scopePartners(scope, dims);
  if (req.mine && scope.role !== 'manager')
    throw badRequest(
      'NOT_A_MANAGER',
      '"mine" narrows to an account manager\'s partners; this token is not a manager token',
    );
  if (req.partner_id !== undefined) {
    if (partners && !partners.has(req.partner_id))
      throw forbidden(`partner "${req.partner_id}" is not one of this manager's partners`, 'PARTNER_OUT_OF_SCOPE');
    partners = new Set([req.partner_id]);
  }
  const set = <T extends string>(xs: T[] | undefined) => (xs && xs.length > 0 ? new Set<string>(xs) : null);
  return {
    campaign_id: req.campaign_id,
    partners,
    types: set(req.filter?.type),
    tiers: set(req.filter?.tier),
    platforms: set(req.filter?.platform),
  };
}

/** A stable name for a view: sockets with the same view share one room and one serialised payload. */
export function roomName(scope: DashboardScope, req: ViewRequest, window: WindowName): string {
  const who = scope.role === 'manager' ? `m:${scope.manager_id}` : 'all';
  const f = req.filter ?? {};
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? [...xs].sort().join(',') : '*');
  return `view|${req.campaign_id}|${window}|${who}|p:${req.partner_id ?? '*'}|t:${list(f.type)}|r:${list(f.tier)}|x:${list(f.platform)}`;
}

/** Campaign-wide alerts carry campaign totals: only scopes that see the whole campaign get them. */
export function alertVisible(
  scope: DashboardScope,
  dims: DimensionCacheLike,
  alert: { campaign_id: string; partner_id: string },
): boolean {
  if (!campaignAllowed(scope, dims, alert.campaign_id)) return false;
  if (alert.partner_id === '') return scope.role !== 'manager';
  return partnerAllowed(scope, dims, alert.partner_id);
}
