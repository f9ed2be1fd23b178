import {
  DEFAULT_SPAN_DAYS,
  type Interval,
  MOMENT_FORMATS,
  parseDate,
  parseIsoTime,
} from "../contract/rules.js";
import { UserError } from "../errors.js";
import { instantOf } from "./zone.js";

/**
 * The range of a query, as the CLI and the HTTP API read it: dates are local days in `tz` (a `to`
 * date includes that day), ISO 8601 times are taken as given, and a missing `from` goes back a span
 * that suits the interval.
 */
export function resolveRange(
  from: string | undefined,
  to: string | undefined,
  interval: Interval,
  tz: string,
  /** How the user wrote the parameters: `--` on the command line, nothing in a URL. */
  dashes = "--",
): { from: number; to: number } {
  const end = to === undefined ? Math.floor(Date.now() / 1000) : parseMoment(to, tz, `${dashes}to`, true);
  const start =
    from === undefined
      ? end - DEFAULT_SPAN_DAYS[interval] * 86400
      : parseMoment(from, tz, `${dashes}from`, false);
  return { from: start, to: end };
}

export function parseMoment(value: string, tz: string, what: string, endOfDay: boolean): number {
  const date = parseDate(value);
  if (date) {
    const start = new Date(Date.UTC(date.year, date.month - 1, date.day + (endOfDay ? 1 : 0)));
    return instantOf(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), 0, tz);
  }
  const time = parseIsoTime(value);
  if (time !== undefined) return time;
  throw new UserError(`${what} "${value}" is not ${MOMENT_FORMATS}`);
}
