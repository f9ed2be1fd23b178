/**
 * What a range is compared with. A range that has ended is compared with the as many days before it;
 * one still running (it holds "now") with the same elapsed span of those days, cut at the start of
 * the current hour on both sides (the API counts whole hours); all time with nothing.
 */

import { addDays, spanDays } from "./state.js";
import { startOf } from "./zone.js";

export interface Comparison {
  /** The range's side: the whole range, or up to the cut when it is running. */
  now: { from: string; to: string };
  previous: { from: string; to: string };
  /** The previous period as the dashboard names it: "vs yesterday until 10:00". */
  label: string;
  /** Set when the range is running: both sides end this long after their start (ms). */
  elapsed?: number;
}

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The comparison of a range, or why there is none. */
export function compare(
  range: { from: string; to: string; tz: string; allTime: boolean },
  now = Date.now(),
): Comparison | { none: string } {
  if (range.allTime) return { none: "All time has no previous period." };
  const { from, to, tz } = range;
  const days = spanDays(from, to);
  const start = startOf(from, tz);
  const before = addDays(from, -days);
  const what = days === 1 ? "the day before" : `the previous ${days} days`;
  if (now >= startOf(addDays(to, 1), tz))
    return { now: { from, to }, previous: { from: before, to: addDays(from, -1) }, label: `vs ${what}` };
  if (now < start) return { none: "The range has not begun." };
  const cut = Math.floor(now / HOUR) * HOUR;
  if (cut <= start) return { none: "Compared from the end of the range's first hour." };
  const elapsed = cut - start;
  const previousStart = startOf(before, tz);
  const until = new Intl.DateTimeFormat(undefined, {
    timeZone: tz,
    hour: "numeric",
    minute: "2-digit",
    ...(days === 1 ? {} : { weekday: "short", day: "numeric", month: "short" }),
  }).format(previousStart + elapsed);
  return {
    now: { from: iso(start), to: iso(cut) },
    previous: { from: iso(previousStart), to: iso(previousStart + elapsed) },
    label: `vs ${days === 1 ? "yesterday" : what} until ${until}`,
    elapsed,
  };
}
