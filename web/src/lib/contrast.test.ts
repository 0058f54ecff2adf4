// Every text/background pair of design tokens the app uses meets WCAG 2.2 AA (4.5:1 for text; 3:1 for large text
// and UI parts), in the light and the dark theme: badges and chips, buttons, tabs and the faint meta lines included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrast, tokensOf } from './contrast';

const css = readFileSync(new URL('../app.css', import.meta.url), 'utf8');
const light = tokensOf(css, ':root');
const dark = { ...light, ...tokensOf(css, ":root[data-theme='dark']") };

/** [text, background, minimum ratio]: a token name, or a literal colour (the button and tab text). */
const TEXT_ON = ['text', 'muted', 'faint', 'accent', 'bad'] as const;
const SURFACES = ['bg', 'surface', 'surface-2'] as const;
const PAIRS: [string, string, number][] = [
  ...TEXT_ON.flatMap((t) => SURFACES.map((b): [string, string, number] => [t, b, 4.5])),
  ['muted', 'neutral-soft', 4.5], // a badge's default text
  ['faint', 'neutral-soft', 4.5],
  ['neutral', 'neutral-soft', 4.5],
  ['good', 'good-soft', 4.5], // badges and trend chips
  ['bad', 'bad-soft', 4.5],
  ['warn', 'warn-soft', 4.5],
  ['accent', 'accent-soft', 4.5],
  ['text', 'good-soft', 4.5], // messages on a tinted box
  ['text', 'bad-soft', 4.5],
  ['on-warn', 'warn', 4.5], // the stale-data banner
  ['good', 'surface', 4.5],
  ['warn', 'surface', 4.5],
  ['border', 'surface', 1], // decorative: no minimum
];

describe.each([
  ['light', light, '#ffffff'],
  ['dark', dark, '#06121c'],
] as const)('%s theme', (_name, tokens, onAccent) => {
  const colour = (k: string) => (k.startsWith('#') ? k : tokens[k]);
  it.each(PAIRS)('%s on %s ≥ %d:1', (fg, bg, min) => {
    expect(colour(fg), fg).toMatch(/^#[0-9a-f]{6}$/);
    expect(colour(bg), bg).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrast(colour(fg), colour(bg))).toBeGreaterThanOrEqual(min);
  });
  it('the text of a primary button and a chosen tab on the accent', () => {
    expect(contrast(onAccent, tokens.accent)).toBeGreaterThanOrEqual(4.5);
  });
  it('UI parts (the accent of focus rings and borders of chosen controls) ≥ 3:1 on the page', () => {
    for (const bg of SURFACES) expect(contrast(tokens.accent, tokens[bg])).toBeGreaterThanOrEqual(3);
  });
});

describe('contrast', () => {
  it('is the WCAG ratio', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
  });
});
