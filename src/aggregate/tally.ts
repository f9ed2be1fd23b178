import { Audience } from "../audience/audience.js";
import { addCell, type Cells, COUNTER_NAMES, type CounterName } from "../counters/registry.js";
import type { PageView } from "../pageview/view.js";
import { KEY_OF } from "./normalise.js";

/** How finely a tally keeps time: UTC hours (what ingestion stores), UTC days, or not at all. */
export type Period = "hour" | "day" | "all";

const SECONDS: Record<Exclude<Period, "all">, number> = { hour: 3600, day: 86400 };

/**
 * What some page requests add to every counter of the registry, per period: `report` tallies by
 * day (or not at all), ingestion tallies each file by UTC hour and stores that.
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
    let cells = this.periods.get(start);
    if (cells === undefined) {
      cells = new Map();
      this.periods.set(start, cells);
    }
    const reader = view.counted ? this.audience.describe(view) : undefined;
    for (const counter of COUNTER_NAMES) {
      const key = KEY_OF[counter](view, reader);
      if (key !== undefined) addCell(cells, counter, key, 1, view.time, view.time);
    }
  }

  /** Adds another tally of the same period into this one. */
  merge(other: Tally): void {
    for (const [start, cells] of other.periods) {
      let into = this.periods.get(start);
      if (into === undefined) {
        into = new Map();
        this.periods.set(start, into);
      }
      for (const [counter, keys] of cells)
        for (const [key, c] of keys) addCell(into, counter, key, c.n, c.first, c.last);
    }
  }

  /** One counter's counts over all periods, per key. */
  totals(counter: CounterName): Map<string, number> {
    const totals = new Map<string, number>();
    for (const cells of this.periods.values())
      for (const [key, c] of cells.get(counter) ?? []) totals.set(key, (totals.get(key) ?? 0) + c.n);
    return totals;
  }
}
