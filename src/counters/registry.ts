/**
 * What pagetrack counts: the one registry that the tally (what a log adds), the store (how the
 * counts are kept and rolled up) and the queries share. A counter counts page requests under a
 * key: the page for `page`, one key (`*`) for counters of the whole site. Which key a request
 * counts under is the counter's normaliser, in aggregate/normalise.ts. Adding a counter is an entry
 * here and a normaliser there.
 */
export interface CounterSpec {
  /**
   * How the counts of several log files combine. `sum`: a count is the sum over files, kept per UTC
   * hour, so that a recount of an hour replaces that hour (see store/levels.ts).
   */
  merge: "sum";
  /** Kept per UTC day only, or also per month, per year and for all time. */
  totals: boolean;
  /** Names the series of one key in the store. Only pages may start with "/". */
  series(key: string): string;
}

export const COUNTERS = {
  /** Page views of each page. */
  page: { merge: "sum", totals: true, series: (page: string) => page },
  /** Page views of the whole site. */
  site: { merge: "sum", totals: true, series: () => "*" },
  /** Page requests from bots, counted as views or not. */
  bots: { merge: "sum", totals: true, series: () => "~bots" },
} as const satisfies Record<string, CounterSpec>;

export type CounterName = keyof typeof COUNTERS;
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

/** The key of the counters that count the whole site. */
export const SITE_KEY = "*";

/** A number of page views (or requests) with the first and the last of them, in epoch seconds. */
export interface Cell {
  n: number;
  first: number;
  last: number;
}

/** The counts of one period (an hour, a day, all time): counter → key → cell. */
export type Cells = Map<CounterName, Map<string, Cell>>;

/** Adds `n` views, the first at `first` and the last at `last`, to the cell of a counter's key. */
export function addCell(
  cells: Cells,
  counter: CounterName,
  key: string,
  n: number,
  first: number,
  last: number,
) {
  let keys = cells.get(counter);
  if (keys === undefined) {
    keys = new Map();
    cells.set(counter, keys);
  }
  const cell = keys.get(key);
  if (cell === undefined) keys.set(key, { n, first, last });
  else {
    cell.n += n;
    if (first < cell.first) cell.first = first;
    if (last > cell.last) cell.last = last;
  }
}
