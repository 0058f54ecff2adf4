// The server contract as the web app sees it: types from schema/ (type-only, so no zod in the bundle) and the enum lists it needs at run time.
import type { WindowName, GroupName } from '@pulseroom/schema/live';
import type { PartnerType } from '@pulseroom/schema/dimensions';
import type { Tier } from '@pulseroom/schema/tiers';
import type { Platform } from '@pulseroom/schema/common';

export type {
  WindowName,
  GroupName,
  GroupRow,
  SeriesPoint,
  PartnerInfo,
  CampaignInfo,
  CommentItem,
  PostItem,
  Alert,
  AlertKind,
  Snapshot,
  Delta,
  SubscribeRequest,
  Ack,
  WhoAmI,
  ServerToClientEvents,
  ClientToServerEvents,
  SummaryResponse,
  SeriesResponse,
  PartnerDetail,
} from '@pulseroom/schema/live';
export type { Metrics } from '@pulseroom/schema/metrics';
export type { PartnerType, Tier, Platform };

export const WINDOWS = ['1m', '5m', '15m', '1h', '24h', 'ctd'] as const satisfies readonly WindowName[];
export const WINDOW_LABELS: Record<WindowName, string> = {
  '1m': '1 min',
  '5m': '5 min',
  '15m': '15 min',
  '1h': '1 hour',
  '24h': '24 hours',
  ctd: 'Campaign to date',
};
export const WINDOW_MS: Record<WindowName, number | null> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  ctd: null,
};
export const GROUPS = ['campaign', 'partner', 'type', 'tier', 'platform'] as const satisfies readonly GroupName[];
export const PARTNER_TYPES = ['influencer', 'affiliate', 'ambassador', 'hybrid'] as const satisfies readonly PartnerType[];
export const TIERS = ['nano', 'micro', 'macro', 'mega'] as const satisfies readonly Tier[];
export const PLATFORMS = [
  'instagram',
  'tiktok',
  'youtube',
  'x',
  'facebook',
  'twitch',
  'pinterest',
  'snapchat',
  'linkedin',
  'threads',
  'blog',
  'newsletter',
  'podcast',
  'web',
] as const satisfies readonly Platform[];

export function isWindow(v: unknown): v is WindowName {
  return typeof v === 'string' && (WINDOWS as readonly string[]).includes(v);
}
