// The demo launch: a brand's product launch with its partners and deals, as a dimension file
// (the JSON `npm run load` takes), deterministic for a seed.
import type { z } from 'zod';
import { tierOf, type dimensionFile, type Platform, type PartnerType, type Tier } from '@pulseroom/schema';
import { Rng } from './random.js';
import { goalsOver, playFirstDays } from './goals.js';
import { asciiSlug, audienceLocale, creatorHandle, personName, siteName } from './names.js';

export type LaunchFile = z.input<typeof dimensionFile>;
type CampaignInput = LaunchFile['campaigns'] extends (infer C)[] | undefined ? C : never;
type PartnerInput = LaunchFile['partners'] extends (infer P)[] | undefined ? P : never;
type DealInput = LaunchFile['deals'] extends (infer D)[] | undefined ? D : never;

export interface DemoLaunchOptions {
  /** Epoch ms: the headline campaign starts a few minutes before it. */
  now: number;
  seed: number;
}

export const HEADLINE_CAMPAIGN_ID = 'halo-launch';
export const MANAGERS = ['am-ines', 'am-jordan', 'am-kemal', 'am-li'] as const;
/** The account managers' names, for their share links (their page greets them by name). */
export const MANAGER_NAMES: Record<(typeof MANAGERS)[number], string> = {
  'am-ines': 'Inês Duarte',
  'am-jordan': 'Jordan Blake',
  'am-kemal': 'Kemal Aydın',
  'am-li': 'Li Wei',
};
/** How long before `now` the headline campaign starts, so launch minute shows at once. */
export const LAUNCH_LEAD_MS = 3 * 60_000;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const TYPE_WEIGHTS: ReadonlyArray<readonly [PartnerType, number]> = [
  ['influencer', 0.5],
  ['affiliate', 0.2],
  ['ambassador', 0.17],
  ['hybrid', 0.13],
];

/** Platforms by partner type, with how likely each is. */
const PLATFORM_WEIGHTS: Record<PartnerType, ReadonlyArray<readonly [Platform, number]>> = {
  influencer: [
    ['instagram', 0.34],
    ['tiktok', 0.3],
    ['youtube', 0.16],
    ['threads', 0.05],
    ['x', 0.05],
    ['pinterest', 0.03],
    ['twitch', 0.03],
    ['snapchat', 0.02],
    ['facebook', 0.02],
  ],
  ambassador: [
    ['instagram', 0.55],
    ['tiktok', 0.4],
    ['facebook', 0.05],
  ],
  hybrid: [
    ['youtube', 0.35],
    ['instagram', 0.25],
    ['blog', 0.25],
    ['newsletter', 0.15],
  ],
  affiliate: [
    ['blog', 0.45],
    ['newsletter', 0.25],
    ['web', 0.15],
    ['podcast', 0.1],
    ['youtube', 0.05],
  ],
};

/** Heavy-tailed audience sizes (Pareto), by type; megas are placed apart so there are always 2–4. */
const FOLLOWER_TAIL: Record<PartnerType, { xm: number; alpha: number }> = {
  influencer: { xm: 1800, alpha: 0.55 },
  ambassador: { xm: 700, alpha: 0.75 },
  hybrid: { xm: 2500, alpha: 0.6 },
  affiliate: { xm: 2000, alpha: 0.65 },
};

/** Fixed fee range (campaign currency) by tier, for a full influencer deal. */
const FEE_BY_TIER: Record<Tier, [number, number]> = {
  nano: [150, 450],
  micro: [600, 2500],
  macro: [3500, 15000],
  mega: [25000, 60000],
};

interface DraftPartner {
  partner: PartnerInput;
  tier: Tier;
  /** ASCII base for link codes and promo codes. */
  slug: string;
  promoBase: string;
  domain?: string;
}

export function demoLaunch(opts: DemoLaunchOptions): LaunchFile {
  const rng = Rng.of(opts.seed, 'launch');
  const campaigns = buildCampaigns(opts.now);
  const partners = buildPartners(rng, opts.seed);
  const deals = buildDeals(rng, partners, campaigns);
  const launch = { campaigns, partners: partners.map((p) => p.partner), deals };
  sizeBudgets(launch, opts);
  return launch;
}

function iso(ms: number): string {
  return new Date(Math.round(ms / 1000) * 1000).toISOString();
}

function buildCampaigns(now: number): CampaignInput[] {
  return [
    {
      id: HEADLINE_CAMPAIGN_ID,
      name: 'Halo Buds Pro Launch',
      brand: 'Sonora Audio',
      start: iso(now - LAUNCH_LEAD_MS),
      end: iso(now + 30 * DAY),
      timezone: 'Europe/Berlin',
      currency: 'EUR',
      budget: 0,
      min_payout: 50,
      goals: {},
    },
    {
      id: 'sonora-evergreen',
      name: 'Sonora Affiliate Program',
      brand: 'Sonora Audio',
      start: iso(now - 60 * DAY),
      end: iso(now + 305 * DAY),
      timezone: 'America/New_York',
      currency: 'USD',
      budget: 0,
      min_payout: 25,
      goals: {},
    },
    {
      id: 'holiday-gifts-uk',
      name: 'Holiday Gift Guide UK',
      brand: 'Sonora Audio',
      start: iso(now - 5 * DAY),
      end: iso(now + 35 * DAY),
      timezone: 'Europe/London',
      currency: 'GBP',
      budget: 0,
      goals: {},
    },
  ];
}

