// REST calls to the dashboard API with the bearer token; CSV downloads go through fetch + Blob so the token never lands
// in a URL.
import type {
  Alert,
  Annotation,
  CampaignInfo,
  CommissionsSummary,
  OrderHistory,
  PartnerDetail,
  PayoutsResponse,
  SeriesResponse,
  SummaryResponse,
  WhoAmI,
  WindowName,
  GroupName,
} from './contract';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields the server named, each with what is wrong with it. */
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

export function buildQuery(params: Record<string, string | number | string[] | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let fields: { path: string; message: string }[] = [];
  try {
    const body = await res.json();
    const e = body?.error ?? body;
    if (typeof e?.code === 'string') code = e.code;
    if (typeof e?.message === 'string') message = e.message;
    if (Array.isArray(e?.fields))
      fields = e.fields.filter((f: unknown) => typeof (f as { path?: unknown })?.path === 'string');
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, code, message, fields);
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly fetchFn: Fetch = (...a) => fetch(...a),
    private readonly base = '',
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        ...init,
        headers: { ...(init.headers ?? {}), Authorization: `Bearer ${this.token}` },
      });
    } catch (e) {
      throw new ApiError(
        0,
        'network',
        'The server cannot be reached. Check your connection; the page retries on its own.',
      );
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  /** Any JSON call (the admin API): a body object is sent as JSON; a string as it is, with its content type. */
  send<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'Content-Type': contentType };
    }
    return this.json<T>(path, init);
  }

  /** A text answer (a sample CSV). */
  async text(path: string): Promise<string> {
    return (await this.request(path)).text();
  }

  me = () => this.json<WhoAmI>('/api/me');
  campaigns = () => this.json<CampaignInfo[]>('/api/campaigns');
  summary = (id: string, window: WindowName, group: GroupName) =>
    this.json<SummaryResponse>(`/api/campaigns/${encodeURIComponent(id)}/summary${buildQuery({ window, group })}`);
  series = (id: string, from: number, to: number) =>
    this.json<SeriesResponse>(`/api/campaigns/${encodeURIComponent(id)}/series${buildQuery({ from, to })}`);
  /** Without a campaign the server picks the first campaign of the token's scope that has a deal with the partner. */
  partner = (id: string, campaignId?: string) =>
    this.json<PartnerDetail>(
      `/api/partners/${encodeURIComponent(id)}${buildQuery({ campaign_id: campaignId || undefined })}`,
    );
  /** Commissions by status (campaign to date) of the partners the token sees, or of one partner. */
  commissions = (id: string, partnerId?: string) =>
    this.json<CommissionsSummary>(
      `/api/campaigns/${encodeURIComponent(id)}/commissions${buildQuery({ partner_id: partnerId })}`,
    );
  orders = (id: string, partnerId: string, limit = 50) =>
    this.json<OrderHistory[]>(
      `/api/campaigns/${encodeURIComponent(id)}/orders${buildQuery({ partner_id: partnerId, limit })}`,
    );
  payouts = (id: string, periodEnd?: number, partnerId?: string) =>
    this.json<PayoutsResponse>(
      `/api/campaigns/${encodeURIComponent(id)}/payouts${buildQuery({ period_end: periodEnd, partner_id: partnerId })}`,
    );
  alerts = (id: string) => this.json<Alert[]>(`/api/campaigns/${encodeURIComponent(id)}/alerts`);
  addAnnotation = (campaignId: string, body: { text: string; partner_id?: string }) =>
    this.send<Annotation>('POST', `/api/campaigns/${encodeURIComponent(campaignId)}/annotations`, body);
  removeAnnotation = (id: string) => this.send<Annotation>('DELETE', `/api/annotations/${encodeURIComponent(id)}`);
  ackAlert = async (id: string) => {
    await this.request(`/api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST' });
  };

  /** Fetches a CSV with the token in the header and hands it to the browser as a file download. */
  async downloadCsv(path: string, filename: string): Promise<void> {
    const res = await this.request(path, { headers: { Accept: 'text/csv' } });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export function payoutsCsvPath(campaignId: string, periodEnd: number): string {
  return `/api/campaigns/${encodeURIComponent(campaignId)}/payouts.csv${buildQuery({ period_end: periodEnd })}`;
}

export function exportPath(
  campaignId: string,
  window: WindowName,
  group: GroupName,
  filter?: { type?: string[]; tier?: string[]; platform?: string[] },
  partnerId?: string,
): string {
  return `/api/campaigns/${encodeURIComponent(campaignId)}/export.csv${buildQuery({ window, group, type: filter?.type, tier: filter?.tier, platform: filter?.platform, partner_id: partnerId })}`;
}

export function seriesCsvPath(
  campaignId: string,
  from: number,
  to: number,
  filter?: { type?: string[]; tier?: string[]; platform?: string[] },
  partnerId?: string,
): string {
  return `/api/campaigns/${encodeURIComponent(campaignId)}/series.csv${buildQuery({ from, to, type: filter?.type, tier: filter?.tier, platform: filter?.platform, partner_id: partnerId })}`;
}

export function csvFilename(campaignId: string, what: string, window: string, now = Date.now()): string {
  const stamp = new Date(now).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return `pulseroom-${campaignId}-${what}-${window}-${stamp}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}
