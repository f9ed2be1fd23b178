import { COUNTERS, type Dimension, indexPrefix } from "../counters/registry.js";
import { limiter } from "./async.js";
import { keys, SK } from "./keys.js";
import { slotsOf, summary } from "./levels.js";
import type { Store } from "./store.js";

/** A series' count on one UTC day, with its 24 UTC hours. */
export interface DayCount {
  day: string;
  views: number;
  hours: number[];
}

/** The day counts of one series (a page, the site, its bots) from `fromDay` to `toDay`, inclusive. */
export async function readDays(
  store: Store,
  site: string,
  counter: "page" | "site" | "bots",
  counterKey: string,
  fromDay: string,
  toDay: string,
): Promise<{ days: DayCount[]; units: number }> {
  const partition = keys.level(site, "day", COUNTERS[counter].series(counterKey));
  const { items, units } = await store.between(partition, fromDay, toDay);
  const days = items.map((item) => {
    const hours = hoursOf(item, item[SK]);
    return { day: item[SK], views: hours.reduce((a, b) => a + b, 0), hours };
  });
  return { days, units };
}

/** A dimension's counts on one UTC day: each value with its 24 UTC hours. */
export interface DayBreakdown {
  day: string;
  values: Map<string, number[]>;
}

/**
 * A dimension's counts on each of the given UTC days: one query a day, whatever the views or files
 * behind them; each reads that day's values.
 */
export async function readBreakdown(
  store: Store,
  site: string,
  dimension: Dimension,
  days: string[],
): Promise<{ days: DayBreakdown[]; units: number }> {
  let units = 0;
  const fewAtATime = limiter(8);
  const result = await Promise.all(
    days.map((day) =>
      fewAtATime(async () => {
        const { items, units: used } = await store.withPrefix(keys.breakdown(site, dimension, day), "");
        units += used;
        return { day, values: new Map(items.map((item) => [item[SK], hoursOf(item, day)])) };
      }),
    ),
  );
  return { days: result, units };
}

/** The views of a day item's 24 UTC hours. */
function hoursOf(item: Record<string, unknown>, day: string): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const [hour, slot] of slotsOf(item, day)) hours[Number(hour)] = slot.n;
  return hours;
}

/** A page's all-time total, with its first and last view (epoch seconds), and its visitors (the sum of its days). */
export interface PageTotal {
  page: string;
  views: number;
  first: number;
  last: number;
  visitors: number;
}

/** The all-time totals of the pages under `prefix`, from the INDEX partition: one item per page. */
export async function readPageTotals(
  store: Store,
  site: string,
  prefix: string,
): Promise<{ pages: PageTotal[]; units: number }> {
  const { items, units } = await store.withPrefix(keys.index(site), prefix);
  const visitorSlots = indexPrefix("pageVisitors") as string;
  const pages = items.map((item) => {
    const total = summary(item, "");
    const visitors = summary(item, "", visitorSlots).n;
    return { page: item[SK], views: total.n, first: total.first, last: total.last, visitors };
  });
  return { pages, units };
}

/** The whole site's visitors of all time (the sum of its days), and what reading them cost. */
export async function readSiteVisitors(
  store: Store,
  site: string,
): Promise<{ visitors: number; units: number }> {
  const { items, units } = await store.between(
    keys.site(site),
    COUNTERS.visitors.series(),
    COUNTERS.visitors.series(),
  );
  return { visitors: items[0] ? summary(items[0], "").n : 0, units };
}

/**
 * The visitors of a page (or of the site) on each UTC day from `fromDay` to `toDay`, inclusive: from
 * the month items, which hold each day's count as a slot, so that a year is 13 small items at most;
 * the days' visitor ids themselves are only read by rollups.
 */
export async function readVisitorDays(
  store: Store,
  site: string,
  counter: "visitors" | "pageVisitors",
  counterKey: string,
  fromDay: string,
  toDay: string,
): Promise<Map<string, number>> {
  const partition = keys.level(site, "month", COUNTERS[counter].series(counterKey));
  const { items } = await store.between(partition, fromDay.slice(0, 7), toDay.slice(0, 7));
  const days = new Map<string, number>();
  for (const item of items) {
    for (const [day, slot] of slotsOf(item, item[SK])) {
      const date = `${item[SK]}-${day}`;
      if (date >= fromDay && date <= toDay) days.set(date, slot.n);
    }
  }
  return days;
}
