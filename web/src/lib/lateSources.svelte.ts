// The campaign's ingest sources, polled in the background: the war room and the wall name the ones that went quiet.
import type { Api } from './api';
import type { SourceFreshness } from './contract';
import { pollEvery } from './polling';

export class SourceFreshnessPoll {
  sources = $state.raw<SourceFreshness[]>([]);

  /** Must be constructed while a component initialises. */
  constructor(api: () => Api, campaignId: () => string, everyMs = 30_000) {
    $effect(() => {
      const client = api();
      const id = campaignId();
      // Errors keep the last answer: the stale banner already says when the server is unreachable.
      return pollEvery(everyMs, async (stopped) => {
        const r = await client.sources(id);
        if (!stopped()) this.sources = r;
      });
    });
  }
}
