// Stale-data detection and reconnect backoff: the wall must say when its figures stopped moving, and retry without
// hammering the server.
export const STALE_AFTER_MS = 10_000;

export function isStale(now: number, lastUpdate: number | null, thresholdMs = STALE_AFTER_MS): boolean {
  if (lastUpdate === null) return false;
  return now - lastUpdate > thresholdMs;
}

/** Exponential backoff with full jitter bounds: 1 s, 2 s, 4 s … capped, reset after a success. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}
  /** Delay before the next attempt: between half and all of base·2^n, capped. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
  reset(): void {
    this.attempt = 0;
  }
  get attempts(): number {
    return this.attempt;
  }
}

export type Health = 'connecting' | 'live' | 'stale' | 'offline';

export interface HealthInput {
  now: number;
  connected: boolean;
  lastUpdate: number | null;
  everConnected: boolean;
}

/** What the live indicator and the stale banner say. */
export function healthOf(h: HealthInput, thresholdMs = STALE_AFTER_MS): Health {
  if (h.lastUpdate === null) return h.everConnected && !h.connected ? 'offline' : 'connecting';
  if (isStale(h.now, h.lastUpdate, thresholdMs)) return 'stale';
  if (!h.connected) return 'offline';
  return 'live';
}
