import type { Series } from "../contract/answers.js";
import { type Interval, MAX_RANGE_DAYS } from "../contract/rules.js";
import { SITE_KEY } from "../counters/registry.js";
import { UserError } from "../errors.js";
import { type DayCount, readDayHours, readDays, readDayTotals, readVisitorDays } from "../store/counts.js";
import type { Store } from "../store/store.js";
import { instantOf, isoInZone, isValidZone, localDate, localTime } from "./zone.js";

/** The counters kept as series of days: a page, the whole site, its bots, the bytes it served. */
type SeriesCounter = "page" | "site" | "bots" | "served";

export { INTERVALS, type Interval, MAX_RANGE_DAYS } from "../contract/rules.js";

export interface ViewsQuery {
  /** A page path, or undefined for the whole site. */
  page?: string;
  /** The site's page requests from bots instead of its views (no page then). */
  bots?: boolean;
  /** Epoch seconds; `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  interval: Interval;
  tz: string;
  /** The site's time zone, whose days visitors are counted in (store/meta.ts; UTC if left out). */
  siteTimeZone?: string;
}

/**
 * A page's (or the site's) views over time, from the day counters (each with its 24 hours), never
 * from raw views. Buckets are local hours, days, ISO weeks (from Monday) or months in `tz`; every
 * bucket of the range is present, empty ones with 0. A UTC hour counts in the bucket its start falls
 * in, which is exact for every zone whose offset is a whole number of hours. Visitors are counted per
 * day of the site's time zone, so they are answered only for buckets made of whole such days (days,
 * weeks and months in that zone): they come from the month counters, a dozen small items for a
 * year. Months of views come from the month counters too (monthsOverTime).
 */
export async function viewsOverTime(store: Store, site: string, q: ViewsQuery): Promise<Series> {
  if (!isValidZone(q.tz))
    throw new UserError(`unknown time zone "${q.tz}"; use an IANA name such as Europe/Paris or UTC`);
  if (!(q.to > q.from)) throw new UserError("the range is empty: `to` must be after `from`");
  if ((q.to - q.from) / 86400 > MAX_RANGE_DAYS[q.interval]) {
    const series = { hour: "an hourly", day: "a daily", week: "a weekly", month: "a monthly" }[q.interval];
    throw new UserError(
      `${series} series covers at most ${MAX_RANGE_DAYS[q.interval]} days; narrow the range or use a longer interval`,
    );
  }
  const bounds = bucketStarts(q.from, q.to, q.interval, q.tz);
  const counts = new Array<number>(bounds.length - 1).fill(0);
  if (q.bots && q.page) throw new UserError("bots are counted for the whole site: leave out the page");
  const [counter, key]: [SeriesCounter, string] = q.bots
    ? ["bots", SITE_KEY]
    : q.page
      ? ["page", q.page]
      : ["site", SITE_KEY];
  const [from, to] = [bounds[0], bounds[bounds.length - 1]];
  const withVisitors = !q.bots && q.interval !== "hour" && q.tz === (q.siteTimeZone ?? "UTC");
  // The whole site's answer has the bytes it served beside its views.
  const bytes = q.page || q.bots ? undefined : new Array<number>(counts.length).fill(0);
  const count = (counter: SeriesCounter, into: number[]) =>
    q.interval === "month"
      ? addMonths(store, site, counter, key, bounds, into)
      : daysOverlapping(store, site, counter, key, from, to).then((days) => {
          for (const day of days) addHours(day, bounds, into);
        });
  const [, visitorDays] = await Promise.all([
    Promise.all([count(counter, counts), bytes && count("served", bytes)]),
    withVisitors
      ? readVisitorDays(
          store,
          site,
          q.page ? "pageVisitors" : "visitors",
          key,
          localDate(from, q.tz),
          localDate(to - 1, q.tz),
        )
      : undefined,
  ]);
  const visitors = new Array<number>(counts.length).fill(0);
  for (const [day, n] of visitorDays ?? []) {
    const start = instantOf(
      Number(day.slice(0, 4)),
      Number(day.slice(5, 7)),
      Number(day.slice(8, 10)),
      0,
      q.tz,
    );
    if (start >= from && start < to) visitors[bucketOf(bounds, start)] += n;
  }
  const points = counts.map((views, i) => ({
    t: isoInZone(bounds[i], q.tz),
    views,
    ...(withVisitors ? { visitors: visitors[i] } : {}),
    ...(bytes ? { bytes: bytes[i] } : {}),
  }));
  return {
    page: q.page ?? null,
    ...(q.bots ? { bots: true as const } : {}),
    interval: q.interval,
    tz: q.tz,
    from: isoInZone(from, q.tz),
    to: isoInZone(to, q.tz),
    points,
    total: counts.reduce((a, b) => a + b, 0),
    ...(withVisitors ? { visitors: visitors.reduce((a, b) => a + b, 0) } : {}),
    ...(bytes ? { bytes: bytes.reduce((a, b) => a + b, 0) } : {}),
  };
}

