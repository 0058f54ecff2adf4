// Checks shared by the fault tests: exactly-once by SQL, and waiting.
import { expect } from 'vitest';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every acknowledged id stored exactly once, nothing stored that was never sent. */
export function expectExactlyOnce(
  rows: { event_id: string; n: number }[],
  acked: Iterable<string>,
  sent: Set<string>,
): void {
  const counts = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
  expect([...acked].filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
  expect(rows.filter((r) => !sent.has(r.event_id))).toEqual([]);
}
