// The TV wall's panel rotation, set in the URL (?panels=kpis,leaders,sentiment,revenue&every=15).
export const WALL_PANELS = ['kpis', 'leaders', 'sentiment', 'revenue'] as const;
export type WallPanel = (typeof WALL_PANELS)[number];

export const DEFAULT_EVERY_S = 15;
export const MIN_EVERY_S = 5;
export const MAX_EVERY_S = 3600;

export interface Rotation {
  panels: WallPanel[];
  everyMs: number;
}

export function parseRotation(search: string | URLSearchParams): Rotation {
  const q = typeof search === 'string' ? new URLSearchParams(search) : search;
  const raw = q.get('panels');
  const panels: WallPanel[] = [];
  for (const p of (raw ?? '').split(',')) {
    const v = p.trim() as WallPanel;
    if ((WALL_PANELS as readonly string[]).includes(v) && !panels.includes(v)) panels.push(v);
  }
  const every = Number(q.get('every'));
  const s = Number.isFinite(every) && every > 0 ? Math.min(MAX_EVERY_S, Math.max(MIN_EVERY_S, every)) : DEFAULT_EVERY_S;
  return { panels: panels.length ? panels : [...WALL_PANELS], everyMs: s * 1000 };
}

/** Index of the panel on screen at `now`, for a rotation started at `start`, and ms until the next change. */
export function panelAt(
  r: Rotation,
  start: number,
  now: number,
): { index: number; panel: WallPanel; nextInMs: number } {
  const n = r.panels.length;
  const elapsed = Math.max(0, now - start);
  const step = Math.floor(elapsed / r.everyMs);
  const index = n ? step % n : 0;
  return { index, panel: r.panels[index], nextInMs: r.everyMs - (elapsed % r.everyMs) };
}
