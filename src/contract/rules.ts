/**
 * The rules every surface shares (the CLI, the HTTP API, the query layer, the dashboard): the
 * intervals of a series, the longest range each may cover, the limits of lists, and the formats of
 * dates. Plain data and pure functions, so that the dashboard's bundle can import them too.
 */

/** The buckets of a series of views. */
export const INTERVALS = ["hour", "day", "week", "month"] as const;
export type Interval = (typeof INTERVALS)[number];

/**
 * Longest ranges. Hours, days and weeks read one day item per UTC day: 31 days of hours, 3 years of
 * days, 5 years of weeks. Months read one month item a month and at most one day item a month (the
 * UTC day in which a local month starts, in a zone whose months do not start at UTC midnight), so
 * 50 years of months read at most ~1,200 small items.
 */
export const MAX_RANGE_DAYS: Record<Interval, number> = {
  hour: 31,
  day: 3 * 366,
  week: 5 * 366,
  month: 50 * 366,
};

/**
 * The longest range of what reads one item (or one query) per UTC day: a breakdown, the pages' views
 * in a range, a page's list of views. The same as a daily series.
 */
export const MAX_DAILY_READ_DAYS = MAX_RANGE_DAYS.day;

/** How far back a range without a start goes, in days: a span that suits the interval. */
export const DEFAULT_SPAN_DAYS: Record<Interval, number> = { hour: 2, day: 30, week: 12 * 7, month: 365 };

/** A list's `limit`: what it is when not given, and the most it may be. */
export interface Limit {
  default?: number;
  max: number;
}

/** Values of a breakdown (`top`, `/breakdown`), largest first. */
export const BREAKDOWN_LIMIT = { default: 10, max: 1000 } as const satisfies Limit;

/** Views of a page's list (`/pagevisitlist`), one page of them at a time. */
export const VISIT_LIMIT = { default: 100, max: 1000 } as const satisfies Limit;

/** Most pages one answer lists with `limit` (`/pagetotals`, paged with a cursor). */
export const TOTALS_PAGE_LIMIT = 10_000;

/** Most pages one answer lists without `limit` (the HTTP API): ~1 MB of JSON, far from Lambda's 6 MB. */
export const WHOLE_TOTALS_PAGES = 20_000;

/** Most pages `/pages` lists with a range: each costs one query of its day counters. */
export const RANGE_PAGES = 1_000;

/** The longest path (a page, a prefix) and cursor the API takes: far above any real one. */
export const MAX_PATH_LENGTH = 2048;
export const MAX_CURSOR_LENGTH = 4096;

/** How a range's ends may be written, for messages. */
export const MOMENT_FORMATS = "a date (YYYY-MM-DD) or an ISO 8601 time with a zone (2024-05-01T10:00:00Z)";

/** An ISO 8601 time with a zone: minutes, seconds and fractions, `Z` or an offset. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date written YYYY-MM-DD; undefined when it is not one (2024-02-30 is not). */
export function parseDate(value: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day));
  return check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? { year, month, day } : undefined;
}

/** An ISO 8601 time with a zone as epoch seconds (fractions dropped); undefined when it is not one. */
export function parseIsoTime(value: string): number | undefined {
  if (!ISO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** An instant as answers write it: ISO 8601 in UTC to the second, `2024-05-01T10:00:00Z`. */
export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}
