// Campaign-to-date totals of a campaign, polled in the background for goal pacing while the screen shows another
// window.
import type { Api } from './api';
import type { Metrics } from './contract';
import { pollEvery } from './polling';

export class CampaignToDate {
  metrics = $state.raw<Metrics | null>(null);

  /**
   * Must be constructed while a component initialises. Polls every `everyMs` unless `skip()` (the live view already is
   * campaign-to-date).
   */
  constructor(api: () => Api, campaignId: () => string, skip: () => boolean, everyMs = 10_000) {
    $effect(() => {
      if (skip()) return;
      const client = api();
      const id = campaignId();
      // Errors keep the last figures: pacing is not worth an error banner.
      return pollEvery(everyMs, async (stopped) => {
        const r = await client.summary(id, 'ctd', 'campaign');
        if (!stopped()) this.metrics = (r.rows.find((x) => x.key === 'all') ?? r.rows[0])?.metrics ?? null;
      });
    });
  }
}
