// Calendar days in a campaign's own time zone (Intl only, so the browser and the server share it): where a day
// starts and ends, and which day an instant falls on.

/** The zone's offset at an instant: what its wall clock reads, minus UTC's (ms). */
function offsetAt(ms: number, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return (
    Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) -
    ms
  );
}

/** The instant (epoch ms) a wall-clock time in the zone is, e.g. midnight of a day. */
function zonedInstant(wallMs: number, timeZone: string): number {
  const first = wallMs - offsetAt(wallMs, timeZone);
  return wallMs - offsetAt(first, timeZone);
}

/** The calendar day an instant falls on in a time zone (YYYY-MM-DD). */
export function dayInZone(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** Midnight in the zone of the day `ms` falls on, plus `days` calendar days (epoch ms). */
export function startOfZonedDay(ms: number, timeZone: string, days = 0): number {
  const [y, m, d] = dayInZone(ms, timeZone).split('-').map(Number);
  return zonedInstant(Date.UTC(y, m - 1, d + days), timeZone);
}

/** The instant a calendar day starts (or, with `endOfDay`, its last second) in a time zone, as ISO-8601 UTC. */
export function zonedDayBoundary(day: string, timeZone: string, endOfDay = false): string {
  const [y, m, d] = day.split('-').map(Number);
  const ms = zonedInstant(Date.UTC(y, m - 1, d + (endOfDay ? 1 : 0)), timeZone) - (endOfDay ? 1000 : 0);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
