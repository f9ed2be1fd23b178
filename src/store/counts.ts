import { COUNTERS, type Dimension } from "../counters/registry.js";
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

/** A page's all-time total, with its first and last view (epoch seconds). */
export interface PageTotal {
  page: string;
  views: number;
  first: number;
  last: number;
}

/** The all-time totals of the pages under `prefix`, from the INDEX partition: one item per page. */
export async function readPageTotals(
  store: Store,
  site: string,
  prefix: string,
): Promise<{ pages: PageTotal[]; units: number }> {
  const { items, units } = await store.withPrefix(keys.index(site), prefix);
  const pages = items.map((item) => {
    const total = summary(item, "");
    return { page: item[SK], views: total.n, first: total.first, last: total.last };
  });
  return { pages, units };
}
