// Goal pacing: where a campaign-to-date figure stands against its goal and where it lands at the end at the current run
// rate.
export interface Pacing {
  current: number;
  goal: number;
  /** current / goal, 0…∞. */
  progress: number;
  /** Share of the campaign's run elapsed, 0…1. */
  elapsed: number;
  /** Where the figure should be now for a straight line to the goal. */
  expectedNow: number;
  /** End-of-campaign figure at the run rate to date; null before any time has passed. */
  projected: number | null;
  /** projected / goal; null when not projectable. */
  projectedRatio: number | null;
  status: 'ahead' | 'on-track' | 'behind' | 'reached' | 'not-started' | 'ended' | 'early';
}

/** The band around 100 % of the straight-line expectation counted as on track. */
const ON_TRACK = 0.95;

export function pacing(current: number, goal: number, start: number, end: number, now: number): Pacing | null {
  if (!(goal > 0) || !(end > start)) return null;
  const span = end - start;
  const elapsedMs = Math.min(Math.max(now - start, 0), span);
  const elapsed = elapsedMs / span;
  const expectedNow = goal * elapsed;
  // Projection needs a meaningful slice of time, or a minute of data becomes a wild guess: a fifth of a percent of
  // the run, at most 15 minutes (a 30-day launch projects after 15 minutes, a 2-day flash sale after 6).
  const projected = elapsedMs >= Math.min(span * 0.002, 900_000) && elapsedMs > 0 ? (current * span) / elapsedMs : null;
  const progress = current / goal;
  let status: Pacing['status'];
  if (current >= goal) status = 'reached';
  else if (now < start) status = 'not-started';
  else if (now >= end) status = 'ended';
  else if (projected === null) status = 'early';
  else if (projected >= goal * 1.05) status = 'ahead';
  else if (projected >= goal * ON_TRACK) status = 'on-track';
  else status = 'behind';
  return {
    current,
    goal,
    progress,
    elapsed,
    expectedNow,
    projected,
    projectedRatio: projected === null ? null : projected / goal,
    status,
  };
}

export const PACING_LABEL: Record<Pacing['status'], string> = {
  ahead: 'Ahead of pace',
  'on-track': 'On track',
  behind: 'Behind pace',
  reached: 'Goal reached',
  'not-started': 'Not started',
  ended: 'Campaign ended',
  early: 'Too early to tell',
};
