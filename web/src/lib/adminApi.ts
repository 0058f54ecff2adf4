// The admin API as the setup console calls it: campaigns, partners, deals, the partner CSV import, ingest sources,
// platform connectors, share links and the audit log. Every change goes through the same zod schemas on the server.
import type { Api } from './api';
import { buildQuery, payoutsCsvPath } from './api';
import type { PayoutRow, PayoutsResponse } from './contract';

export type DimensionKind = 'campaigns' | 'partners' | 'deals';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total: number;
}

export interface CampaignDoc {
  id: string;
  name: string;
  brand: string;
  start: number | string;
  end: number | string;
  timezone: string;
  currency: string;
  budget: number;
  /** Below it a partner's payout is carried into the next period (major units). */
  min_payout?: number;
  status?: 'draft' | 'live' | 'ended';
  goals: { revenue?: number; clicks?: number; er?: number };
}

export interface PartnerDoc {
  id: string;
  handle: string;
  display_name: string;
  platforms: string[];
  followers: number;
  type: string;
  manager_id?: string;
  accounts?: { platform: string; handle: string; followers: number }[];
}

export interface TrackingLinkDoc {
  code: string;
  destination: string;
  platform?: string;
}

export interface DealDoc {
  id: string;
  partner_id: string;
  campaign_id: string;
  fixed_fee: number;
  commission_percent: number;
  commission_flat: number;
  commission_tiers?: { threshold: number; percent: number }[];
  attribution_window_days: number;
  /** Days approved commission stays locked before it is payable. */
  lock_days?: number;
  links: TrackingLinkDoc[];
  promo_codes: string[];
}

export interface ImportPlan {
  rows: { row: number; id: string; action: 'create' | 'update' | 'unchanged'; partner: PartnerDoc }[];
  errors: { row: number; column: string; message: string }[];
  summary: { create: number; update: number; unchanged: number; errors: number };
  imported: number;
}

export interface SourceInfo {
  id: string;
  name: string;
  campaign_ids: string[];
  revoked: boolean;
  /** When it last sent an accepted event (epoch ms; null: not in the last 30 days). */
  last_event_at: number | null;
}

/** An alert channel as the admin API shows it: the URL and secret only as hints. */
export interface AlertChannelInfo {
  id: string;
  campaign_id: string;
  name: string;
  type: 'slack' | 'webhook';
  kinds: string[];
  min_severity: 'info' | 'warning' | 'critical';
  enabled: boolean;
  url_hint: string;
  secret_hint: string | null;
}

export interface DeliveryInfo {
  alert_id: string;
  kind: string;
  status: string;
  attempts: number;
  http_status: number;
  error: string;
  at: number;
}

export interface ShareLink {
  id: string;
  role: 'admin' | 'viewer' | 'manager' | 'wall';
  campaign_ids: string[];
  manager_id: string;
  label: string;
  revoked: boolean;
  expires_at: number | null;
  created_at: string;
  last_used_at: string | null;
}

export interface QuotaPlanInfo {
  budget_units_per_day: number;
  wanted_units_per_day: number;
  planned_units_per_day: number;
  stretch: number;
  used_today: number;
}

/** A platform connector as the admin API shows it (never its credential). */
export interface ConnectorInfo {
  id: string;
  platform: 'youtube' | 'instagram' | 'tiktok';
  name: string;
  partner_id: string | null;
  account_id: string | null;
  campaign_ids: string[];
  status: 'active' | 'needs_reauth';
  status_message: string | null;
  status_at: number;
  posts: number;
  last_event_at: number | null;
  quota: QuotaPlanInfo | null;
}

export interface ConnectorPostInfo {
  id: string;
  platform: string;
  url: string;
  url_id: string;
  media_id: string | null;
  campaign_id: string;
  partner_id: string;
  published_at: number | null;
  registered_at: number;
  status: 'polling' | 'deleted' | 'not_found';
  status_message: string | null;
}

export interface AuditEntry {
  id: string;
  at: number;
  token_label: string;
  action: string;
  kind: string;
  target_id: string;
  detail: string;
}

