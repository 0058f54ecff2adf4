// Regression guard on the held-out half of the labelled sets: floors a little under the last committed run's figures
// (bench/RESULTS.md), not targets tuned to pass. Raise a floor when a committed run beats it; never lower one quietly.
import { describe, expect, it } from 'vitest';
import {
  describeReports,
  evaluateCaptions,
  evaluateComments,
  labelledCaptions,
  labelledComments,
  percent,
  splitHalves,
} from './sentimentEval.js';

/**
 * Held-out floors, in percent: each one miss under the committed run of 2026-12-04 (bench/RESULTS.md: 179/190 =
 * 94.2 % overall, every category 83–100 %, 2 of 98 negatives scored positive, 59/59 captions).
 */
const FLOORS = { overall: 93, disclosure: 100 };
const CATEGORY_FLOORS: Record<string, number> = {
  contrast: 86,
  delivery: 91,
  emoji: 92,
  negation: 84,
  plain: 87,
  price: 88,
  question: 92,
  sarcasm: 77,
  slang: 82,
  spam: 90,
  strong: 92,
  unscorable: 92,
};
/** Ceiling on negatives scored positive, in percent of the held-out negatives (the limit). */
const NEG_AS_POS_CEILING = 3;

describe('held-out evaluation', () => {
  const comments = labelledComments('holdout');
  const captions = labelledCaptions('holdout');
  const sentiment = evaluateComments(comments);
  const disclosure = evaluateCaptions(captions);
  const misses = [...sentiment.misses, ...disclosure.misses];
  console.log(`held-out half\n${describeReports(sentiment, disclosure).join('\n')}\nmisses:\n${misses.join('\n')}`);

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
    expect(Object.keys(sentiment.byCategory).sort()).toEqual(Object.keys(CATEGORY_FLOORS).sort());
    for (const [category, tally] of Object.entries(sentiment.byCategory)) {
      expect({ category, accuracy: percent(tally) }).toEqual({
        category,
        accuracy: expect.toSatisfy((p: number) => p >= CATEGORY_FLOORS[category]),
      });
    }
    expect(percent(sentiment.negAsPos)).toBeLessThanOrEqual(NEG_AS_POS_CEILING);
  });

  it('stays above the floor on captions', () => {
    expect(percent(disclosure.overall)).toBeGreaterThanOrEqual(FLOORS.disclosure);
  });
});
