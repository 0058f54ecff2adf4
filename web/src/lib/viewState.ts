// The war-room view (window, filters, sort) as URL query parameters, so a shared or reloaded link opens the same view.
import {
  isWindow,
  PARTNER_TYPES,
  PLATFORMS,
  TIERS,
  type PartnerType,
  type Platform,
  type Tier,
  type WindowName,
  type SubscribeRequest,
} from './contract';

export type SortDir = 'asc' | 'desc';

export interface ViewState {
  window: WindowName;
  type: PartnerType[];
  tier: Tier[];
  platform: Platform[];
  sort: string;
  dir: SortDir;
}

export const DEFAULT_SORT = 'revenue_minor';

export function defaultView(window: WindowName = '5m'): ViewState {
  return { window, type: [], tier: [], platform: [], sort: DEFAULT_SORT, dir: 'desc' };
}

function list<T extends string>(raw: string | null, allowed: readonly T[]): T[] {
  if (!raw) return [];
  const seen = new Set<T>();
  for (const part of raw.split(',')) {
    const v = part.trim() as T;
    if (allowed.includes(v)) seen.add(v);
  }
  // Keep the canonical order so equal views give equal URLs.
  return allowed.filter((a) => seen.has(a));
}

/** Reads a view from a query string; unknown values are ignored, never fatal. */
export function parseView(
  search: string | URLSearchParams,
  sortable: readonly string[],
  fallbackWindow: WindowName = '5m',
): ViewState {
  const q = typeof search === 'string' ? new URLSearchParams(search) : search;
  const w = q.get('window');
  const sort = q.get('sort');
  const dir = q.get('dir');
  return {
    window: isWindow(w) ? w : fallbackWindow,
    type: list(q.get('type'), PARTNER_TYPES),
    tier: list(q.get('tier'), TIERS),
    platform: list(q.get('platform'), PLATFORMS),
    sort: sort && sortable.includes(sort) ? sort : DEFAULT_SORT,
    dir: dir === 'asc' ? 'asc' : 'desc',
  };
}

/**
 * Writes a view into a query string, keeping other parameters (campaign, theme) and leaving defaults
 * out so links stay short.
 */
export function writeView(
  view: ViewState,
  base: string | URLSearchParams = '',
  fallbackWindow: WindowName = '5m',
): string {
  const q = new URLSearchParams(typeof base === 'string' ? base : base.toString());
  const set = (k: string, v: string | null) => (v ? q.set(k, v) : q.delete(k));
  set('window', view.window === fallbackWindow ? null : view.window);
  set('type', PARTNER_TYPES.filter((t) => view.type.includes(t)).join(','));
  set('tier', TIERS.filter((t) => view.tier.includes(t)).join(','));
  set('platform', PLATFORMS.filter((t) => view.platform.includes(t)).join(','));
  set('sort', view.sort === DEFAULT_SORT ? null : view.sort);
  set('dir', view.dir === 'desc' ? null : view.dir);
  q.delete('token');
  // Commas stay readable in shared links.
  const s = q.toString().replace(/%2C/g, ',');
  return s ? `?${s}` : '';
}

export function filterOf(view: ViewState): SubscribeRequest['filter'] | undefined {
  const f: NonNullable<SubscribeRequest['filter']> = {};
  if (view.type.length) f.type = view.type;
  if (view.tier.length) f.tier = view.tier;
  if (view.platform.length) f.platform = view.platform;
  return Object.keys(f).length ? f : undefined;
}

export function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function sameView(a: ViewState, b: ViewState): boolean {
  return writeView(a) === writeView(b);
}