function pickPlatforms(rng: Rng, type: PartnerType): Platform[] {
  const count = type === 'affiliate' || type === 'ambassador' ? rng.int(1, 2) : rng.int(1, 3);
  const out = new Set<Platform>();
  for (let i = 0; i < count * 3 && out.size < count; i++) out.add(rng.weighted(PLATFORM_WEIGHTS[type]));
  const list = [...out];
  // A hybrid is a creator with a publishing side: make sure it has both.
  if (type === 'hybrid' && !list.some((p) => p === 'blog' || p === 'newsletter'))
    list.push(rng.pick(['blog', 'newsletter'] as const));
  if (type === 'hybrid' && !list.some((p) => p === 'youtube' || p === 'instagram'))
    list.unshift(rng.pick(['youtube', 'instagram'] as const));
  return list;
}

function buildPartners(rng: Rng, seed: number): DraftPartner[] {
  const n = rng.int(95, 135);
  const types: PartnerType[] = [];
  for (const [type, w] of TYPE_WEIGHTS) for (let i = 0; i < Math.round(n * w); i++) types.push(type);
  while (types.length < n) types.push('influencer');
  const megaCount = rng.int(2, 4);
  const handles = new Set<string>();
  const displays = new Set<string>();
  const out: DraftPartner[] = types.slice(0, n).map((type, i) => {
    const id = `p${String(i + 1).padStart(3, '0')}`;
    const locale = audienceLocale(seed, id);
    const tail = FOLLOWER_TAIL[type];
    // Under a million here; the megas are chosen below.
    let followers = Math.round(Math.min(950_000, rng.pareto(tail.xm, tail.alpha)));
    if (i < megaCount) followers = Math.round(Math.min(12_000_000, 1_050_000 + rng.pareto(400_000, 1.1)));
    const platforms = pickPlatforms(rng, type);
    if (i < megaCount && !['instagram', 'tiktok', 'youtube'].includes(platforms[0]))
      platforms.unshift(rng.pick(['instagram', 'tiktok', 'youtube'] as const));
    let handle: string;
    let display: string;
    let slug: string;
    let promoBase: string;
    let domain: string | undefined;
    if (type === 'affiliate') {
      const site = siteName(rng);
      display = site.display;
      domain = site.domain;
      slug = asciiSlug(site.display);
      handle = site.domain;
      promoBase = slug.slice(0, 10).toUpperCase();
    } else {
      const name = personName(rng, locale);
      display = name.display;
      handle = creatorHandle(rng, name);
      slug = asciiSlug(handle);
      promoBase = asciiSlug(name.slug.split('.')[0]).toUpperCase();
    }
    let unique = handle;
    for (let k = 2; handles.has(unique); k++) unique = `${handle}${k}`;
    handles.add(unique);
    // Two partners never share a name on screen (and no extra random draw, so a seed still gives the same launch):
    // a creator's namesake is told apart by its handle, a second site of the same name by a number.
    if (displays.has(display) && type !== 'affiliate') display = `${display} (${unique})`;
    for (let k = 2, base = display; displays.has(display); k++) display = `${base} ${k}`;
    displays.add(display);
    const partner: PartnerInput = {
      id,
      handle: unique,
      display_name: display,
      platforms,
      followers,
      type,
      manager_id: MANAGERS[(i * 7 + rng.int(0, 3)) % MANAGERS.length],
    };
    return { partner, tier: tierOf(followers), slug: asciiSlug(unique), promoBase, domain };
  });
  // The first partners are the megas: give the mega slots to influencers and one hybrid at most.
  return rng.chance(0.5)
    ? out
    : out.reverse().map((p, i) => ({ ...p, partner: { ...p.partner, id: `p${String(i + 1).padStart(3, '0')}` } }));
}

function linkCode(used: Set<string>, base: string): string {
  const root = base.slice(0, 50) || 'link';
  let code = root;
  for (let k = 2; used.has(code); k++) code = `${root}-${k}`;
  used.add(code);
  return code;
}

function promoCode(used: Set<string>, base: string, discount: number): string {
  const root = `${base || 'SONORA'}${discount}`;
  let code = root;
  for (let k = 2; used.has(code.toUpperCase()); k++) code = `${base}${k}${discount}`;
  used.add(code.toUpperCase());
  return code;
}

const DESTINATIONS: Record<string, string> = {
  'halo-launch': 'https://www.sonora-audio.com/halo-buds-pro',
  'sonora-evergreen': 'https://www.sonora-audio.com/shop',
  'holiday-gifts-uk': 'https://uk.sonora-audio.com/gifts',
};
const SHORT: Record<string, string> = { 'halo-launch': 'halo', 'sonora-evergreen': 'sa', 'holiday-gifts-uk': 'xmas' };

