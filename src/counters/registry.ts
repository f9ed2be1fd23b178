/**
 * What pagetrack counts: the one registry that the tally (what a log adds), the store (how the
 * counts are kept and rolled up) and the queries share. A counter counts page views (or the page
 * requests of bots) under a key: the page for `page`, one key (`*`) for the whole site, a browser's
 * name for `browser`. Which key a view counts under is the counter's normaliser, in
 * aggregate/normalise.ts. Adding a counter is an entry here and a normaliser there.
 *
 * A counter's layout says what it counts and how the store keeps it:
 * - `series`: page views, a sum kept per UTC hour (so that a recount of an hour replaces that hour,
 *   store/levels.ts), for each key on its own per day with its hours, per month, per year and for
 *   all time, with the first and the last view: the pages, the site, its bots;
 * - `union`: visitors, the distinct readers of a UTC day: a union of the files' visitor ids, kept
 *   per day (store/visitors.ts); a range's visitors are the sum of its days, kept per month, year
 *   and for all time as a series is;
 * - `breakdown`: page views or entries per UTC day only, all the keys of a day side by side, so that
 *   a day's breakdown is one query: the audience's dimensions, with how they are shown
 *   (BreakdownSpec).
 * The all-time total of a series or a union is in the page's INDEX item (year slots whose names
 * start with `index`) or, without `index`, in the SITE partition.
 */
export type CounterSpec =
  | {
      layout: "series" | "union";
      /** Names a key's series in the store; only pages start with "/". */
      series(key: string): string;
      index?: string;
    }
  | BreakdownSpec;

/** A noun in the singular and the plural: "entry", "entries". */
export interface Noun {
  one: string;
  many: string;
}

/**
 * How a breakdown is shown, the same in `report`, `top` and the dashboard: what its values count,
 * how it and its values are named, and what their shares are of. A share is always of the
 * breakdown's own total, the sum of its values (`total` of /breakdown), so that the shares of a
 * breakdown add up to 100% wherever it is shown: a campaign's share is of the entries that carry a
 * campaign, a browser's of the page views.
 */
export interface BreakdownSpec {
  layout: "breakdown";
  /** What a value counts: entries or page views. */
  counts: "entries" | "views";
  /** The breakdown as a heading: "Sources". */
  title: string;
  /** One value's kind as a column's header: "Source". */
  label: string;
  /** Its values in running text: "3 sources". */
  values: Noun;
  /** What its total is, and so what its shares are of: "82 entries with a campaign". */
  total: Noun;
}

/**
 * An entry as every output names it: "from outside the site", so that nobody takes entries for
 * visits (a visitor can make none, see ENTRY_NOTE).
 */
export const ENTRIES: Noun = { one: "entry from outside the site", many: "entries from outside the site" };

/** What an entry is, said once where entries are totalled. */
export const ENTRY_NOTE =
  "an entry is a page view that came from another site or directly; a reader who moves only within the site makes none, so there can be fewer entries than visitors";

const VIEWS: Noun = { one: "page view", many: "page views" };

export const COUNTERS = {
  /** Page views of each page. */
  page: { layout: "series", series: (page: string) => page, index: "" },
  /** Page views of the whole site. */
  site: { layout: "series", series: () => "*" },
  /** Page requests from bots, counted as views or not. */
  bots: { layout: "series", series: () => "~bots" },
  /** Visitors of the whole site: distinct (client IP, user agent) pairs a UTC day. */
  visitors: { layout: "union", series: () => "~visitors" },
  /** Visitors of each page. */
  pageVisitors: { layout: "union", series: (page: string) => `~visitors:${page}`, index: "v" },
  /** Entries by where they came from: utm_source, source or ref, (direct), a family, a host. */
  source: {
    layout: "breakdown",
    counts: "entries",
    title: "Sources",
    label: "Source",
    values: { one: "source", many: "sources" },
    total: ENTRIES,
  },
  /** Entries by utm_campaign: only those that carry one, and so do their shares. */
  campaign: {
    layout: "breakdown",
    counts: "entries",
    title: "Campaigns",
    label: "Campaign",
    values: { one: "campaign", many: "campaigns" },
    total: { one: "entry with a campaign", many: "entries with a campaign" },
  },
  /** Entries by their page. */
  entry: {
    layout: "breakdown",
    counts: "entries",
    title: "Entry pages",
    label: "Entry page",
    values: { one: "entry page", many: "entry pages" },
    total: ENTRIES,
  },
  /** Page views by browser, OS, device and country. */
  browser: {
    layout: "breakdown",
    counts: "views",
    title: "Browsers",
    label: "Browser",
    values: { one: "browser", many: "browsers" },
    total: VIEWS,
  },
  os: {
    layout: "breakdown",
    counts: "views",
    title: "Operating systems",
    label: "Operating system",
    values: { one: "operating system", many: "operating systems" },
    total: VIEWS,
  },
  device: {
    layout: "breakdown",
    counts: "views",
    title: "Devices",
    label: "Device",
    values: { one: "device", many: "devices" },
    total: VIEWS,
  },
  country: {
    layout: "breakdown",
    counts: "views",
    title: "Countries",
    label: "Country",
    values: { one: "country", many: "countries" },
    total: VIEWS,
  },
} as const satisfies Record<string, CounterSpec>;

export type CounterName = keyof typeof COUNTERS;

/**
 * Where a series' or union's all-time total is kept: the prefix of its slots in the page's INDEX
 * item, or undefined for the SITE partition (and for breakdowns, which have none).
 */
export function indexPrefix(counter: CounterName): string | undefined {
  const spec: CounterSpec = COUNTERS[counter];
  return spec.layout === "breakdown" ? undefined : spec.index;
}
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

/** The audience's dimensions, as `/breakdown` and `pagetrack top` name them. */
export const DIMENSIONS = COUNTER_NAMES.filter((c) => COUNTERS[c].layout === "breakdown") as Exclude<
  CounterName,
  "page" | "site" | "bots" | "visitors" | "pageVisitors"
>[];
export type Dimension = (typeof DIMENSIONS)[number];

/** How a dimension's breakdown is shown, and what its shares are of. */
export function breakdownSpec(dimension: Dimension): BreakdownSpec {
  return COUNTERS[dimension];
}

/** The key of the counters that count the whole site. */
export const SITE_KEY = "*";

/**
 * A number of page views (or requests) with the first and the last of them, in epoch seconds; for a
 * union counter, the visitor ids themselves, `n` their number.
 */
export interface Cell {
  n: number;
  first: number;
  last: number;
  ids?: Set<number>;
}

/** The counts of one period (an hour, a day, all time): counter → key → cell. */
export type Cells = Map<CounterName, Map<string, Cell>>;

/** Adds visitor ids to the cell of a union counter's key. */
export function addVisitors(
  cells: Cells,
  counter: CounterName,
  key: string,
  ids: Iterable<number> | number,
): void {
  let keys = cells.get(counter);
  if (keys === undefined) {
    keys = new Map();
    cells.set(counter, keys);
  }
  let cell = keys.get(key);
  if (cell === undefined) {
    cell = { n: 0, first: 0, last: 0, ids: new Set() };
    keys.set(key, cell);
  }
  const set = cell.ids as Set<number>;
  if (typeof ids === "number") set.add(ids);
  else for (const id of ids) set.add(id);
  cell.n = set.size;
}

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
