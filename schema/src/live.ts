// The live contract between server and web: windows, groups, snapshot/delta payloads and the typed Socket.IO event
// maps.
import type { CommissionsSummary } from './payouts.js';
import { z } from 'zod';
import type { Metrics, TOTAL_FIELDS } from './metrics.js';
import type { Disclosure, SentimentLabel } from './events.js';
import {
  ANNOTATION_TEXT_MAX,
  GROUPS,
  PARTNER_TYPES,
  PLATFORMS,
  WINDOWS,
  type GroupName,
  type PartnerType,
  type WindowName,
} from './constants.js';
import { TIERS, type Tier } from './tiers.js';
import type { Role } from './dimensions.js';
import { slugId, text, timestamp } from './common.js';

export {
  ANNOTATION_TEXT_MAX,
  WINDOWS,
  WINDOW_MS,
  GROUPS,
  windowRangeEndingAt,
  type WindowName,
  type GroupName,
} from './constants.js';
export const windowName = z.enum(WINDOWS, { error: `expected a window: ${WINDOWS.join(', ')}` });

export const groupName = z.enum(GROUPS, { error: `expected a group: ${GROUPS.join(', ')}` });

/** Group key of events without a partner (e.g. unattributed conversions) and of a type/tier that is unknown. */
export const UNATTRIBUTED_KEY = '';

/**
 * One row of a breakdown: the group's key (partner id, type, tier, platform, or "all"), current and previous window.
 */
export interface GroupRow {
  key: string;
  metrics: Metrics;
  /** The previous window of the same length (null for campaign-to-date). */
  previous: Metrics | null;
}

export interface SeriesPoint {
  /** Bucket start, epoch ms. */
  t: number;
  views: number;
  interactions: number;
  clicks: number;
  unique_clicks: number;
  conversions: number;
  revenue_minor: number;
  comments_n: number;
  pos_n: number;
  neg_n: number;
  neu_n: number;
}

export interface PartnerInfo {
  id: string;
  handle: string;
  display_name: string;
  type: PartnerType;
  tier: Tier;
  followers: number;
  platforms: string[];
  manager_id: string;
}

export interface CampaignInfo {
  id: string;
  name: string;
  brand: string;
  start: number;
  end: number;
  timezone: string;
  currency: string;
  budget_minor: number;
  goals: { revenue_minor: number | null; clicks: number | null; er: number | null };
}

export interface CommentItem {
  event_id: string;
  ts: number;
  partner_id: string;
  platform: string;
  content_id: string;
  text: string;
  sentiment: number;
  label: SentimentLabel;
  lang: string;
  /** the terms that weighed most in the label ("overpriced", "🙄"); absent from feeds written before they were kept */
  terms?: string[];
}

export interface PostItem {
  event_id: string;
  ts: number;
  partner_id: string;
  platform: string;
  content_id: string;
  url: string;
  caption: string;
  disclosure: Disclosure;
}

export const ALERT_KINDS = [
  'sentiment_swing',
  'engagement_spike',
  'engagement_drop',
  'click_spike',
  'goal_reached',
  'disclosure_missing',
  'unattributed_rising',
  'connector_reauth',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  id: string;
  campaign_id: string;
  partner_id: string; // '' for campaign-wide alerts
  kind: AlertKind;
  severity: 'info' | 'warning' | 'critical';
  /** Why it fired, in words a marketer reads: "Net sentiment fell from +62 to −18 in 15 min (140 comments)". */
  message: string;
  ts: number;
  acknowledged: boolean;
}

/** A note the war room put on the charts by hand ("creator X went live on stage"). */
export interface Annotation {
  id: string;
  campaign_id: string;
  /** The partner it is about; '' for a campaign-wide note (shown to every view of the campaign). */
  partner_id: string;
  /** Where it stands on the charts (epoch ms, the app's event-time clock). */
  ts: number;
  /** Plain text, one line, at most ANNOTATION_TEXT_MAX characters: rendered as text, never as markup. */
  text: string;
  /** Who wrote it: the label of their link, else its role. */
  author: string;
}

