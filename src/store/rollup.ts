import { addDay, addTotal, type DayCount, type SeriesCounts, type Total } from "../aggregate/series.js";
import { limiter } from "./async.js";
import { keys, PK, SK } from "./keys.js";
import type { Item, Store } from "./store.js";

/**
 * Writes one file's counts so that any number of runs, in any order, concurrently or killed half way
 * and run again, leave the counts of ingesting each file once. Overwrite, never increment:
 *
 * 1. the file's *contribution* to each (page, day) is put at a key that holds the file id, so a run
 *    again puts the same value at the same key;
 * 2. every rollup (day with its hours, month, page total, site total) is recomputed as the sum of
 *    the level below, read with a strongly consistent Query after this run's own writes, and stored
 *    only if it is larger than what is there (a conditional put). The run whose read comes last sees
 *    every contribution, and a stale or concurrent run can never lower a count.
 */
export async function writeCounts(
  store: Store,
  site: string,
  fileId: string,
  counts: SeriesCounts,
): Promise<void> {
  const contributions: Item[] = [];
  for (const [series, days] of counts.series) {
    for (const [day, count] of days) {
      contributions.push({ [PK]: keys.contributions(site, series), [SK]: `${day}#${fileId}`, ...count });
    }
  }
  await store.batchWrite(contributions);
  const fewAtATime = limiter(16);
  await Promise.all(
    [...counts.series].map(([series, days]) =>
      fewAtATime(() => rollUp(store, site, series, [...days.keys()].sort())),
    ),
  );
}

async function rollUp(store: Store, site: string, series: string, days: string[]): Promise<void> {
  const firstDay = days[0];
  const lastDay = days[days.length - 1];

  // Days, with their hours: the sum of every file's contribution.
  const touched = new Set(days);
  const sums = new Map<string, DayCount>();
  const contributions = await store.between(
    keys.contributions(site, series),
    `${firstDay}#`,
    `${lastDay}#~`,
    true,
  );
  for (const c of contributions.items) {
    const day = c[SK].slice(0, 10);
    if (touched.has(day)) sums.set(day, addDay(sums.get(day), c as unknown as DayCount));
  }
  const dayPartition = keys.days(site, series);
  await raise(store, dayPartition, sums);

  // Months: the sum of their days, read now that this run's days are written.
  const months = new Map<string, Total>();
  const dayItems = await store.between(
    dayPartition,
    `${firstDay.slice(0, 7)}-01`,
    `${lastDay.slice(0, 7)}-31`,
    true,
  );
  for (const d of dayItems.items) {
    const month = d[SK].slice(0, 7);
    months.set(month, addTotal(months.get(month), d as unknown as Total));
  }
  const monthPartition = keys.months(site, series);
  await raise(store, monthPartition, months);

  // The total, with the first and last view: on the page's INDEX item, or in the SITE partition.
  let total: Total | undefined;
  for (const m of (await store.withPrefix(monthPartition, "", true)).items)
    total = addTotal(total, m as unknown as Total);
  if (total === undefined) return;
  const key = series.startsWith("/")
    ? { [PK]: keys.index(site), [SK]: series }
    : { [PK]: keys.site(site), [SK]: series };
  await store.putIfGreater({ ...key, views: total.views, first: total.first, last: total.last }, "views");
}

/** Puts each count unless the stored one is as large (the conditional put checks). */
async function raise(store: Store, partition: string, counts: Map<string, Total | DayCount>): Promise<void> {
  await Promise.all(
    [...counts].map(([sortKey, count]) =>
      store.putIfGreater({ [PK]: partition, [SK]: sortKey, ...count }, "views"),
    ),
  );
}
