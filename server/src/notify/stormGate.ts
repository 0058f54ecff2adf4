// Per-channel storm grouping and rate limit: within a window, the first alert of each kind goes at once (at most
// `maxPerWindow` messages); the rest are held and go as one summary when the window ends, which opens the next window.
import type { Alert } from '@pulseroom/schema';

interface ChannelWindow {
  start: number;
  sent: number;
  kinds: Set<Alert['kind']>;
  held: Alert[];
  timer: NodeJS.Timeout | null;
}

export class StormGate {
  private windows = new Map<string, ChannelWindow>();

  constructor(
    private readonly opts: {
      windowMs: number;
      maxPerWindow: number;
      clock: () => number;
      /** A window ended with alerts held: they go as one summary. */
      onSummary: (channelId: string, alerts: Alert[]) => void;
    },
  ) {}

  /** 'send' now, or 'held' for the window's summary. */
  offer(channelId: string, alert: Alert): 'send' | 'held' {
    const now = this.opts.clock();
    let w = this.windows.get(channelId);
    if (!w || (w.held.length === 0 && now - w.start >= this.opts.windowMs)) {
      w = { start: now, sent: 0, kinds: new Set(), held: [], timer: null };
      this.windows.set(channelId, w);
    }
    if (!w.kinds.has(alert.kind) && w.sent < this.opts.maxPerWindow) {
      w.kinds.add(alert.kind);
      w.sent++;
      return 'send';
    }
    w.held.push(alert);
    w.timer ??= setTimeout(() => this.flush(channelId), Math.max(0, w.start + this.opts.windowMs - now));
    return 'held';
  }

  private flush(channelId: string): void {
    const w = this.windows.get(channelId);
    if (!w || w.held.length === 0) return;
    if (w.timer) clearTimeout(w.timer);
    // The summary is this window's one message so far: a storm that goes on is summed up again a window later.
    const kinds = new Set(w.held.map((a) => a.kind));
    this.windows.set(channelId, { start: this.opts.clock(), sent: 1, kinds, held: [], timer: null });
    this.opts.onSummary(channelId, w.held);
  }

  /** Sends every held summary now (shutdown, tests). */
  flushAll(): void {
    for (const id of [...this.windows.keys()]) this.flush(id);
  }

  stop(): void {
    for (const w of this.windows.values()) if (w.timer) clearTimeout(w.timer);
    this.windows.clear();
  }
}
