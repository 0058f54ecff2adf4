// zod schemas of the dimensions: campaigns, partners, deals (links, promo codes), sources and dashboard tokens.
import { z } from 'zod';
import { count, isoDateTime, money, percent, platform, slugId, text, timeZone } from './common.js';
import { currencyCode } from './money.js';
import { PARTNER_TYPES } from './constants.js';
import { tierOf } from './tiers.js';
import { formatPath } from './zodErrors.js';

export const CAMPAIGN_STATUSES = ['draft', 'live', 'ended'] as const;

export const campaign = z
  .object({
    id: slugId,
    name: text(200).min(1, 'expected a name'),
    brand: text(200).min(1, 'expected a brand'),
    start: isoDateTime,
    end: isoDateTime,
    timezone: timeZone.default('UTC'),
    currency: currencyCode.default('USD'),
    budget: money.default(0),
    /** The least a payout may be (major units): a partner owed less has it carried into the next period. */
    min_payout: money.default(0),
    /** Set by hand in the setup console; absent, a campaign is live between its start and end. */
    status: z.enum(CAMPAIGN_STATUSES, { error: `expected one of ${CAMPAIGN_STATUSES.join(', ')}` }).optional(),
    goals: z
      .object({
        revenue: money.optional(),
        clicks: count.optional(),
        er: z.number().min(0).max(100).optional(),
      })
      .default({}),
  })
  .refine((c) => c.end > c.start, { path: ['end'], message: 'expected end after start' });
export type Campaign = z.infer<typeof campaign>;
export type CampaignInput = z.input<typeof campaign>;

/**
 * Goals a person probably did not mean: a goal of 0 (met at once), an engagement rate out of scale (a fraction typed
 * for a percentage, or above what any launch reaches), revenue out of scale with the budget. The admin API asks
 * before taking them (`?confirm=goals`); a dimension file takes them as they are.
 */
export function campaignGoalQuestions(c: Pick<Campaign, 'goals' | 'budget'>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const g = c.goals;
  for (const k of ['revenue', 'clicks', 'er'] as const) {
    if (g[k] === 0) out.push({ path: `goals.${k}`, message: 'a goal of 0 is met at once: leave it out for no goal' });
  }
  if (g.er !== undefined && g.er > 0 && g.er < 0.1)
    out.push({
      path: 'goals.er',
      message: `an engagement rate of ${g.er} % is below any launch's: the goal is a percentage (5 means 5 %)`,
    });
  if (g.er !== undefined && g.er > 25)
    out.push({
      path: 'goals.er',
      message: `an engagement rate of ${g.er} % is above what launches reach (1–10 % is usual)`,
    });
  if (g.revenue !== undefined && c.budget > 0 && g.revenue > 1000 * c.budget)
    out.push({
      path: 'goals.revenue',
      message: `a revenue goal of ${g.revenue} is over 1,000 × the budget (${c.budget})`,
    });
  return out;
}

export { PARTNER_TYPES, type PartnerType } from './constants.js';

/** A partner's account on one platform: its handle there and its followers there. */
export const partnerAccount = z.object({
  platform,
  handle: text(100).min(1, 'expected a handle'),
  followers: count,
});

export const partner = z
  .object({
    id: slugId,
    /** The main handle (the one the partner is known by). */
    handle: text(100).min(1, 'expected a handle'),
    display_name: text(200).min(1, 'expected a display name'),
    platforms: z.array(platform).min(1, 'expected at least one platform').max(20),
    /** Followers over all platforms: what the tier and ER by followers use. */
    followers: count,
    type: z.enum(PARTNER_TYPES, { error: `expected one of ${PARTNER_TYPES.join(', ')}` }),
    manager_id: slugId.optional(),
    /** Handles and followers per platform, where known. */
    accounts: z.array(partnerAccount).max(20).optional(),
  })
  .superRefine((p, ctx) => {
    (p.accounts ?? []).forEach((a, i) => {
      if (!p.platforms.includes(a.platform))
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'platform'],
          message: `${a.platform} is not one of the partner's platforms (${p.platforms.join(', ')})`,
        });
    });
  });
export type Partner = z.infer<typeof partner>;
export const partnerTier = (p: Pick<Partner, 'followers'>) => tierOf(p.followers);

export const trackingLink = z.object({
  code: slugId,
  destination: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048),
  platform: platform.optional(),
  utm_source: text(256).optional(),
  utm_medium: text(256).optional(),
  utm_campaign: text(256).optional(),
  utm_content: text(256).optional(),
});
export type TrackingLink = z.infer<typeof trackingLink>;

export const commissionTier = z.object({
  /** Cumulative net revenue of the deal (campaign currency, major units) past which `percent` applies. */
  threshold: money,
  percent,
});

/** How long after a click a conversion is still the click's partner's, unless a deal says otherwise. */
export const DEFAULT_ATTRIBUTION_DAYS = 30;

