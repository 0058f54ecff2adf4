// Which ingest sources are late, in words: "Instagram connector: no data for 6 min" (the war room and the wall).
import type { SourceFreshness } from './contract';
import { formatAgo } from './format';

/** The late sources, longest quiet first, each as one line; its name, or its id when it has none. */
export function lateSourceLines(sources: SourceFreshness[], nowMs: number): string[] {
  return sources
    .filter((s) => s.late)
    .sort((a, b) => (a.last_event_at ?? 0) - (b.last_event_at ?? 0))
    .map((s) => {
      const quiet = s.last_event_at === null ? 'no data yet' : `no data for ${formatAgo(nowMs - s.last_event_at)}`;
      return `${s.name || s.source_id}: ${quiet}`;
    });
}
