import { COUNTERS, type CounterName, indexPrefix } from "../counters/registry.js";
import { limiter } from "./async.js";
import { itemId, keys, PK, SK } from "./keys.js";
import { slotsOf, summary } from "./levels.js";
import { SiteTable } from "./site-table.js";
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
  counter: "page" | "site" | "bots" | "served",
  counterKey: string,
  fromDay: string,
  toDay: string,
): Promise<{ days: DayCount[]; units: number }> {
  const { items, units } = await new SiteTable(store, site).levels(
    "day",
    counter,
    counterKey,
    fromDay,
    toDay,
  );
  const days = items.map((item) => {
    const [hours] = hoursOf(item, item[SK]);
    return { day: item[SK], views: hours.reduce((a, b) => a + b, 0), hours };
  });
  return { days, units };
}

/**
 * The views of one series on each UTC day from `fromDay` to `toDay` (inclusive) that has views, from
 * its month items, which hold one slot per day: a month is one small item, never its ~30 day items.
 * The hours of a day are in its day item (readDayHours).
 */
export async function readDayTotals(
  store: Store,
  site: string,
  counter: "page" | "site" | "bots" | "served",
  counterKey: string,
  fromDay: string,
  toDay: string,
): Promise<{ days: { day: string; views: number }[]; units: number }> {
  const { items, units } = await new SiteTable(store, site).levels(
    "month",
    counter,
    counterKey,
    fromDay.slice(0, 7),
    toDay.slice(0, 7),
  );
  const days: { day: string; views: number }[] = [];
  for (const item of items) {
    for (const [day, slot] of slotsOf(item, item[SK])) {
      const date = `${item[SK]}-${day}`;
      if (date >= fromDay && date <= toDay && slot.n > 0) days.push({ day: date, views: slot.n });
    }
  }
  days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return { days, units };
}

/**
 * The day items (with their 24 UTC hours) of one series on the given UTC days, by key with
 * BatchGetItem (100 to a request), for days that are not contiguous. Days without an item are left out.
 */
