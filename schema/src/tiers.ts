// The partner tier rule, derived from followers, in one place.
export const TIERS = ['nano', 'micro', 'macro', 'mega'] as const;
export type Tier = (typeof TIERS)[number];

/** nano < 10K ≤ micro < 100K ≤ macro < 1M ≤ mega */
export function tierOf(followers: number): Tier {
  if (followers < 10_000) return 'nano';
  if (followers < 100_000) return 'micro';
  if (followers < 1_000_000) return 'macro';
  return 'mega';
}