const path = (kind: DimensionKind, id?: string) =>
  `/api/admin/${kind}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

export class AdminApi {
  constructor(private readonly api: Api) {}

  list = <T>(kind: DimensionKind, q: { limit?: number; cursor?: string; q?: string; campaign_id?: string } = {}) =>
    this.api.send<Page<T>>('GET', `${path(kind)}${buildQuery(q)}`);
  get = <T>(kind: DimensionKind, id: string) => this.api.send<T>('GET', path(kind, id));
  put = (kind: DimensionKind, id: string, doc: unknown, confirmGoals = false) =>
    this.api.send<{ id: string; created: boolean }>(
      'PUT',
      `${path(kind, id)}${confirmGoals ? '?confirm=goals' : ''}`,
      doc,
    );
  remove = (kind: DimensionKind, id: string) => this.api.send<{ id: string; deleted: true }>('DELETE', path(kind, id));

  importPartners = (csv: string, confirm: boolean) =>
    this.api.send<ImportPlan>('POST', `/api/admin/partners/import?confirm=${confirm}`, csv, 'text/csv');
  sampleCsv = () => this.api.text('/api/admin/partners/import');
  exportPartners = () => this.api.downloadCsv('/api/admin/partners.csv', 'pulseroom-partners.csv');

  sources = () => this.api.send<SourceInfo[]>('GET', '/api/admin/sources');
  createSource = (name: string, campaignIds: string[]) =>
    this.api.send<{ id: string; key: string }>('POST', '/api/admin/sources', { name, campaign_ids: campaignIds });
  revokeSource = (id: string) => this.api.send('DELETE', `/api/admin/sources/${encodeURIComponent(id)}`);

  payouts = (campaignId: string, periodEnd: number) => this.api.payouts(campaignId, periodEnd);
  markPaid = (campaignId: string, periodEnd: number, reference: string) =>
    this.api.send<{ rows: PayoutRow[] }>('POST', `/api/admin/campaigns/${encodeURIComponent(campaignId)}/payouts`, {
      period_end: periodEnd,
      reference,
    });
  downloadPayouts = (r: Pick<PayoutsResponse, 'campaign_id' | 'period_end'>) =>
    this.api.downloadCsv(
      payoutsCsvPath(r.campaign_id, r.period_end),
      `${r.campaign_id}-payouts-${new Date(r.period_end).toISOString().slice(0, 10)}.csv`,
    );

  channels = (campaignId: string) =>
    this.api
      .send<{ items: AlertChannelInfo[] }>('GET', `/api/admin/alert-channels${buildQuery({ campaign_id: campaignId })}`)
      .then((r) => r.items);
  putChannel = (id: string, body: Record<string, unknown>) =>
    this.api.send<AlertChannelInfo & { created: boolean; secret?: string }>(
      'PUT',
      `/api/admin/alert-channels/${encodeURIComponent(id)}`,
      body,
    );
  deleteChannel = (id: string) => this.api.send('DELETE', `/api/admin/alert-channels/${encodeURIComponent(id)}`);
  testChannel = (id: string) =>
    this.api.send<{ ok: true; status: number }>('POST', `/api/admin/alert-channels/${encodeURIComponent(id)}/test`);
  deliveries = (id: string) =>
    this.api
      .send<{ items: DeliveryInfo[] }>('GET', `/api/admin/alert-channels/${encodeURIComponent(id)}/deliveries`)
      .then((r) => r.items);
  connectors = () => this.api.send<ConnectorInfo[]>('GET', '/api/admin/connectors');
  connect = (req: {
    platform: ConnectorInfo['platform'];
    credential: string;
    partner_id?: string;
    account_id?: string;
  }) => this.api.send<{ id: string; name: string }>('POST', '/api/admin/connectors', req);
  replaceCredential = (id: string, credential: string) =>
    this.api.send('PUT', `/api/admin/connectors/${encodeURIComponent(id)}/credentials`, { credential });
  connectorPosts = (id: string) =>
    this.api.send<ConnectorPostInfo[]>('GET', `/api/admin/connectors/${encodeURIComponent(id)}/posts`);
  registerPost = (id: string, req: { url: string; campaign_id: string; partner_id?: string }) =>
    this.api.send<ConnectorPostInfo>('POST', `/api/admin/connectors/${encodeURIComponent(id)}/posts`, req);
  removePost = (id: string, postId: string) =>
    this.api.send('DELETE', `/api/admin/connectors/${encodeURIComponent(id)}/posts/${encodeURIComponent(postId)}`);

  links = () => this.api.send<ShareLink[]>('GET', '/api/admin/tokens');
  createLink = (req: {
    role: ShareLink['role'];
    campaign_ids?: string[];
    manager_id?: string;
    label: string;
    expires_at?: string;
  }) => this.api.send<{ id: string; token: string; expires_at: number | null }>('POST', '/api/admin/tokens', req);
  revokeLink = (id: string) => this.api.send('DELETE', `/api/admin/tokens/${encodeURIComponent(id)}`);

  audit = (before?: number) =>
    this.api.send<{ entries: AuditEntry[]; next_before: number | null }>(
      'GET',
      `/api/admin/audit${buildQuery({ limit: 100, before })}`,
    );
}
