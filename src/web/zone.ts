/**
 * The dashboard's time zone: the site's (its visitors are counted in its days), or another one the
 * viewer picks. Every date, "today" and tick is in it, whatever the browser's own zone.
 */

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Whether the browser knows a zone by this name. */
export function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const parts = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a zone. */
function wall(ms: number, tz: string): { y: number; m: number; d: number; h: number; min: number } {
  let format = parts.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    parts.set(tz, format);
  }
  const f = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  return { y: f.year, m: f.month, d: f.day, h: f.hour, min: f.minute };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offset(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min) - (ms - (((ms % 60000) + 60000) % 60000));
}

/** The instant a local date (YYYY-MM-DD) begins in a zone (its first minute, across a change of time too). */
export function startOf(date: string, tz: string): number {
  const local = Date.parse(`${date}T00:00:00Z`);
  const guess = local - offset(local, tz);
  return local - offset(guess, tz);
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function dateIn(ms: number, tz: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(ms);
}
