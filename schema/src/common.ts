// Small zod building blocks shared by events and dimensions.
import { z } from 'zod';
import { PLATFORMS, type Platform } from './constants.js';

/** A type error's message: "required" when the field is missing, else what was expected. */
export const expected = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required' : message;

/** Identifiers of campaigns, partners, deals, links: readable slugs. */
export const slugId = z
  .string({ error: 'expected a string id' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'expected an id of 1–64 letters, digits, ".", "_", ":" or "-"');

/** Free text without control characters (newlines and tabs allowed). */
export function text(max: number) {
  return (
    z
      .string({ error: 'expected a string' })
      .max(max, `expected at most ${max} characters`)
      .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'control characters are not allowed')
      // A lone UTF-16 surrogate (JSON "\ud800") has no UTF-8 form: stored, it would silently become U+FFFD.
      .refine(
        (s) => !/\p{Cs}/u.test(s),
        'expected well-formed Unicode: a lone surrogate (e.g. "\\ud800") cannot be stored',
      )
  );
}

export { PLATFORMS, type Platform } from './constants.js';
export const platform = z.enum(PLATFORMS, { error: `expected one of ${PLATFORMS.join(', ')}` });

/** Platforms that report no reach or no saves: their events must not claim them. */
export const PLATFORMS_WITHOUT_REACH: ReadonlySet<Platform> = new Set(['tiktok', 'x', 'twitch', 'blog', 'podcast']);
export const PLATFORMS_WITHOUT_SAVES: ReadonlySet<Platform> = new Set([
  'tiktok',
  'youtube',
  'x',
  'twitch',
  'blog',
  'newsletter',
  'podcast',
]);

const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);
/** Whether epoch ms fall in the years every time of the schema must (2000 up to 2100). */
export const inTimeBounds = (ms: number) => ms >= MIN_TS && ms < MAX_TS;

/** Event time: ISO-8601 with a zone, or epoch milliseconds → epoch ms. */
export const timestamp = z
  .union(
    [
      z.number({ error: 'expected epoch milliseconds' }).int('expected whole epoch milliseconds'),
      z.iso.datetime({
        offset: true,
        error: 'expected an ISO-8601 date-time with a time zone, e.g. 2026-11-25T10:00:00Z',
      }),
    ],
    { error: 'expected an ISO-8601 date-time or epoch milliseconds' },
  )
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .refine(inTimeBounds, 'expected a time between 2000 and 2100');

/** ISO date-time → epoch ms, for dimension dates. */
export const isoDateTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO-8601 date-time with a time zone' })
  .transform((v) => Date.parse(v))
  .refine(inTimeBounds, 'expected a date between 2000 and 2100');

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as "Europe/Berlin"');

export const count = z
  .number({ error: 'expected a number ≥ 0' })
  .int('expected a whole number')
  .min(0, 'expected a number ≥ 0')
  .max(1e12, 'expected a number ≤ 1e12');

export const money = z
  .number({ error: 'expected a number ≥ 0' })
  .min(0, 'expected a number ≥ 0')
  .max(1e10, 'expected an amount ≤ 10,000,000,000');

export const percent = z
  .number({ error: 'expected a percentage' })
  .min(0, 'expected a number ≥ 0')
  .max(100, 'expected a number ≤ 100');
