// One call to a platform's API: timed out, read as JSON, classified (rate limited, unavailable, quota, refused
// credential, gone) and logged with its cost — and the backoff a failure earns.
import type { PollLogRow } from '@pulseroom/schema/server';

/** What a failed call means for the connector: wait and retry, wait for the quota day, re-authorise, or drop a post. */
export type CallFailure = 'rate_limited' | 'unavailable' | 'quota' | 'auth' | 'not_found' | 'rejected';

export class PlatformError extends Error {
  constructor(
    readonly failure: CallFailure,
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null = null,
    /** The platform's own name for it (YouTube's `commentsDisabled`, Instagram's `190`), for callers that care. */
    readonly reason = '',
  ) {
    super(message);
  }
}

/** How a platform says what went wrong: its failure kind and message from the status and the JSON body. */
export type Classify = (status: number, body: unknown) => { failure: CallFailure; message: string; reason?: string };

export interface CallSpec {
  endpoint: string;
  url: string;
  init?: RequestInit;
  /** Its cost: YouTube quota units, or 1 for a platform that counts calls. */
  units: number;
  postIds: string[];
  classify: Classify;
}

export interface CallDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  clock: () => number;
  sourceId: string;
  platform: string;
  /** Every call made, in order: the runner writes them to the poll log. */
  log: PollLogRow[];
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3), as milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 15 * 60_000;

/**
 * The wait after the n-th failure in a row: exponential, with "equal jitter" (half fixed, half random) so connectors
 * that failed together do not retry together, and never shorter than the platform's Retry-After.
 */
export function backoffMs(failures: number, retryAfter: number | null, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.max(Math.round(exp / 2 + random() * (exp / 2)), retryAfter ?? 0);
}

/** Makes the call; the JSON body on success, a PlatformError otherwise. Each attempt lands in `deps.log`. */
export async function callPlatform(deps: CallDeps, spec: CallSpec): Promise<unknown> {
  const t0 = performance.now();
  const row: PollLogRow = {
    at: deps.clock(),
    source_id: deps.sourceId,
    platform: deps.platform,
    endpoint: spec.endpoint,
    post_ids: spec.postIds,
    units: spec.units,
    http_status: 0,
    outcome: 'ok',
    duration_ms: 0,
    events: 0,
    retry_after_ms: 0,
    error: '',
  };
  deps.log.push(row);
  const done = (status: number, outcome: string, error = '') => {
    row.http_status = status;
    row.outcome = outcome;
    row.error = error.slice(0, 500);
    row.duration_ms = Math.round(performance.now() - t0);
  };
  let res: Response;
  let text: string;
  try {
    res = await deps.fetch(spec.url, { ...spec.init, signal: AbortSignal.timeout(deps.timeoutMs) });
    text = await res.text();
  } catch (e) {
    const message = e instanceof Error && e.name === 'TimeoutError' ? `no answer in ${deps.timeoutMs} ms` : String(e);
    done(0, 'unavailable', message);
    throw new PlatformError('unavailable', 0, `${spec.endpoint}: ${message}`);
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // an HTML error page from a proxy: classified by its status alone
  }
  if (res.ok && body !== null && typeof body === 'object') {
    done(res.status, 'ok');
    return body;
  }
  const { failure, message, reason } = res.ok
    ? { failure: 'unavailable' as const, message: 'the answer was not a JSON object', reason: '' }
    : spec.classify(res.status, body);
  const wait = retryAfterMs(res.headers.get('retry-after'), deps.clock());
  done(res.status, failure, message);
  row.retry_after_ms = wait ?? 0;
  throw new PlatformError(failure, res.status, `${spec.endpoint}: ${message}`, wait, reason ?? '');
}

/** The common classification by status, for what a platform's own error codes do not say otherwise. */
export function byStatus(status: number): CallFailure {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 401) return 'auth';
  if (status === 404 || status === 410) return 'not_found';
  return 'rejected';
}
