// Turns the engine's per-(partner, platform) running sums into the group rows, series and partner lists one view (scope
// + filter) may see.
import {
  computeMetrics,
  emptySeriesPoint,
  feeShare,
  GROUPS,
  tierOf,
  toMinor,
  TOTAL_FIELDS,
  type DimensionCacheLike,
  type FeeTerm,
  type GroupName,
  type GroupRow,
  type Partner,
  type PartnerInfo,
  type SeriesPoint,
  type Totals,
  type WindowName,
  UNATTRIBUTED_KEY,
} from './types.js';
import {
  BUCKET_MS,
  FIELD_INDEX,
  NF,
  windowIndex,
  type AggregationEngine,
  type CampaignState,
  type KeyState,
} from './rollingWindows.js';

/** What one subscription or request may see of a campaign. */
export interface ViewSpec {
  campaign_id: string;
  /** null: every partner, unattributed events included (admin, viewer, wall); otherwise only these partners. */
  partners: Set<string> | null;
  types: Set<string> | null;
  tiers: Set<string> | null;
  platforms: Set<string> | null;
}

/** Group key of events without a partner, and of a type/tier that is unknown. */
export const UNATTRIBUTED = UNATTRIBUTED_KEY;

export function toTotals(v: ArrayLike<number>): Totals {
  const t = {} as Totals;
  for (let i = 0; i < NF; i++) t[TOTAL_FIELDS[i]] = v[i];
  return t;
}

export function partnerType(dims: DimensionCacheLike, id: string): string {
  return dims.partner(id)?.type ?? UNATTRIBUTED;
}
export function partnerTier(dims: DimensionCacheLike, id: string): string {
  const p = dims.partner(id);
  return p ? tierOf(p.followers) : UNATTRIBUTED;
}

/** Whether a partner (any platform) is inside the view's scope and type/tier filter. */
export function partnerVisible(spec: ViewSpec, dims: DimensionCacheLike, partnerId: string): boolean {
  if (spec.partners && !spec.partners.has(partnerId)) return false;
  if (spec.types && !spec.types.has(partnerType(dims, partnerId))) return false;
  if (spec.tiers && !spec.tiers.has(partnerTier(dims, partnerId))) return false;
  return true;
}

export function keyVisible(spec: ViewSpec, dims: DimensionCacheLike, partnerId: string, platform: string): boolean {
  if (spec.platforms && !spec.platforms.has(platform)) return false;
  return partnerVisible(spec, dims, partnerId);
}

interface Acc {
  cur: Float64Array;
  prev: Float64Array;
  followers: number;
  fee: number;
  feePrev: number;
  committed: number;
}

interface PartnerCost {
  id: string;
  followers: number;
  platforms: string[];
  feeMinor: number;
  runStart: number;
  runEnd: number;
}

/** Partners of the view: those with a deal in the campaign and those with data, within scope and filter. */
export function viewPartners(
  spec: ViewSpec,
  dims: DimensionCacheLike,
  state: CampaignState | undefined,
): PartnerCost[] {
  const ids = new Set<string>();
  for (const d of dims.dealsOf(spec.campaign_id)) ids.add(d.partner_id);
  if (state) for (const k of state.keys.values()) if (k.partner_id !== UNATTRIBUTED) ids.add(k.partner_id);
  const campaign = dims.campaign(spec.campaign_id);
  const out: PartnerCost[] = [];
  for (const id of [...ids].sort()) {
    if (!partnerVisible(spec, dims, id)) continue;
    const p = dims.partner(id);
    const deal = dims.dealFor(spec.campaign_id, id);
    const platforms = p?.platforms ?? [];
    if (spec.platforms && platforms.length > 0 && !platforms.some((x) => spec.platforms!.has(x))) {
      // Declared on none of the filtered platforms: visible only through data on them.
      const hasData =
        state && [...state.keys.values()].some((k) => k.partner_id === id && spec.platforms!.has(k.platform));
      if (!hasData) continue;
    }
    out.push({
      id,
      followers: p?.followers ?? 0,
      platforms,
      feeMinor: deal && campaign ? toMinor(deal.fixed_fee, campaign.currency) : 0,
      runStart: deal?.start ?? campaign?.start ?? 0,
      runEnd: deal?.end ?? campaign?.end ?? 0,
    });
  }
  return out;
}

/**
 * A partner's fee term as the view sees it: its platform filter shows this share of the partner's declared platforms.
 */
export function feeTermOf(spec: ViewSpec, p: PartnerCost): FeeTerm {
  const shown =
    spec.platforms && p.platforms.length > 0
      ? p.platforms.filter((x) => spec.platforms!.has(x)).length / p.platforms.length
      : 1;
  return [p.feeMinor, p.runStart, p.runEnd, shown];
}

export function partnerInfo(p: Partner): PartnerInfo {
  return {
    id: p.id,
    handle: p.handle,
    display_name: p.display_name,
    type: p.type,
    tier: tierOf(p.followers),
    followers: p.followers,
    platforms: p.platforms,
    manager_id: p.manager_id ?? '',
  };
}

export function partnerInfos(
  spec: ViewSpec,
  dims: DimensionCacheLike,
  state: CampaignState | undefined,
): PartnerInfo[] {
  const out: PartnerInfo[] = [];
  for (const pc of viewPartners(spec, dims, state)) {
    const p = dims.partner(pc.id);
    if (p) out.push(partnerInfo(p));
  }
  return out;
}

