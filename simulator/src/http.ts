// The thin HTTP layer: POST /v1/events with backoff, GET /r/:code without following the redirect,
// and conversion postbacks. Nothing here knows about the launch.

export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; path: string; message: string }>;
}

export interface HttpOptions {
  baseUrl: string;
  sourceKey: string;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  /** Attempts before giving up on a request (429, 503, network errors). */
  maxAttempts?: number;
  /** First backoff, doubled on each retry up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RetryCounters {
  rateLimited: number;
  unavailable: number;
  network: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Retry-After in seconds or as an HTTP date → ms (capped), or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.min(60_000, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.min(60_000, Math.max(0, at - now));
}

export class IngestClient {
  readonly retries: RetryCounters = { rateLimited: 0, unavailable: 0, network: 0 };
  private readonly base: string;

  constructor(private readonly opts: HttpOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** Sends a request again on 429 (backing off), 503 (after Retry-After) and network errors. */
  private async withRetry(what: string, send: () => Promise<Response>): Promise<Response> {
    const max = this.opts.maxAttempts ?? 8;
    let backoff = this.opts.backoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      let res: Response | null = null;
      try {
        res = await send();
      } catch (err) {
        if (this.opts.signal?.aborted) throw err;
        this.retries.network++;
        if (attempt >= max)
          throw new HttpFailure(`${what}: ${(err as Error).message} (gave up after ${attempt} attempts)`, 0);
        this.opts.log?.(`${what}: ${(err as Error).message}; retrying in ${backoff} ms`);
      }
      if (res) {
        if (res.status !== 429 && res.status !== 503) return res;
        const wait = retryAfterMs(res.headers.get('retry-after'));
        if (res.status === 429) this.retries.rateLimited++;
        else this.retries.unavailable++;
        await res.body?.cancel();
        if (attempt >= max)
          throw new HttpFailure(`${what}: HTTP ${res.status} (gave up after ${attempt} attempts)`, res.status);
        const delay = wait ?? backoff;
        this.opts.log?.(`${what}: HTTP ${res.status}; retrying in ${delay} ms`);
        await sleep(delay, this.opts.signal);
      } else await sleep(backoff, this.opts.signal);
      if (this.opts.signal?.aborted) throw new HttpFailure(`${what}: aborted`, 0);
      backoff = Math.min(this.opts.maxBackoffMs ?? 15_000, backoff * 2);
    }
  }

  /** POST /v1/events; throws HttpFailure on an answer other than 200 (after retries). */
  async postEvents(events: unknown[]): Promise<BatchAnswer> {
    const body = JSON.stringify({ events });
    const res = await this.withRetry(`POST /v1/events (${events.length} events)`, () =>
      fetch(`${this.base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.sourceKey}` },
        body,
        signal: this.opts.signal,
      }),
    );
    const text = await res.text();
    if (res.status !== 200)
      throw new HttpFailure(`POST /v1/events: HTTP ${res.status} ${text.slice(0, 300)}`, res.status);
    const answer = JSON.parse(text) as Partial<BatchAnswer>;
    return { accepted: answer.accepted ?? 0, duplicates: answer.duplicates ?? 0, rejected: answer.rejected ?? [] };
  }

  /** GET /r/:code as a browser would, without following the redirect; the click id comes from Location. */
  async hitLink(
    code: string,
    userAgent: string,
    referrer?: string,
  ): Promise<{ status: number; clickId: string | null; location: string | null }> {
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'en-US,en;q=0.9',
    };
    if (referrer) headers.referer = referrer;
    const res = await this.withRetry(`GET /r/${code}`, () =>
      fetch(`${this.base}/r/${encodeURIComponent(code)}`, { headers, redirect: 'manual', signal: this.opts.signal }),
    );
    await res.body?.cancel();
    const location = res.headers.get('location');
    return { status: res.status, location, clickId: clickIdFrom(location, this.base) };
  }

  /** GET /v1/postback with the source key as a query parameter; returns the status and the parsed answer, if any. */
  async postback(
    params: Record<string, string | number | undefined>,
  ): Promise<{ status: number; answer: BatchAnswer | null }> {
    const q = new URLSearchParams({ key: this.opts.sourceKey });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    const res = await this.withRetry(`GET /v1/postback`, () =>
      fetch(`${this.base}/v1/postback?${q}`, { signal: this.opts.signal }),
    );
    const text = await res.text();
    let answer: BatchAnswer | null = null;
    try {
      const j = JSON.parse(text) as Partial<BatchAnswer>;
      if (typeof j.accepted === 'number')
        answer = { accepted: j.accepted, duplicates: j.duplicates ?? 0, rejected: j.rejected ?? [] };
    } catch {
      // not JSON: the status says enough
    }
    return { status: res.status, answer };
  }
}

/** The click_id query parameter of a redirect's Location (absolute or relative), or null. */
export function clickIdFrom(location: string | null, base = 'http://localhost'): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).searchParams.get('click_id');
  } catch {
    return null;
  }
}
