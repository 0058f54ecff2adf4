// What a provider's webhook becomes: our conversion and refund events (so attribution and commission apply as to any
// other), or a topic we do not read; and the small readers every provider's mapping shares.
import type { FieldError } from '@pulseroom/schema';
import type { PostbackEvent } from '../postbacks.js';

/** Events each with the fields of the payload that were missing or of the wrong type (which reject it, by name). */
export type ProviderResult = { kind: 'events'; converted: PostbackEvent[] } | { kind: 'ignored'; topic: string };

/** Every event of one payload carries the payload's issues; a payload that made none still reports them. */
export const withIssues = (events: Record<string, unknown>[], issues: FieldError[]): ProviderResult => ({
  kind: 'events',
  converted:
    events.length === 0 && issues.length > 0 ? [{ event: {}, issues }] : events.map((event) => ({ event, issues })),
});

/** Reads fields of a provider's JSON, noting each one missing or of the wrong type by its path. */
export class FieldReader {
  readonly issues: FieldError[] = [];

  /** An object at `path` (`(root)` for the body); {} and an issue when it is not one. */
  object(value: unknown, path: string, required = true): Record<string, unknown> {
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    if (required || (value !== undefined && value !== null))
      this.issues.push({ path, message: 'expected a JSON object' });
    return {};
  }

  /** An array at `path`; [] when absent, and an issue when present with another type. */
  list(value: unknown, path: string): unknown[] {
    if (Array.isArray(value)) return value;
    if (value !== undefined && value !== null) this.issues.push({ path, message: 'expected an array' });
    return [];
  }

  /** An id (providers send numbers or strings) as text; undefined and an issue when required and absent. */
  id(value: unknown, path: string, required = true): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (required || (value !== undefined && value !== null))
      this.issues.push({ path, message: 'expected an id (a string or a whole number)' });
    return undefined;
  }

  /** Text when present (undefined when absent or empty); an issue when of another type. */
  text(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    this.issues.push({ path, message: 'expected a string' });
    return undefined;
  }

  /** A decimal amount, sent as a number or as its text ("19.99", as Shopify does); an issue otherwise. */
  decimal(value: unknown, path: string, required = true): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
    if (required || (value !== undefined && value !== null))
      this.issues.push({ path, message: 'expected a decimal amount such as "19.99"' });
    return undefined;
  }
}

/** The click id in a landing URL's query (`?click_id=…`, as our tracking links append it), relative or absolute. */
export function clickIdOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'https://landing.invalid').searchParams.get('click_id') ?? undefined;
  } catch {
    return undefined; // a landing URL that does not parse carries no click id we can trust
  }
}

export const dropUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
