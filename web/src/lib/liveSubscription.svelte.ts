// One live subscription per page: a LiveClient opened once the page knows what to ask for and closed with the
// page, its view and connection status as state, later changes of the request (window, filters, campaign) sent
// on the same socket, and the clock that "updated 0.4 s ago" and the stale banner read.
import { untrack } from 'svelte';
import { LiveClient, type LiveStatus } from './liveClient';
import type { LiveView } from './liveState';
import type { Annotation, CommissionsSummary, SubscribeRequest } from './contract';

export class LiveSubscription {
  view = $state.raw<LiveView | null>(null);
  status = $state.raw<LiveStatus | null>(null);
  /** Commissions by status of the view (campaign to date), pushed by the server. */
  commissions = $state.raw<CommissionsSummary | null>(null);
  now = $state(Date.now());
  private client: LiveClient | null = null;

  /**
   * Must be constructed while a component initialises (it registers effects). `request` is null until known; a new
   * token opens a new client.
   */
  constructor(token: () => string, request: () => SubscribeRequest | null, clockMs = 250) {
    $effect(() => {
      const h = setInterval(() => (this.now = Date.now()), clockMs);
      return () => clearInterval(h);
    });
    const ready = $derived(request() !== null);
    $effect(() => {
      if (!ready) return;
      const c = new LiveClient({
        token: token(),
        request: untrack(request)!,
        onView: (v) => (this.view = v),
        onStatus: (s) => (this.status = s),
        onCommissions: (c) => (this.commissions = c),
      });
      this.client = c;
      return () => {
        c.close();
        this.client = null;
      };
    });
    $effect(() => {
      const r = request();
      if (r) untrack(() => this.client?.setRequest(r));
    });
  }

  ackAlert(id: string): void {
    this.client?.ackAlert(id);
  }

  noteAdded(a: Annotation): void {
    this.client?.noteAdded(a);
  }

  noteRemoved(campaignId: string, id: string): void {
    this.client?.noteRemoved(campaignId, id);
  }
}
