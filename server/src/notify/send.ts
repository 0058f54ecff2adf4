// One outbound POST with retries: 5xx, 429, 408 and network errors are retried with exponential backoff and full
// jitter, a Retry-After (seconds or an HTTP date) is honoured up to a cap; any other answer is final.
import { errorMessage } from '@pulseroom/schema/server';

export interface RetryPolicy {
  maxAttempts: number;
  /** First backoff; each retry doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface SendResult {
  ok: boolean;
  attempts: number;
  /** The last HTTP status (0: no answer). */
  status: number;
  error: string;
}

export interface SendDeps {
  random?: () => number;
  /** Aborted on shutdown: the attempt in flight is cut and no retry follows. */
  signal?: AbortSignal;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** Retry-After in ms, or null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** `request(attempt)` builds each attempt (a webhook is signed afresh, so its timestamp is never stale). */
export async function postWithRetries(
  url: string,
  request: () => { headers: Record<string, string>; body: string },
  policy: RetryPolicy,
  deps: SendDeps = {},
): Promise<SendResult> {
  const random = deps.random ?? Math.random;
  const stop = deps.signal;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      stop?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  let status = 0;
  let error = '';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (stop?.aborted) {
      return { ok: false, attempts: attempt - 1, status, error: `stopped before attempt ${attempt}: ${error}` };
    }
    let wait: number | null = null;
    try {
      const { headers, body } = request();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Pulseroom-Alerts/1', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([...(stop ? [stop] : []), AbortSignal.timeout(policy.timeoutMs)]),
      });
      status = res.status;
      // Read (and drop) the answer so the connection can be reused; only its start is kept for the log.
      const text = (await res.text().catch(() => '')).slice(0, 200);
      if (res.ok) return { ok: true, attempts: attempt, status, error: '' };
      error = `HTTP ${status}${text ? `: ${text}` : ''}`;
      if (!retryable(status)) return { ok: false, attempts: attempt, status, error };
      wait = retryAfterMs(res.headers.get('retry-after'), Date.now());
    } catch (e) {
      status = 0;
      error = errorMessage(e);
    }
    if (attempt === policy.maxAttempts) break;
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    // Full jitter: receivers coming back from an outage are not hit by every sender at once.
    await sleep(wait !== null ? Math.min(wait, policy.maxDelayMs) : Math.round(random() * backoff));
  }
  return { ok: false, attempts: policy.maxAttempts, status, error };
}
