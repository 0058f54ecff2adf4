// The server contract as the web app sees it: types from schema/ (type-only, so no zod in the bundle) and its zod-free
// enum lists.
import {
  ANNOTATION_TEXT_MAX,
  GROUPS,
  PARTNER_TYPES,
  PLATFORMS,
  WINDOWS,
  WINDOW_MS as ROLLING_MS,
  type GroupName,
  type PartnerType,
  type Platform,
  type WindowName,
} from '@pulseroom/schema/constants';
import { TIERS, type Tier } from '@pulseroom/schema/tiers';

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
  Annotation,
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
  SourceFreshness,
} from '@pulseroom/schema/live';
export type { Metrics } from '@pulseroom/schema/metrics';
export type {
  CommissionsSummary,
  MoneyByState,
  MoneyFigure,
  MoneyState,
  OrderHistory,
  OrderStep,
  PayoutRow,
  PayoutsResponse,
} from '@pulseroom/schema/payouts';
export type { GroupPatch } from '@pulseroom/schema/live';
export type { PartnerType, Tier, Platform };

export const WINDOW_LABELS: Record<WindowName, string> = {
  '1m': '1 min',
  '5m': '5 min',
  '15m': '15 min',
  '1h': '1 hour',
  '24h': '24 hours',
  ctd: 'Campaign to date',
};
/** Compact button labels where space is short (war-room filter bar, manager view). */
export const SHORT_WINDOW_LABELS: Record<WindowName, string> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '1h': '1h',
  '24h': '24h',
  ctd: 'To date',
};
export const WINDOW_MS: Record<WindowName, number | null> = { ...ROLLING_MS, ctd: null };
export { WINDOWS, GROUPS, PARTNER_TYPES, TIERS, PLATFORMS, ANNOTATION_TEXT_MAX };

export function isWindow(v: unknown): v is WindowName {
  return typeof v === 'string' && (WINDOWS as readonly string[]).includes(v);
}
