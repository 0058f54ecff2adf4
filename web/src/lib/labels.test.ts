import { describe, expect, it } from 'vitest';
import { sentimentWhy } from './labels';

describe('sentimentWhy', () => {
  it('names the label and its terms, as text', () => {
    expect(sentimentWhy({ label: 'neg', terms: ['overpriced', '🙄'] })).toBe('negative: overpriced, 🙄');
    expect(sentimentWhy({ label: 'pos', terms: ['slaps'] })).toBe('positive: slaps');
  });

  it('says nothing without terms, or for neutral and unscored comments', () => {
    expect(sentimentWhy({ label: 'neg' })).toBe('');
    expect(sentimentWhy({ label: 'neg', terms: [] })).toBe('');
    expect(sentimentWhy({ label: 'neu', terms: ['spam'] })).toBe('');
    expect(sentimentWhy({ label: 'unscored', terms: ['x'] })).toBe('');
  });
});
