/**
 * What pagetrack counts: the one registry that the tally (what a log adds), the store (how the
 * counts are kept and rolled up) and the queries share. A counter counts page views (or the page
 * requests of bots) under a key: the page for `page`, one key (`*`) for the whole site, a browser's
 * name for `browser`. Which key a view counts under is the counter's normaliser, in
 * aggregate/normalise.ts. Adding a counter is an entry here and a normaliser there.
 *
 * Counts of several log files are sums, kept per UTC hour so that a recount of an hour replaces
 * that hour (store/levels.ts). A counter's layout says how the store keeps them:
 * - `series`: each key on its own, per day with its hours, per month, per year and for all time,
 *   with the first and the last view: the pages, the site, its bots;
 * - `breakdown`: per UTC day only, all the keys of a day side by side, so that a day's breakdown is
 *   one query: the audience's dimensions.
 */
export type CounterSpec =
  | {
      layout: "series" /** Names a key's series in the store; only pages start with "/". */;
      series(key: string): string;
    }
  | { layout: "breakdown" };

export const COUNTERS = {
  /** Page views of each page. */
  page: { layout: "series", series: (page: string) => page },
  /** Page views of the whole site. */
  site: { layout: "series", series: () => "*" },
  /** Page requests from bots, counted as views or not. */
  bots: { layout: "series", series: () => "~bots" },
  /** Entries by where they came from: utm_source, source or ref, (direct), a family, a host. */
  source: { layout: "breakdown" },
  /** Entries by utm_campaign. */
  campaign: { layout: "breakdown" },
  /** Entries by their page. */
  entry: { layout: "breakdown" },
  /** Page views by browser, OS, device and country. */
  browser: { layout: "breakdown" },
  os: { layout: "breakdown" },
  device: { layout: "breakdown" },
  country: { layout: "breakdown" },
} as const satisfies Record<string, CounterSpec>;

export type CounterName = keyof typeof COUNTERS;
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

/** The audience's dimensions, as `/breakdown` and `pagetrack top` name them. */
export const DIMENSIONS = COUNTER_NAMES.filter((c) => COUNTERS[c].layout === "breakdown") as Exclude<
  CounterName,
  "page" | "site" | "bots"
>[];
export type Dimension = (typeof DIMENSIONS)[number];

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
): void {
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
