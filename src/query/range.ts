import { UserError } from "../errors.js";
import type { Interval } from "./views.js";
import { instantOf } from "./zone.js";

const DEFAULT_SPAN: Record<Interval, number> = { hour: 2, day: 30, week: 12 * 7, month: 365 };

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
    from === undefined ? end - DEFAULT_SPAN[interval] * 86400 : parseMoment(from, tz, `${dashes}from`, false);
  return { from: start, to: end };
}

export function parseMoment(value: string, tz: string, what: string, endOfDay: boolean): number {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const [y, m, d] = date.slice(1).map(Number);
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCMonth() !== m - 1) throw new UserError(`${what} "${value}" is not a date`);
    const day = endOfDay ? new Date(check.getTime() + 86400000) : check;
    return instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, tz);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new UserError(
    `${what} "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone (2024-05-01T10:00:00Z)`,
  );
}
