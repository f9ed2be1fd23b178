import { Audience, type Client } from "../audience/audience.js";
import {
  addCell,
  addLevel,
  addVisitors,
  type Cells,
  COUNTER_NAMES,
  COUNTERS,
  type CounterName,
  isStoreOnly,
  SITE_KEY,
} from "../counters/registry.js";
import { splitUnionKey, unionKey } from "../counters/union.js";
import type { PageView } from "../pageview/view.js";
import { AMOUNT_OF, KEY_OF } from "./normalise.js";

/** How finely a tally keeps time: UTC hours (what ingestion stores), UTC days, or not at all. */
export type Period = "hour" | "day" | "all";

const SECONDS: Record<Exclude<Period, "all">, number> = { hour: 3600, day: 86400 };
const UNIONS = new Set(COUNTER_NAMES.filter((c) => COUNTERS[c].layout === "union"));
const LEVELS = new Set(COUNTER_NAMES.filter((c) => COUNTERS[c].layout === "level"));
/** What add() does for each counter, looked up once rather than for every view. */
const ALL_ADDERS = COUNTER_NAMES.map((counter) => ({
  counter,
  keyOf: KEY_OF[counter],
  amount: AMOUNT_OF[counter],
  /** Kept per day of the site, its key `<day> <key>`: distinct clients (union) or a level. */
  daily: UNIONS.has(counter) ? ("union" as const) : LEVELS.has(counter) ? ("level" as const) : undefined,
}));
/** What `report` tallies: every counter but those only the store keeps (each page's audience). */
const REPORT_ADDERS = ALL_ADDERS.filter(({ counter }) => !isStoreOnly(counter));

/**
 * What some page requests add to every counter of the registry, per period: `report` tallies by
 * day (or not at all), ingestion tallies each file by UTC hour and stores that. Visitors are per day
 * of the site (its time zone, audience/audience.ts) whatever the period: a reader who comes back
 * another day counts again. A union counter's cells are keyed `<day> <key>` (unionKey), so that
 * the day goes with the visitors into every period they are kept by (an hour of a zone whose offset
 * is not whole hours lies in two days).
 */
export class Tally {
  /** Period start (epoch seconds; 0 for "all") → the counts of that period. */
  readonly periods = new Map<number, Cells>();

  /** `audience` describes the readers of counted views: share one across files (it caches). */
  constructor(
    readonly period: Period,
    readonly audience = new Audience(),
  ) {}

  add(view: PageView): void {
    const start = this.period === "all" ? 0 : view.time - (view.time % SECONDS[this.period]);
    const cells = this.cells(start);
    const reader = view.counted ? this.audience.describe(view) : undefined;
    const client: Client | undefined =
      reader ?? (view.notFound || view.download || view.feed ? this.audience.client(view) : undefined);
    for (const { counter, keyOf, amount, daily } of this.period === "hour" ? ALL_ADDERS : REPORT_ADDERS) {
      const key = keyOf(view, reader, client);
      if (key === undefined) continue;
      if (daily === undefined) addCell(cells, counter, key, amount ? amount(view) : 1, view.time, view.time);
      else {
        if (daily === "union") {
          const { visitor, day } = client as Client;
          addVisitors(cells, counter, this.dayKey(day, key), visitor);
        } else {
          // A level's day is the site's, whoever the client (a crawler's last request has none).
          const day = client?.day ?? this.audience.day(view.time);
          addLevel(
            cells,
            counter,
            this.dayKey(day, key),
            (amount as (v: PageView) => number)(view),
            view.time,
          );
        }
      }
    }
  }

  /** Adds another tally of the same period into this one (or its periods, as another thread sent them). */
  merge(other: Pick<Tally, "periods">): void {
    for (const [start, cells] of other.periods) {
      const into = this.cells(start);
      for (const [counter, keys] of cells)
        for (const [key, c] of keys) {
          if (c.ids) addVisitors(into, counter, key, c.ids);
          else if (LEVELS.has(counter)) addLevel(into, counter, key, c.n, c.last);
          else addCell(into, counter, key, c.n, c.first, c.last);
        }
    }
  }

  /** One counter's counts over all periods, per key: for visitors, the sum of the days. */
  totals(counter: CounterName): Map<string, number> {
    const totals = new Map<string, number>();
    if (UNIONS.has(counter)) {
      for (const [dayKey, n] of this.unionDays(counter)) {
        const [, key] = splitUnionKey(dayKey);
        totals.set(key, (totals.get(key) ?? 0) + n);
      }
      return totals;
    }
    for (const cells of this.periods.values())
      for (const [key, c] of cells.get(counter) ?? []) totals.set(key, (totals.get(key) ?? 0) + c.n);
    return totals;
  }

  /** A union counter's visitors of each day and key (`<day> <key>` → n), over all periods. */
  unionDays(counter: CounterName): Map<string, number> {
    const ids = new Map<string, Set<number>>();
    for (const cells of this.periods.values())
      for (const [dayKey, c] of cells.get(counter) ?? []) {
        const set = ids.get(dayKey);
        if (set === undefined) ids.set(dayKey, new Set(c.ids));
        else for (const id of c.ids ?? []) set.add(id);
      }
    return new Map([...ids].map(([dayKey, set]) => [dayKey, set.size]));
  }

  /** Adds the bytes of a response, whatever the request (the `served` series). */
  addServed(time: number, bytes: number): void {
    const start = this.period === "all" ? 0 : time - (time % SECONDS[this.period]);
    addCell(this.cells(start), "served", SITE_KEY, bytes, time, time);
  }

  /** A level's largest value of each day and key (`<day> <key>` → n), over all periods. */
  levels(counter: CounterName): Map<string, number> {
    const levels = new Map<string, number>();
    for (const cells of this.periods.values())
      for (const [dayKey, c] of cells.get(counter) ?? [])
        levels.set(dayKey, Math.max(levels.get(dayKey) ?? 0, c.n));
    return levels;
  }

  /** A counter's cells over all periods, per key: the sum of `n`, the first and the last time. */
  cellTotals(counter: CounterName): Map<string, { n: number; first: number; last: number }> {
    const totals = new Map<string, { n: number; first: number; last: number }>();
    for (const cells of this.periods.values())
      for (const [key, c] of cells.get(counter) ?? []) {
        const total = totals.get(key);
        if (total === undefined) totals.set(key, { n: c.n, first: c.first, last: c.last });
        else {
          total.n += c.n;
          total.first = Math.min(total.first, c.first);
          total.last = Math.max(total.last, c.last);
        }
      }
    return totals;
  }

  /** The union cell key of a day and key, kept for the day (the same few keys recur all day). */
  private dayKey(day: string, key: string): string {
    if (day !== this.keysDay) {
      this.keysDay = day;
      this.dayKeys.clear();
    }
    let dayKey = this.dayKeys.get(key);
    if (dayKey === undefined) {
      dayKey = unionKey(day, key);
      this.dayKeys.set(key, dayKey);
    }
    return dayKey;
  }

  private keysDay = "";
  private readonly dayKeys = new Map<string, string>();

  private cells(start: number): Cells {
    let cells = this.periods.get(start);
    if (cells === undefined) {
      cells = new Map();
      this.periods.set(start, cells);
    }
    return cells;
  }
}
