import { instantOf, isValidZone, localDate } from "../query/zone.js";

/**
 * The dashboard's time zone: the site's (its visitors are counted in its days), or another one the
 * viewer picks. Every date, "today" and tick is in it, whatever the browser's own zone. The zone
 * arithmetic is the API's own (query/zone.ts), in milliseconds here.
 */

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Whether the browser knows a zone by this name. */
export const validZone = isValidZone;

/** The instant a local date (YYYY-MM-DD) begins in a zone (its first minute, across a change of time too). */
export function startOf(date: string, tz: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return instantOf(y, m, d, 0, tz) * 1000;
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function dateIn(ms: number, tz: string): string {
  return localDate(Math.floor(ms / 1000), tz);
}
