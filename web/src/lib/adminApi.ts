// The admin API as the setup console calls it: campaigns, partners, deals, the partner CSV import, ingest sources,
// platform connectors, share links and the audit log. Every change goes through the same zod schemas on the server.
import type { Api } from './api';
import { buildQuery } from './api';

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
