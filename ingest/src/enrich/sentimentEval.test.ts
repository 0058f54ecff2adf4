// Regression guard on the held-out half of the labelled sets: floors a little under the last committed run's figures
// (bench/RESULTS.md), not targets tuned to pass. Raise a floor when a committed run beats it; never lower one quietly.
import { describe, expect, it } from 'vitest';
import {
  describeReports, evaluateCaptions, evaluateComments, labelledCaptions, labelledComments, percent, splitHalves,
} from './sentimentEval.js';

/** Held-out accuracy floors, in percent. */
const FLOORS = {
  overall: 60,
  category: 10,
  disclosure: 85,
};
/** Ceiling on negatives scored positive, in percent of the held-out negatives. */
const NEG_AS_POS_CEILING = 25;

describe('held-out evaluation', () => {
  const comments = labelledComments('holdout');
  const captions = labelledCaptions('holdout');
  const sentiment = evaluateComments(comments);
  const disclosure = evaluateCaptions(captions);
  console.log(`held-out half\n${describeReports(sentiment, disclosure).join('\n')}\nmisses:\n${[...sentiment.misses, ...disclosure.misses].join('\n')}`);

  it('has a held-out half of at least 150 comments and 50 captions, disjoint from the tuning half', () => {
    expect(comments.length).toBeGreaterThanOrEqual(150);
    expect(captions.length).toBeGreaterThanOrEqual(50);
    const tune = new Set(labelledComments('tune').map((c) => c.text));
    expect(comments.some((c) => tune.has(c.text))).toBe(false);
  });

  it('splits the same way every time, each category in two', () => {
    const rows = Array.from({ length: 21 }, (_, i) => ({ i, k: i % 3 === 0 ? 'a' : 'b' }));
    const first = splitHalves(rows, (r) => r.k);
    expect(splitHalves(rows, (r) => r.k)).toEqual(first);
    expect(first.tune.filter((r) => r.k === 'a')).toHaveLength(3);
    expect(first.holdout.filter((r) => r.k === 'a')).toHaveLength(4);
  });

  it('stays above the floors on comments', () => {
    expect(percent(sentiment.overall)).toBeGreaterThanOrEqual(FLOORS.overall);
    for (const [category, tally] of Object.entries(sentiment.byCategory)) {
      expect({ category, accuracy: percent(tally) }).toEqual({ category, accuracy: expect.toSatisfy((p: number) => p >= FLOORS.category) });
    }
    expect(percent(sentiment.negAsPos)).toBeLessThanOrEqual(NEG_AS_POS_CEILING);
  });

  it('stays above the floor on captions', () => {
    expect(percent(disclosure.overall)).toBeGreaterThanOrEqual(FLOORS.disclosure);
  });
});
