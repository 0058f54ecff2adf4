// Closing the embedded store while a query still runs waits for it: the query answers, then the session closes.
import { describe, expect, it } from 'vitest';
import { openTestStore } from './testing.js';

describe('embedded store close', () => {
  it('lets queries already running finish before it closes the chDB session', async () => {
    const store = await openTestStore();
    const order: string[] = [];
    const slow = store.client
      .query({ query: 'SELECT sleep(1) AS s, 42 AS answer', format: 'JSONEachRow' })
      .finally(() => order.push('query answered'))
      .then((rs) => rs.json<{ answer: number }>());
    await new Promise((r) => setTimeout(r, 50)); // the query is on chDB's threads now
    const closing = store.close().finally(() => order.push('store closed'));
    const [row] = await slow;
    expect(row.answer).toBe(42);
    await closing;
    expect(order).toEqual(['query answered', 'store closed']);
    await expect(store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toThrow();
  });
});
