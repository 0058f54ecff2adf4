// Click enrichment: bot flag (isbot's maintained list), device class, keyed visitor hash and the IAB unique-click rule.
import { isbot } from 'isbot';
import type { ClickEvent } from '@pulseroom/schema';
import { keyedHash } from '@pulseroom/schema/server';
import type { IngestRow, IngestState } from '../state.js';

export type DeviceClass = 'desktop' | 'mobile' | 'tablet' | 'bot' | 'other';

/** Device class from a user agent; bots first, tablets before phones (an iPad UA has "Mobile" in it). */
export function deviceClass(userAgent: string | undefined): DeviceClass {
  if (!userAgent) return 'other';
  if (isbot(userAgent)) return 'bot';
  if (/iPad|Tablet|PlayBook|Silk|Kindle|Nexus (7|9|10)|SM-T\d|Android(?!.*Mobile)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|Windows Phone|BlackBerry|Opera Mini/i.test(userAgent)) return 'mobile';
  if (/Windows NT|Macintosh|X11|Linux|CrOS/i.test(userAgent)) return 'desktop';
  return 'other';
}

/** User agents repeat a lot (a few thousand cover most traffic): their bot flag and class, remembered. */
const uaClasses = new Map<string, DeviceClass>();
const MAX_CACHED_AGENTS = 5000;

/** `deviceClass`, from memory for a user agent seen recently (isbot's regex is the costliest step of a click). */
export function cachedDeviceClass(userAgent: string | undefined): DeviceClass {
  if (!userAgent) return 'other';
  let c = uaClasses.get(userAgent);
  if (c === undefined) {
    c = deviceClass(userAgent);
    if (uaClasses.size >= MAX_CACHED_AGENTS) uaClasses.clear(); // bounded; refilled by the agents still in use
    uaClasses.set(userAgent, c);
  }
  return c;
}

/** Fills the click columns of `row` (already carrying the common fields). */
export function enrichClick(e: ClickEvent, row: IngestRow, ctx: { state: IngestState; hashKey: string }): IngestRow {
  const uaClass = cachedDeviceClass(e.user_agent);
  const bot = e.device === 'bot' || uaClass === 'bot';
  row.link_code = e.link_code;
  row.click_id = e.click_id ?? '';
  row.utm_source = e.utm_source ?? row.utm_source;
  row.utm_medium = e.utm_medium ?? row.utm_medium;
  row.utm_campaign = e.utm_campaign ?? row.utm_campaign;
  row.utm_content = e.utm_content ?? row.utm_content;
  row.utm_term = e.utm_term ?? row.utm_term;
  row.referrer = e.referrer ?? '';
  row.device = bot ? 'bot' : (e.device ?? uaClass);
  row.visitor_hash = e.visitor ? keyedHash(ctx.hashKey, e.visitor) : '';
  row.bot = bot ? 1 : 0;
  // Without a visitor we cannot tell repeats apart: each such click counts as its own visitor.
  row.is_unique = bot
    ? 0
    : row.visitor_hash
      ? ctx.state.isUniqueClick(row.visitor_hash, row.link_code, row.ts)
        ? 1
        : 0
      : 1;
  return row;
}