/**
 * The rows of every group for one window. A partner's fixed fee is spread evenly over its deal's run (the
 * window carries the share of its time range) and, in the platform breakdown, evenly over the partner's
 * declared platforms; a platform filter keeps the share of the platforms it lets through. `terms`, when given, receives
 * each partner's fee term (a partner row's fee share is `partnerFeeShare` of it, exactly).
 */
export function computeGroups(
  engine: AggregationEngine,
  dims: DimensionCacheLike,
  spec: ViewSpec,
  window: WindowName,
  terms?: Record<string, FeeTerm>,
): Record<GroupName, GroupRow[]> {
  const state = engine.campaigns.get(spec.campaign_id);
  const accs: Record<GroupName, Map<string, Acc>> = {
    campaign: new Map(),
    partner: new Map(),
    type: new Map(),
    tier: new Map(),
    platform: new Map(),
  };
  const acc = (g: GroupName, key: string): Acc => {
    let a = accs[g].get(key);
    if (!a)
      accs[g].set(
        key,
        (a = { cur: new Float64Array(NF), prev: new Float64Array(NF), followers: 0, fee: 0, feePrev: 0, committed: 0 }),
      );
    return a;
  };
  acc('campaign', 'all');
  const wi = window === 'ctd' ? -1 : windowIndex(window);
  if (state) {
    for (const k of state.keys.values()) {
      if (!keyVisible(spec, dims, k.partner_id, k.platform)) continue;
      const cur = wi < 0 ? k.ctd : k.cur[wi];
      const prev = wi < 0 ? null : k.prev[wi];
      const targets = [
        acc('campaign', 'all'),
        acc('partner', k.partner_id),
        acc('type', partnerType(dims, k.partner_id)),
        acc('tier', partnerTier(dims, k.partner_id)),
        acc('platform', k.platform),
      ];
      for (const a of targets) {
        for (let i = 0; i < NF; i++) a.cur[i] += cur[i];
        if (prev) for (let i = 0; i < NF; i++) a.prev[i] += prev[i];
      }
    }
  }
  const range = engine.windowRange(window);
  const prevRange = window === 'ctd' ? null : engine.windowRange(window, true);
  for (const p of viewPartners(spec, dims, state)) {
    const fee = feeShare(p.feeMinor, p.runStart, p.runEnd, range.from, range.to);
    const feePrev = prevRange ? feeShare(p.feeMinor, p.runStart, p.runEnd, prevRange.from, prevRange.to) : 0;
    const term = feeTermOf(spec, p);
    if (terms) terms[p.id] = term;
    const shown = term[3];
    for (const a of [
      acc('campaign', 'all'),
      acc('partner', p.id),
      acc('type', partnerType(dims, p.id)),
      acc('tier', partnerTier(dims, p.id)),
    ]) {
      a.followers += p.followers;
      a.fee += fee * shown;
      a.feePrev += feePrev * shown;
      a.committed += p.feeMinor * shown;
    }
    for (const x of p.platforms) {
      if (spec.platforms && !spec.platforms.has(x)) continue;
      const a = acc('platform', x);
      const n = p.platforms.length;
      a.followers += p.followers;
      a.fee += fee / n;
      a.feePrev += feePrev / n;
      a.committed += p.feeMinor / n;
    }
  }
  const out = {} as Record<GroupName, GroupRow[]>;
  for (const g of GROUPS) {
    out[g] = [...accs[g].entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, a]) => ({
        key,
        metrics: computeMetrics(toTotals(a.cur), {
          followers: a.followers,
          feeShareMinor: a.fee,
          feeCommittedMinor: a.committed,
        }),
        previous:
          wi < 0
            ? null
            : computeMetrics(toTotals(a.prev), {
                followers: a.followers,
                feeShareMinor: a.feePrev,
                feeCommittedMinor: a.committed,
              }),
      }));
  }
  return out;
}

const SERIES_FIELDS = [
  'views',
  'clicks',
  'unique_clicks',
  'conversions',
  'revenue_minor',
  'comments_n',
  'pos_n',
  'neg_n',
  'neu_n',
] as const;
const I = FIELD_INDEX;

/** Series points (10 s) of the given bucket starts, summed over the view's keys. */
export function seriesPoints(
  engine: AggregationEngine,
  dims: DimensionCacheLike,
  spec: ViewSpec,
  buckets: number[],
): SeriesPoint[] {
  const state = engine.campaigns.get(spec.campaign_id);
  const keys: KeyState[] = state
    ? [...state.keys.values()].filter((k) => keyVisible(spec, dims, k.partner_id, k.platform))
    : [];
  return buckets.map((t) => {
    const p = emptySeriesPoint(t);
    for (const k of keys) {
      const v = k.buckets.get(t);
      if (!v) continue;
      for (const f of SERIES_FIELDS) p[f] += v[I[f]];
      p.interactions += v[I.likes] + v[I.comments] + v[I.shares] + v[I.saves];
    }
    return p;
  });
}

/** Bucket starts of the last hour, oldest first. */
export function lastHourBuckets(engine: AggregationEngine): number[] {
  const out: number[] = [];
  for (let b = engine.bucket - 3_600_000 + BUCKET_MS; b <= engine.bucket; b += BUCKET_MS) out.push(b);
  return out;
}