function utcDay(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 10);
}

/** The UTC day counts (with their hours) of a counter's key that overlap [from, to). */
async function daysOverlapping(
  store: Store,
  site: string,
  counter: SeriesCounter,
  key: string,
  from: number,
  to: number,
): Promise<DayCount[]> {
  // Local days straddle UTC days: one UTC day more on each side.
  const firstDay = new Date((from - 86400) * 1000).toISOString().slice(0, 10);
  const lastDay = new Date((to + 86400) * 1000).toISOString().slice(0, 10);
  return (await readDays(store, site, counter, key, firstDay, lastDay)).days;
}

/**
 * Adds a series' views to buckets of whole local months (`bounds`) from its month items, which hold
 * one slot per UTC day: a UTC day that lies within one bucket counts whole. Only a UTC day in which a
 * bucket starts after midnight (every local month in a zone that is not at UTC+0 then) needs its
 * hours: its day item is read, only when the month item says it has views. So a month costs one
 * month item and at most one day item, whatever the length of the range, and the counts are exactly
 * those of the hours (an hour counts in the bucket its start falls in).
 */
async function addMonths(
  store: Store,
  site: string,
  counter: SeriesCounter,
  key: string,
  bounds: number[],
  counts: number[],
): Promise<void> {
  const [from, to] = [bounds[0], bounds[bounds.length - 1]];
  const split = new Set(bounds.filter((b) => b % 86400 !== 0).map(utcDay));
  const { days } = await readDayTotals(store, site, counter, key, utcDay(from), utcDay(to - 1));
  const needHours: string[] = [];
  for (const { day, views } of days) {
    if (split.has(day)) {
      needHours.push(day);
      continue;
    }
    const start = Date.parse(`${day}T00:00:00Z`) / 1000;
    if (start >= from && start < to) counts[bucketOf(bounds, start)] += views;
  }
  for (const day of await readDayHours(store, site, counter, key, needHours)) addHours(day, bounds, counts);
}

/** A page's views in [from, to), summed hour by hour. */
export async function viewsBetween(
  store: Store,
  site: string,
  page: string,
  from: number,
  to: number,
): Promise<number> {
  const counts = [0];
  for (const day of await daysOverlapping(store, site, "page", page, from, to))
    addHours(day, [from, to], counts);
  return counts[0];
}

function addHours(day: DayCount, bounds: number[], counts: number[]): void {
  const dayStart = Date.parse(`${day.day}T00:00:00Z`) / 1000;
  const hours = day.hours;
  for (let h = 0; h < 24; h++) {
    if (!hours[h]) continue;
    const t = dayStart + h * 3600;
    if (t < bounds[0] || t >= bounds[bounds.length - 1]) continue;
    counts[bucketOf(bounds, t)] += hours[h];
  }
}

/** The bucket whose start is the last one at or before t (binary search). */
function bucketOf(bounds: number[], t: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The starts of the buckets covering [from, to), plus the end of the last one. */
export function bucketStarts(from: number, to: number, interval: Interval, tz: string): number[] {
  const starts: number[] = [];
  if (interval === "hour") {
    for (let t = Math.floor(from / 3600) * 3600; t < to; t += 3600) starts.push(t);
    starts.push(starts[starts.length - 1] + 3600);
    return starts;
  }
  const l = localTime(from, tz);
  let date = new Date(Date.UTC(l.year, l.month - 1, interval === "month" ? 1 : l.day));
  if (interval === "week") date = new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86400000);
  for (;;) {
    const t = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, tz);
    starts.push(t);
    if (t >= to) return starts;
    if (interval === "month") date = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
    else date = new Date(date.getTime() + (interval === "week" ? 7 : 1) * 86400000);
  }
}
