import { COUNTERS, type CounterName } from "../counters/registry.js";
import { keys, SK } from "./keys.js";
import { slotsOf, summary } from "./levels.js";
import type { Store } from "./store.js";

/** A series' count on one UTC day, with its 24 UTC hours. */
export interface DayCount {
  day: string;
  views: number;
  hours: number[];
}

/** The day counts of one counter's key (a page, or the site) from `fromDay` to `toDay`, inclusive. */
export async function readDays(
  store: Store,
  site: string,
  counter: CounterName,
  counterKey: string,
  fromDay: string,
  toDay: string,
): Promise<{ days: DayCount[]; units: number }> {
  const partition = keys.level(site, "day", COUNTERS[counter].series(counterKey));
  const { items, units } = await store.between(partition, fromDay, toDay);
  const days = items.map((item) => {
    const hours = new Array<number>(24).fill(0);
    for (const [hour, slot] of slotsOf(item, item[SK])) hours[Number(hour)] = slot.n;
    return { day: item[SK], views: hours.reduce((a, b) => a + b, 0), hours };
  });
  return { days, units };
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
