import { randomUUID } from "node:crypto";
import { type Cells, COUNTERS, type CounterName } from "../counters/registry.js";
import { hourPeriod, inParts } from "./contributions.js";
import { type Key, keys, PK, SK } from "./keys.js";
import { periodStart } from "./levels.js";
import { rollUp } from "./rollup.js";
import { SiteTable } from "./site-table.js";
import type { Store } from "./store.js";

/**
 * Hours whose latest contributions are not rolled up yet. When a batch of files is counted, one
 * marker per UTC hour is put in the site's `pending` partition, naming the counters' keys the batch
 * added to (and how many views, for whoever looks), before the files are marked done. A rollup takes
 * the markers there are, brings exactly those keys up to date, and deletes the markers it read;
 * markers put meanwhile have keys of their own and wait for the next rollup. So counting a file and
 * adding it up can happen apart (the deployed function adds up on a schedule), a rollup that is
 * killed is finished by the next, and a rollup writes only what changed.
 */
export async function markPending(store: Store, site: string, hours: Map<number, Cells>): Promise<void> {
  const batch = randomUUID();
  const items = [...hours].flatMap(([hour, cells]) => {
    const views = new Map(
      [...cells].map(([counter, ofKey]) => [counter, new Map([...ofKey].map(([k, c]) => [k, c.n]))]),
    );
    const parts = inParts(views);
    return parts.map((added, i) => ({
      [PK]: keys.pending(site),
      [SK]: `${hourPeriod(hour)}#${batch}${parts.length > 1 ? `#${i}` : ""}`,
      added,
    }));
  });
  await store.batchWrite(items);
}

/** What a rollup did: the hours, and the keys of series and of breakdowns (their days) it brought up to date. */
export interface RolledUp {
  hours: number;
  /** Keys brought up to date, by the counter's layout. */
  series: number;
  unions: number;
  breakdowns: number;
}

/**
 * How much one rollup may do: at most `hours` pending hours at a time (the oldest first), and no new
 * group of hours once `until` (epoch milliseconds) has passed. Each group's markers are deleted once
 * it is rolled up, so the progress of a rollup that is stopped or killed is kept, and the next one
 * continues with the hours left: a backlog larger than one rollup's time (after an outage, a
 * backfill, a paused schedule) drains over several.
 */
export interface RollupBudget {
  hours?: number;
  until?: number;
}

/** Rolls up the site's pending hours, oldest first, group by group within the budget (all by default). */
export async function rollUpPending(
  store: Store,
  site: string,
  budget: RollupBudget = {},
): Promise<RolledUp> {
  const done: RolledUp = { hours: 0, series: 0, unions: 0, breakdowns: 0 };
  const field = { series: "series", union: "unions", breakdown: "breakdowns", level: "breakdowns" } as const;
  for (;;) {
    const { hours, markers } = await oldestHours(store, site, budget.hours ?? Number.POSITIVE_INFINITY);
    if (hours.size === 0) return done;
    await rollUp(store, site, hours);
    await store.batchDelete(markers);
    done.hours += hours.size;
    for (const counters of hours.values())
      for (const [counter, keysOf] of counters) done[field[COUNTERS[counter].layout]] += keysOf.size;
    if (budget.hours === undefined || (budget.until !== undefined && Date.now() >= budget.until)) return done;
  }
}

/**
 * The oldest `limit` pending hours with the keys their markers name, and those markers: read in key
 * order (markers sort by hour), a page at a time, no further than the hours wanted.
 */
async function oldestHours(
  store: Store,
  site: string,
  limit: number,
): Promise<{ hours: Map<number, Map<CounterName, Set<string>>>; markers: Key[] }> {
  const hours = new Map<number, Map<CounterName, Set<string>>>();
  const markers: Key[] = [];
  for await (const page of new SiteTable(store, site).pendingPages())
    for (const item of page.items) {
      const hour = periodStart(item[SK].slice(0, 13));
      let touched = hours.get(hour);
      if (touched === undefined) {
        // One hour more than wanted: the ones before it are whole.
        if (hours.size >= limit) return { hours, markers };
        touched = new Map();
        hours.set(hour, touched);
      }
      markers.push({ [PK]: item[PK], [SK]: item[SK] });
      for (const [counter, added] of Object.entries(item.added as Record<string, Record<string, number>>)) {
        const keysOf = touched.get(counter as CounterName) ?? new Set();
        touched.set(counter as CounterName, keysOf);
        for (const key of Object.keys(added)) keysOf.add(key);
      }
    }
  return { hours, markers };
}

/**
 * How long the oldest hour still pending has waited for its rollup, in seconds from its end (0 when
 * none waits): what the deployed stack alarms on, as the age of counts that are not yet answered.
 */
export async function oldestPendingAge(store: Store, site: string, now = Date.now() / 1000): Promise<number> {
  const marker = await new SiteTable(store, site).oldestPending();
  if (marker === undefined) return 0;
  const hour = Date.parse(`${String(marker[SK]).slice(0, 13)}:00:00Z`) / 1000;
  return Math.max(0, Math.round(now - (hour + 3600)));
}
