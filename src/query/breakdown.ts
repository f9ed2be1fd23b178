import type { Breakdown } from "../contract/answers.js";
import { MAX_DAILY_READ_DAYS } from "../contract/rules.js";
import {
  type CounterName,
  type Dimension,
  isListed,
  PAGE_DIMENSIONS,
  pageCounter,
} from "../counters/registry.js";
import { UserError } from "../errors.js";
import { categoryOf } from "../pageview/crawler.js";
import { type DayBreakdown, readBreakdown, readPageAudience } from "../store/counts.js";
import { readCountryAttribution } from "../store/meta.js";
import type { Store } from "../store/store.js";
import { siteSettings } from "./site.js";
import { instantOf, isoInZone, isValidZone, localDate } from "./zone.js";

export interface BreakdownQuery {
  dimension: Dimension;
  /** Epoch seconds; `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  tz: string;
  /** Values to list, largest first. */
  limit: number;
  /** One page's audience instead of the site's (PAGE_DIMENSIONS only). */
  page?: string;
}

/** The longest range: a breakdown reads one item set a day. */
export const MAX_BREAKDOWN_DAYS = MAX_DAILY_READ_DAYS;

/**
 * The values of an audience dimension in a range, largest first, from the day breakdowns (each value
 * with its 24 UTC hours): one query per UTC day of the range, never raw views. An hour counts in the
 * range if it starts in it, as in views over time.
 */
export async function breakdown(store: Store, site: string, q: BreakdownQuery): Promise<Breakdown> {
  if (!isValidZone(q.tz))
    throw new UserError(`unknown time zone "${q.tz}"; use an IANA name such as Europe/Paris or UTC`);
  if (!(q.to > q.from)) throw new UserError("the range is empty: `to` must be after `from`");
  if ((q.to - q.from) / 86400 > MAX_BREAKDOWN_DAYS)
    throw new UserError(`a breakdown covers at most ${MAX_BREAKDOWN_DAYS} days; narrow the range`);
  let counts: Map<string, number>;
  if (q.page !== undefined) {
    if (pageCounter(q.dimension) === undefined)
      throw new UserError(
        `page: only ${PAGE_DIMENSIONS.join(", ")} answer for one page; leave page out for ${q.dimension}`,
      );
    counts = sumHours(await readPageAudience(store, site, q.dimension, q.page, utcDays(q)), q);
  } else if (isListed(q.dimension)) counts = await listedCounts(store, site, q);
  else counts = sumHours(await readDayHours(store, site, q.dimension, q), q);
  const attribution = q.dimension === "country" ? await readCountryAttribution(store, site) : undefined;
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    dimension: q.dimension,
    ...(q.page !== undefined ? { page: q.page } : {}),
    from: isoInZone(q.from, q.tz),
    to: isoInZone(q.to, q.tz),
    total: ranked.reduce((sum, [, n]) => sum + n, 0),
    // A crawler carries its category, so that AI crawlers can be told apart wherever it is listed.
    values: ranked
      .slice(0, q.limit)
      .map(([value, count]) =>
        q.dimension === "crawler" ? { value, count, category: categoryOf(value) } : { value, count },
      ),
    ...(attribution ? { attribution } : {}),
  };
}

/** The UTC days of a range's hours, each read with its values' 24 hours. */
export async function readDayHours(
  store: Store,
  site: string,
  counter: CounterName,
  q: { from: number; to: number },
): Promise<DayBreakdown[]> {
  return (await readBreakdown(store, site, counter, utcDays(q))).days;
}

/** The UTC days a range's hours lie in. */
function utcDays(q: { from: number; to: number }): string[] {
  const days: string[] = [];
  for (let t = q.from - (q.from % 86400); t < q.to; t += 86400) days.push(utcDay(t));
  return days;
}

/** Each value's count over the hours that start in the range. */
export function sumHours(read: DayBreakdown[], q: { from: number; to: number }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { day, values } of read) {
    const dayStart = Date.parse(`${day}T00:00:00Z`) / 1000;
    for (const [value, hours] of values) {
      let n = 0;
      for (let h = 0; h < 24; h++) {
        const t = dayStart + h * 3600;
        if (hours[h] && t >= q.from && t < q.to) n += hours[h];
      }
      if (n > 0) counts.set(value, (counts.get(value) ?? 0) + n);
    }
  }
  return counts;
}

/**
 * The days of the site whose start lies in the range: a listed union (downloads) is counted per day
 * of the site, as visitors are, and a day counts in a range when it starts in it.
 */
export async function siteDaysIn(
  store: Store,
  site: string,
  q: { from: number; to: number },
): Promise<string[]> {
  const { timeZone } = await siteSettings(store, site);
  const days: string[] = [];
  for (let t = q.from - 86400; t < q.to + 86400; t += 86400) {
    const day = localDate(t, timeZone);
    const [y, m, d] = day.split("-").map(Number);
    const start = instantOf(y, m, d, 0, timeZone);
    if (start >= q.from && start < q.to && days.at(-1) !== day) days.push(day);
  }
  return days;
}

/** A listed union's values over the site's days in the range: each day's distinct clients, summed. */
async function listedCounts(
  store: Store,
  site: string,
  q: { from: number; to: number; dimension: CounterName },
): Promise<Map<string, number>> {
  const { days } = await readBreakdown(store, site, q.dimension, await siteDaysIn(store, site, q));
  const counts = new Map<string, number>();
  for (const { values } of days)
    for (const [value, hours] of values) counts.set(value, (counts.get(value) ?? 0) + hours[0]);
  return counts;
}

function utcDay(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 10);
}