/** POST /api/campaigns/:id/annotations */
export const annotationRequest = z.object({
  text: text(4 * ANNOTATION_TEXT_MAX)
    // One line on a chart: runs of whitespace (newlines too) become one space.
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .refine((s) => s.length > 0, "expected the note's text")
    .refine((s) => [...s].length <= ANNOTATION_TEXT_MAX, `expected at most ${ANNOTATION_TEXT_MAX} characters`),
  partner_id: slugId.optional(),
  /** Default: now. */
  ts: timestamp.optional(),
});
export type AnnotationRequest = z.infer<typeof annotationRequest>;

export interface Snapshot {
  campaign_id: string;
  window: WindowName;
  /** Server time the figures are as of (epoch ms). */
  at: number;
  /** Increases with each snapshot/delta of this subscription; a gap means resubscribe. */
  seq: number;
  campaign: CampaignInfo;
  /** Partners this socket may see (a manager sees only theirs). */
  partners: PartnerInfo[];
  groups: Record<GroupName, GroupRow[]>;
  /** End (exclusive, epoch ms) of the window the figures cover: the window is [window_end − its length, window_end). */
  window_end: number;
  /** Partner id → its fixed fee as this view sees it: partner rows' fee shares follow from it and `window_end`. */
  fee_terms: Record<string, FeeTerm>;
  /** Last hour at 10 s buckets. */
  series: SeriesPoint[];
  comments: CommentItem[];
  posts: PostItem[];
  alerts: Alert[];
  /** Notes of the view's partners and campaign-wide ones, newest first (the last 24 h, at most 200). */
  annotations: Annotation[];
  /** The campaign's ingest sources and which are late; pushed again (`sources`) when one turns late or recovers. */
  sources: SourceFreshness[];
}

/**
 * Only what changed since the previous message. `groups`: rows new to the receiver (or whose previous window appeared
 * or went), complete; they replace rows with the same key. `patches` (applied after `groups`, with `patchRows`): only
 * the base fields that moved in rows the receiver holds — counts after new data, fee_minor of aggregate rows as a
 * window slides over deals' runs — from which the receiver recomputes the derived metrics (rates, cost, ROAS, CPA…).
 * Partner rows' fee shares are not sent as the window slides: the receiver derives them from `fee_terms` and
 * `window_end`.
 */
export interface Delta {
  campaign_id: string;
  window: WindowName;
  at: number;
  seq: number;
  groups: Partial<Record<GroupName, GroupRow[]>>;
  patches?: Partial<Record<GroupName, GroupPatch>>;
  /** The window's end now; when it moved, the receiver recomputes its partner rows' fee shares from their fee terms. */
  window_end: number;
  /** Fee terms that changed or are new (a deal edited, a partner with new data), applied before that recomputation. */
  fee_terms?: Record<string, FeeTerm>;
  series: SeriesPoint[];
  /** The server's wall clock (epoch ms) when it pushed this delta; `at` is the tick's clock, before its read. */
  sent_at?: number;
}