export const deal = z
  .object({
    id: slugId,
    partner_id: slugId,
    campaign_id: slugId,
    /** Fixed fee in the campaign currency (major units), spread evenly over the deal's run. */
    fixed_fee: money.default(0),
    commission_percent: percent.default(0),
    /** Flat amount per approved conversion (major units). */
    commission_flat: money.default(0),
    commission_tiers: z.array(commissionTier).max(20).default([]),
    attribution_window_days: z.number().int().min(1).max(365).default(DEFAULT_ATTRIBUTION_DAYS),
    /**
     * Days an approved conversion's commission stays locked (returns and chargebacks still expected) before it is
     * payable; a reversal after that is a negative line carried into the partner's next payout.
     */
    lock_days: z
      .number({ error: 'expected a whole number of days from 0 to 90' })
      .int('expected a whole number of days from 0 to 90')
      .min(0, 'expected a whole number of days from 0 to 90')
      .max(90, 'expected a whole number of days from 0 to 90')
      .default(0),
    start: isoDateTime.optional(),
    end: isoDateTime.optional(),
    links: z.array(trackingLink).max(100).default([]),
    promo_codes: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a promo code of letters, digits, "_" or "-"'))
      .max(100)
      .default([]),
  })
  .refine((d) => d.start === undefined || d.end === undefined || d.end > d.start, {
    path: ['end'],
    message: 'expected end after start',
  });
export type Deal = z.infer<typeof deal>;

export const source = z.object({
  id: slugId,
  name: text(200).default(''),
  /** Campaigns this key may send for; empty means all. */
  campaign_ids: z.array(slugId).default([]),
});
export type Source = z.infer<typeof source>;

export const ROLES = ['admin', 'viewer', 'manager', 'wall'] as const;
export type Role = (typeof ROLES)[number];

export const tokenRequest = z
  .object({
    role: z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }),
    campaign_ids: z.array(slugId).default([]),
    manager_id: slugId.optional(),
    label: text(200).default(''),
    /** A share link that stops working at this time (ISO-8601); none: until revoked. */
    expires_at: isoDateTime.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.role === 'viewer' && t.campaign_ids.length === 0)
      ctx.addIssue({ code: 'custom', path: ['campaign_ids'], message: 'a viewer token needs at least one campaign' });
    if (t.role === 'wall' && t.campaign_ids.length !== 1)
      ctx.addIssue({ code: 'custom', path: ['campaign_ids'], message: 'a wall token needs exactly one campaign' });
    if (t.role === 'manager' && !t.manager_id)
      ctx.addIssue({ code: 'custom', path: ['manager_id'], message: 'a manager token needs a manager_id' });
    if (t.expires_at !== undefined && t.expires_at <= Date.now())
      ctx.addIssue({ code: 'custom', path: ['expires_at'], message: 'expected a time in the future' });
  });
export type TokenRequest = z.infer<typeof tokenRequest>;

/** What a dashboard token may see, as stored (the token itself is only kept hashed). */
export interface DashboardScope {
  token_id: string;
  /** The token's label, for the audit log ("who"). */
  label?: string;
  /** Epoch ms after which the token no longer works; 0: never. */
  expires_at?: number;
  role: Role;
  campaign_ids: string[];
  manager_id: string;
}

export interface CodeConflict {
  /** The deal that claims a code another deal owns, by its place in the list and its id. */
  index: number;
  deal_id: string;
  /** Where in that deal: `['links', 0, 'code']` or `['promo_codes', 1]`. */
  where: (string | number)[];
  path: string;
  message: string;
}

/**
 * Codes that two deals claim: a tracking-link code belongs to one deal of all, a promo code to one deal of its
 * campaign, both whatever their case. The first deal in the list owns a code; each later claimant is named. One rule
 * for a dimension file and for the admin API.
 */
export function dealCodeConflicts(
  deals: readonly Pick<Deal, 'id' | 'campaign_id' | 'links' | 'promo_codes'>[],
): CodeConflict[] {
  const links = new Map<string, string>();
  const promos = new Map<string, string>();
  const out: CodeConflict[] = [];
  const claim = (
    owners: Map<string, string>,
    key: string,
    index: number,
    dealId: string,
    where: (string | number)[],
    what: string,
  ) => {
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, dealId);
    else
      out.push({
        index,
        deal_id: dealId,
        where,
        path: formatPath(where),
        message: `${what} is already used by deal "${owner}"`,
      });
  };
  deals.forEach((d, i) => {
    d.links.forEach((l, j) =>
      claim(links, l.code.toLowerCase(), i, d.id, ['links', j, 'code'], `link code "${l.code}"`),
    );
    d.promo_codes.forEach((p, j) =>
      claim(promos, `${d.campaign_id}\u0000${p.toUpperCase()}`, i, d.id, ['promo_codes', j], `promo code "${p}"`),
    );
  });
  return out;
}

/** The file `npm run load` takes. */
export const dimensionFile = z
  .object({
    campaigns: z.array(campaign).default([]),
    partners: z.array(partner).default([]),
    deals: z.array(deal).default([]),
  })
  .superRefine((f, ctx) => {
    const campaigns = new Set(f.campaigns.map((c) => c.id));
    const partners = new Set(f.partners.map((p) => p.id));
    f.deals.forEach((d, i) => {
      if (!campaigns.has(d.campaign_id))
        ctx.addIssue({
          code: 'custom',
          path: ['deals', i, 'campaign_id'],
          message: `unknown campaign "${d.campaign_id}" (not in this file)`,
        });
      if (!partners.has(d.partner_id))
        ctx.addIssue({
          code: 'custom',
          path: ['deals', i, 'partner_id'],
          message: `unknown partner "${d.partner_id}" (not in this file)`,
        });
    });
    for (const c of dealCodeConflicts(f.deals))
      ctx.addIssue({ code: 'custom', path: ['deals', c.index, ...c.where], message: c.message });
    for (const [kind, list] of [
      ['campaigns', f.campaigns],
      ['partners', f.partners],
      ['deals', f.deals],
    ] as const) {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: [kind, i, 'id'], message: `duplicate id "${x.id}"` });
        seen.add(x.id);
      });
    }
  });
export type DimensionFile = z.infer<typeof dimensionFile>;