export async function readDayHours(
  store: Store,
  site: string,
  counter: "page" | "site" | "bots" | "served",
  counterKey: string,
  days: string[],
): Promise<DayCount[]> {
  if (days.length === 0) return [];
  const partition = keys.level(site, "day", COUNTERS[counter].series(counterKey));
  const found = await store.batchGet(
    days.map((day) => ({ [PK]: partition, [SK]: day })),
    false,
  );
  return [...found.values()]
    .map((item) => {
      const [hours] = hoursOf(item, item[SK]);
      return { day: item[SK], views: hours.reduce((a, b) => a + b, 0), hours };
    })
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** A series' all-time count with its first and last view (epoch seconds). */
export interface SeriesSpan {
  views: number;
  first: number;
  last: number;
}

/**
 * The all-time views of a page, of the whole site or of its bots, with the first and the last of
 * them: one small item (the page's INDEX item, or the site's in SITE), undefined when it has none.
 */
export async function readSeriesSpan(
  store: Store,
  site: string,
  counter: "page" | "site" | "bots" | "served",
  counterKey: string,
): Promise<SeriesSpan | undefined> {
  const key =
    counter === "page"
      ? { [PK]: keys.index(site), [SK]: counterKey }
      : { [PK]: keys.site(site), [SK]: COUNTERS[counter].series() };
  const item = await store.get(key, false);
  if (item === undefined) return undefined;
  const total = summary(item, "");
  return total.n > 0 ? { views: total.n, first: total.first, last: total.last } : undefined;
}

/** A dimension's counts on one UTC day: each value with its 24 UTC hours. */
export interface DayBreakdown {
  day: string;
  values: Map<string, number[]>;
  /** For a breakdown that keeps times (a crawler's): each value's last request in each hour. */
  lasts?: Map<string, number[]>;
}

/**
 * A dimension's counts on each of the given UTC days: one query a day, whatever the views or files
 * behind them; each reads that day's values.
 */
export async function readBreakdown(
  store: Store,
  site: string,
  dimension: CounterName,
  days: string[],
): Promise<{ days: DayBreakdown[]; units: number }> {
  let units = 0;
  const table = new SiteTable(store, site);
  const fewAtATime = limiter(8);
  const result = await Promise.all(
    days.map((day) =>
      fewAtATime(async () => {
        const { items, units: used } = await table.breakdown(dimension, day);
        units += used;
        const values = new Map<string, number[]>();
        const lasts = new Map<string, number[]>();
        for (const item of items) {
          const [hours, last] = hoursOf(item, day);
          values.set(item[SK], hours);
          if (last) lasts.set(item[SK], last);
        }
        return { day, values, ...(lasts.size > 0 ? { lasts } : {}) };
      }),
    ),
  );
  return { days: result, units };
}

/**
 * One page's values of a page audience (PageAudienceSpec) on each of the given UTC days, each value
 * with its 24 UTC hours: one item a day, read together.
 */
export async function readPageAudience(
  store: Store,
  site: string,
  dimension: string,
  page: string,
  days: string[],
): Promise<DayBreakdown[]> {
  const keyOf = (day: string) => ({ [PK]: keys.pageAudience(site, dimension, day), [SK]: page });
  const found = await store.batchGet(days.map(keyOf), false);
  return days.map((day) => {
    const values = new Map<string, number[]>();
    const item = found.get(itemId(keyOf(day)));
    for (const [hour, slot] of item ? slotsOf(item, day) : [])
      for (const [value, n] of Object.entries(slot.values ?? {})) {
        const hours = values.get(value) ?? new Array<number>(24).fill(0);
        values.set(value, hours);
        hours[Number(hour)] = n;
      }
    return { day, values };
  });
}

/** The counts of a day item's 24 UTC hours, and the last of each where the slots keep times. */
function hoursOf(item: Record<string, unknown>, day: string): [number[], number[] | undefined] {
  const hours = new Array<number>(24).fill(0);
  let last: number[] | undefined;
  for (const [hour, slot] of slotsOf(item, day)) {
    hours[Number(hour)] = slot.n;
    if (!Number.isNaN(slot.last) && slot.n > 0) {
      last ??= new Array<number>(24).fill(0);
      last[Number(hour)] = slot.last;
    }
  }
  return [hours, last];
}

/** A page's all-time total, with its first and last view (epoch seconds), and its visitors (the sum of its days). */
export interface PageTotal {
  page: string;
  views: number;
  first: number;
  last: number;
  visitors: number;
}

/**
 * The all-time totals of the pages under `prefix`, from the INDEX partition: one item per page; with
 * `limit`, only the first pages in path order, in one request.
 */
export async function readPageTotals(
  store: Store,
  site: string,
  prefix: string,
  limit?: number,
): Promise<{ pages: PageTotal[]; units: number }> {
  const { items, units } = await new SiteTable(store, site).pages(prefix, limit);
  const visitorSlots = indexPrefix("pageVisitors") as string;
  const pages = items.map((item) => {
    const total = summary(item, "");
    const visitors = summary(item, "", visitorSlots).n;
    return { page: item[SK], views: total.n, first: total.first, last: total.last, visitors };
  });
  return { pages, units };
}

/** The whole site's visitors of all time (the sum of its days), and what reading them cost. */
export async function readSiteTotals(
  store: Store,
  site: string,
): Promise<{ views: number; visitors: number; first?: number; last?: number; units: number }> {
  // The SITE partition's few items: the site's views ("*"), its bots and its visitors.
  const { items, units } = await new SiteTable(store, site).siteSeries(
    COUNTERS.site.series(),
    COUNTERS.visitors.series(),
  );
  const of = (series: string) => items.find((item) => item[SK] === series);
  const views = of(COUNTERS.site.series());
  const visitors = of(COUNTERS.visitors.series());
  const total = views ? summary(views, "") : undefined;
  return {
    views: total?.n ?? 0,
    visitors: visitors ? summary(visitors, "").n : 0,
    ...(total && total.n > 0 ? { first: total.first, last: total.last } : {}),
    units,
  };
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
  const { items } = await new SiteTable(store, site).levels(
    "month",
    counter,
    counterKey,
    fromDay.slice(0, 7),
    toDay.slice(0, 7),
  );
  const days = new Map<string, number>();
  for (const item of items) {
    for (const [day, slot] of slotsOf(item, item[SK])) {
      const date = `${item[SK]}-${day}`;
      if (date >= fromDay && date <= toDay) days.set(date, slot.n);
    }
  }
  return days;
}

/**
 * At most `limit` page totals under `prefix`, in path order, after the page `after` (excluded): the
 * INDEX partition read page by page (DynamoDB's 1 MB pages) until `limit` are found. `more` says
 * whether pages remain after the last one returned (one more item is read to know it).
 */
export async function readPageTotalsAfter(
  store: Store,
  site: string,
  prefix: string,
  limit: number,
  after?: string,
): Promise<{ pages: PageTotal[]; units: number; more: boolean }> {
  const items: Record<string, unknown>[] = [];
  let units = 0;
  const read = new SiteTable(store, site).pagesAfter(prefix, after, () => limit + 1 - items.length);
  for await (const page of read) {
    items.push(...page.items);
    units += page.units;
    if (items.length > limit) break;
  }
  const more = items.length > limit;
  const visitorSlots = indexPrefix("pageVisitors") as string;
  const pages = items.slice(0, limit).map((item) => {
    const total = summary(item, "");
    const visitors = summary(item, "", visitorSlots).n;
    return { page: item[SK] as string, views: total.n, first: total.first, last: total.last, visitors };
  });
  return { pages, units, more };
}
