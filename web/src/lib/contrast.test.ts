// Every text/background pair of colour tokens the app draws meets WCAG 2.2 AA in the light and the dark theme.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrastRatio, luminance, tokensOf } from './contrast';

const css = readFileSync(new URL('../app.css', import.meta.url), 'utf8');
const light = tokensOf(css, ':root');
const themes = { light, dark: { ...light, ...tokensOf(css, ":root[data-theme='dark']") } };

const TEXT = 4.5;
const UI = 3;
const surfaces = ['bg', 'surface', 'surface-2'];
/** [foreground token, background token, minimum ratio]; where each is drawn is in the comment beside it. */
const pairs: [string, string, number][] = [
  // Body text, labels, comment meta lines, leaderboard platform lists, manager-card details, links, trend chips.
  ...['text', 'muted', 'faint', 'accent', 'good', 'bad', 'neutral'].flatMap((fg) =>
    surfaces.map((bg): [string, string, number] => [fg, bg, TEXT]),
  ),
  // Badges and chips: text on their own tint.
  ['good', 'good-soft', TEXT],
  ['bad', 'bad-soft', TEXT],
  ['warn', 'warn-soft', TEXT],
  ['accent', 'accent-soft', TEXT],
  ['neutral', 'neutral-soft', TEXT],
  ['muted', 'neutral-soft', TEXT],
  ['faint', 'neutral-soft', TEXT],
  ...['influencer', 'affiliate', 'ambassador', 'hybrid'].map((t): [string, string, number] => [
    `type-${t}`,
    `type-${t}-soft`,
    TEXT,
  ]),
  // Text on a filled colour: primary buttons, the chosen window, the stale banner.
  ['on-accent', 'accent', TEXT],
  ['on-warn', 'warn', TEXT],
  // UI parts: the focus ring, alert edges, the live dot.
  ...surfaces.map((bg): [string, string, number] => ['accent', bg, UI]),
  ...surfaces.map((bg): [string, string, number] => ['warn', bg, UI]),
  ...surfaces.map((bg): [string, string, number] => ['bad', bg, UI]),
];

describe('colour tokens', () => {
  for (const [theme, tokens] of Object.entries(themes)) {
    it.each(pairs)(`${theme}: --%s on --%s reaches %s:1`, (fg, bg, min) => {
      expect(tokens[fg], `--${fg} is declared`).toBeDefined();
      expect(tokens[bg], `--${bg} is declared`).toBeDefined();
      expect(contrastRatio(tokens[fg], tokens[bg])).toBeGreaterThanOrEqual(min);
    });
  }
});

describe('contrastRatio', () => {
  it('gives the WCAG extremes and a known middle value', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#abc', '#abc')).toBe(1);
  });
  it('rejects a colour it cannot read', () => {
    expect(() => luminance('rgb(0,0,0)')).toThrow(/not #rgb/);
  });
});