function buildDeals(rng: Rng, partners: DraftPartner[], campaigns: CampaignInput[]): DealInput[] {
  const deals: DealInput[] = [];
  const codes = new Set<string>();
  const promos = new Map<string, Set<string>>();
  for (const c of campaigns) promos.set(c.id, new Set());
  for (const p of partners) {
    const type = p.partner.type as PartnerType;
    const inHeadline = type === 'affiliate' ? rng.chance(0.8) : rng.chance(0.9) || p.tier === 'mega';
    // The smaller campaigns run with affiliates and a few creators, none of the megas.
    const inEvergreen = p.tier !== 'mega' && (type === 'affiliate' || type === 'hybrid' || rng.chance(0.1));
    const inHoliday = p.tier !== 'mega' && rng.chance(type === 'affiliate' ? 0.35 : 0.15);
    const targets = [
      inHeadline && 'halo-launch',
      inEvergreen && 'sonora-evergreen',
      inHoliday && 'holiday-gifts-uk',
    ].filter(Boolean) as string[];
    if (targets.length === 0) targets.push('halo-launch');
    for (const campaignId of targets) {
      const headline = campaignId === HEADLINE_CAMPAIGN_ID;
      const [lo, hi] = FEE_BY_TIER[p.tier];
      const feeShare = { influencer: 1, hybrid: 0.6, ambassador: 0.25, affiliate: 0 }[type] * (headline ? 1 : 0.3);
      const fixed_fee = feeShare === 0 ? 0 : Math.round((rng.between(lo, hi) * feeShare) / 50) * 50;
      const deal: DealInput = {
        id: `d-${campaignId}-${p.partner.id}`,
        partner_id: p.partner.id,
        campaign_id: campaignId,
        fixed_fee,
        links: [],
        promo_codes: [],
      };
      if (type === 'affiliate') {
        if (rng.chance(0.25)) deal.commission_flat = rng.pick([8, 10, 12, 15]);
        else {
          deal.commission_percent = rng.pick([8, 10, 12]);
          if (rng.chance(0.6))
            deal.commission_tiers = [
              { threshold: rng.pick([5000, 10000, 25000]), percent: deal.commission_percent + rng.pick([3, 5]) },
            ];
        }
        deal.attribution_window_days = rng.pick([7, 30, 30, 45]);
        // affiliate programmes hold commission while returns are possible; creators on a fee are paid as it comes
        deal.lock_days = 14;
      } else if (type === 'hybrid') {
        deal.commission_percent = rng.pick([6, 8, 10]);
        deal.lock_days = 7;
      } else if (type === 'ambassador') {
        deal.commission_percent = rng.pick([10, 12, 15]);
        deal.commission_flat = rng.pick([0, 2, 3]);
      } else {
        deal.commission_percent =
          p.tier === 'nano' || p.tier === 'micro' ? rng.pick([0, 5, 8]) : rng.pick([0, 0, 3, 5]);
      }
      const platforms = (p.partner.platforms as Platform[]).slice(0, 2);
      for (const platform of platforms) {
        const code = linkCode(
          codes,
          `${p.slug}-${SHORT[campaignId]}${platforms.length > 1 ? `-${platform.slice(0, 2)}` : ''}`,
        );
        deal.links!.push({
          code,
          destination: DESTINATIONS[campaignId],
          platform,
          utm_source: platform,
          utm_medium: type === 'affiliate' ? 'affiliate' : 'influencer',
          utm_campaign: campaignId,
          utm_content: p.partner.id,
        });
      }
      if (type !== 'affiliate' || rng.chance(0.5)) {
        deal.promo_codes!.push(promoCode(promos.get(campaignId)!, p.promoBase, rng.pick([10, 15, 15, 20])));
      }
      deals.push(deal);
    }
  }
  return deals;
}

/**
 * Goals from what the simulator will play (its launch day and two ordinary days, extrapolated over each campaign's
 * remaining run), so goal pacing measures the traffic the demo shows; budget = committed fees plus the commission
 * the revenue goal implies.
 */
function sizeBudgets(
  launch: LaunchFile & { campaigns: CampaignInput[]; deals: DealInput[] },
  opts: DemoLaunchOptions,
): void {
  const played = playFirstDays(launch, opts.seed, opts.now - LAUNCH_LEAD_MS);
  for (const c of launch.campaigns) {
    const fees = launch.deals.filter((d) => d.campaign_id === c.id).reduce((s, d) => s + (d.fixed_fee ?? 0), 0);
    const days = Math.max(1, Math.ceil((Date.parse(String(c.end)) - opts.now) / DAY));
    const goal = goalsOver(days, played.get(c.id) ?? { revenue: [0], clicks: [0] });
    const revenue = Math.max(1_000, goal.revenue);
    c.budget = Math.round((fees + revenue * 0.1) / 1000) * 1000;
    c.goals = { revenue, clicks: Math.max(100, goal.clicks), er: c.id === HEADLINE_CAMPAIGN_ID ? 3.5 : 3 };
  }
}