export const subscribeRequest = z.object({
  campaign_id: z.string().min(1, 'expected a campaign_id').max(64),
  window: windowName.default('5m'),
  /** Narrow to one partner, or to the caller's own partners ("mine", managers). */
  partner_id: z.string().min(1).max(64).optional(),
  mine: z.boolean().optional(),
  /** Narrow every figure (KPIs, breakdowns, series) to partners of these types / tiers and to these platforms. */
  filter: z
    .object({
      type: z.array(z.enum(PARTNER_TYPES)).max(4).optional(),
      tier: z.array(z.enum(TIERS)).max(4).optional(),
      platform: z.array(z.enum(PLATFORMS)).max(PLATFORMS.length).optional(),
    })
    .optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequest>;

export interface Ack {
  ok: boolean;
  error?: { code: string; message: string };
}

export interface WhoAmI {
  role: Role;
  campaign_ids: string[];
  manager_id: string;
  /** The link's label: for an account manager's link, the manager's name (greeted by it instead of their id). */
  label: string;
}

export interface ServerToClientEvents {
  /** The snapshot packed for the wire: `unpackSnapshot` (snapshotWire.ts) gives the Snapshot back. */
  snapshot: (s: WireSnapshot) => void;
  delta: (d: Delta) => void;
  alert: (a: Alert) => void;
  comment: (c: CommentItem & { campaign_id: string }) => void;
  post: (p: PostItem & { campaign_id: string }) => void;
  /** Commissions by status for the socket's view of the campaign: after the snapshot, then when they change. */
  commissions: (c: CommissionsSummary) => void;
  /** A note added (or the same id again: it replaces the held one). */
  annotation: (a: Annotation) => void;
  annotation_removed: (r: { campaign_id: string; id: string }) => void;
  /** Every source of the campaign, sent when one turned late or recovered (or the list of sources changed). */
  sources: (s: { campaign_id: string; sources: SourceFreshness[] }) => void;
  error: (e: { code: string; message: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack?: (a: Ack) => void) => void;
  unsubscribe: (req: { campaign_id: string }, ack?: (a: Ack) => void) => void;
  ack_alert: (req: { alert_id: string }, ack?: (a: Ack) => void) => void;
}

// ---- REST responses (GET /api/...) ----

/** GET /api/campaigns/:id/summary?window=5m&group=partner */
export interface SummaryResponse {
  campaign_id: string;
  window: WindowName;
  group: GroupName;
  at: number;
  currency: string;
  rows: GroupRow[];
}

/** GET /api/campaigns/:id/series?from=&to=&bucket= (bucket chosen for the range when omitted) */
export interface SeriesResponse {
  campaign_id: string;
  from: number;
  to: number;
  bucket_ms: number;
  points: SeriesPoint[];
}

/** GET /api/campaigns/:id/sources: each ingest source that may send for the campaign, and whether it is late. */
export interface SourceFreshness {
  source_id: string;
  /** The source's name as the admin gave it ("Instagram connector"); '' when unnamed. */
  name: string;
  /** When it last sent an accepted event (epoch ms, 30 days back at most); null: nothing yet. */
  last_event_at: number | null;
  /** Its expected cadence: no event for longer than this and it is late. */
  expected_every_ms: number;
  late: boolean;
}

/** GET /api/partners/:id?campaign_id= */
export interface PartnerDetail {
  partner: PartnerInfo;
  campaign_id: string;
  windows: Partial<Record<WindowName, GroupRow>>;
  posts: PostItem[];
  comments: CommentItem[];
  alerts: Alert[];
}

// ---- what travels: row patches, fee terms and the packed snapshot (their logic: rowPatch.ts, snapshotWire.ts) ----

/** The fields every other metric derives from (through computeMetrics): a patch carries only these. */
export type BaseField = (typeof TOTAL_FIELDS)[number] | 'followers' | 'fee_minor' | 'fee_committed_minor';

/**
 * The moved base fields of a group's held rows, field by field: field → row key → new value. Field-major because a
 * window sliding over fixed fees moves the one field fee_minor of every row; new data moves a few counts of a few rows.
 */
export type FieldPatch = Partial<Record<BaseField, Record<string, number>>>;

/** A group's patch: the current window's fields and the previous window's (never sent for campaign-to-date). */
export interface GroupPatch {
  metrics?: FieldPatch;
  previous?: FieldPatch;
}

/**
 * A partner's fixed fee as one view sees it: the fee (minor units), the deal's run (epoch ms), and the share of the
 * partner's platforms the view's filter shows. With the window's end it gives the partner row's fee share, so a window
 * sliding over the run moves no partner row on the wire (the receiver recomputes it with `withPartnerFees`).
 */
export type FeeTerm = [feeMinor: number, runStart: number, runEnd: number, shown: number];

/**
 * A breakdown row: its key, its metrics' values in `WireSnapshot.metric_fields` order, the previous window's (or null).
 */
export type PackedRow = [key: string, metrics: (number | null)[], previous: (number | null)[] | null];

/** The snapshot as it travels: breakdown rows and series points as arrays of values under one list of field names. */
export interface WireSnapshot extends Omit<Snapshot, 'groups' | 'series'> {
  /** Names of the values in every packed row, in order. */
  metric_fields: string[];
  groups: Record<GroupName, PackedRow[]>;
  /** Names of the values in every series point, in order. */
  series_fields: string[];
  series: number[][];
}
