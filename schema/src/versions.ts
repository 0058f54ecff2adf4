// Monotonic versions for ReplacingMergeTree rows: the newest write wins, even within one millisecond.
let last = 0;
export function nextVersion(now = Date.now()): number {
  const v = Math.max(now * 1000, last + 1);
  last = v;
  return v;
}
