// Language detection skips tinyld (the costliest step) when cue words leave no doubt, and only then.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('tinyld', async (importOriginal) => {
  const real = await importOriginal<typeof import('tinyld')>();
  return {
    ...real,
    detectAll: (text: string) => {
      calls.n += 1;
      return real.detectAll(text);
    },
  };
});
const { scoreComment } = await import('./sentiment.js');

beforeEach(() => {
  calls.n = 0;
});

describe('language detection fast path', () => {
  it('an ASCII text made of English cue words is English without tinyld', () => {
    expect(scoreComment('honestly this is the best thing i have ever bought')).toMatchObject({
      lang: 'en',
      label: 'pos',
    });
    expect(scoreComment('still waiting for my order after three weeks')).toMatchObject({ lang: 'en', label: 'neg' });
    expect(calls.n).toBe(0);
  });

  it("the sender's language is taken without tinyld when its cue words outnumber every other language's", () => {
    expect(scoreComment('me encanta este vestido, es muy bonito', 'es')).toMatchObject({ lang: 'es', label: 'pos' });
    expect(scoreComment('Das ist wirklich sehr schön und ich liebe es', 'de')).toMatchObject({
      lang: 'de',
      label: 'pos',
    });
    expect(calls.n).toBe(0);
  });

  it('a hint the words contradict is not taken', () => {
    expect(scoreComment('this is honestly the best collab', 'es').lang).toBe('en');
    expect(calls.n).toBe(0);
  });

  it('asks tinyld when the words are not conclusive', () => {
    expect(scoreComment('Beznadziejna jakość, nie polecam')).toMatchObject({ label: 'unscored' });
    expect(scoreComment('dit is echt heel mooi gemaakt')).toMatchObject({ label: 'unscored' });
    expect(calls.n).toBe(2);
  });
});
