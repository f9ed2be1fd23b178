import { keys, type PeriodLevel } from "../store/keys.js";

/**
 * What pagetrack counts: the one registry that the tally (what a log adds), the store (how the
 * counts are kept and rolled up), the queries, the CLI, the HTTP API, the dashboard and the test
 * traffic's generator share. A counter counts page views (or entries, or the page requests of bots,
 * or distinct visitors) under a key: the page for `page`, one key (`*`) for the whole site, a
 * browser's name for `browser`. Which key a view counts under is the counter's normaliser, in
 * aggregate/normalise.ts. Adding a counter is an entry here and a normaliser there; the compiler
 * then names what else must know it (the generator's intended values, for a dimension).
 *
 * A counter's layout says how the store keeps it:
 * - `series`: a sum kept per UTC hour (so that a recount of an hour replaces that hour,
 *   store/levels.ts), for each key on its own per day with its hours, per month, per year and for
 *   all time, with the first and the last view: the pages, the site, its bots;
 * - `union`: distinct clients of a UTC day: a union of the files' visitor ids, kept per day
 *   (store/visitors.ts); a range's are the sum of its days, kept per month, year and for all time
 *   as a series is;
 * - `breakdown`: a sum per UTC day only, all the keys of a day side by side, so that a day's
 *   breakdown is one query: the audience's dimensions, with how they are shown (BreakdownSpec).
 * The all-time total of a series or a union is in the page's INDEX item (year slots whose names
 * start with `index`) or, without `index`, in the SITE partition.
 */
export type CounterSpec =
  | SeriesSpec
  | BreakdownSpec
  | ListedUnionSpec
  | ListSpec
  | DetailSpec
  | PageAudienceSpec
  | LevelSpec;

/**
 * Audience dimensions for one page at a time (`/breakdown?page=`): tallied under one key per view (or
 * entry) that holds the page and its value in each dimension (`["/x/","Chrome","Windows",...]`), so
 * that a view adds one key, not one a dimension; the rollup splits a page's keys into one item per
 * dimension, page and UTC day (keys.pageAudience, sort key the page) whose hour slots hold all the
 * page's values, so that a page's day is one small read, as a site's breakdown is. Kept by the store
 * only: `report` shows no page's audience.
 */
export interface PageAudienceSpec {
  layout: "breakdown";
  counts: Measure;
  /** The dimensions it keeps for each page, in the order of its keys' values. */
  pageOf: readonly string[];
}

export interface SeriesSpec {
  layout: "series" | "union";
  counts: Measure;
  /** Names a key's series in the store; only pages start with "/". */
  series(key: string): string;
  index?: string;
}

/**
 * A union whose keys are a dimension's values (downloads by file): each day's distinct clients are
 * also kept side by side in one partition per day (`<site>#<counter>#<day>`, sort key the key), so
 * that the day's values are one query, as a breakdown's are. Its days are the site's.
 */
export interface ListedUnionSpec extends Omit<BreakdownSpec, "layout"> {
  layout: "union";
  series(key: string): string;
  list: true;
}

/** A union only listed by day, no dimension of its own (a feed's other clients). */
export interface ListSpec {
  layout: "union";
  counts: Measure;
  series(key: string): string;
  list: true;
  server?: true;
}

/**
 * What a breakdown's values have besides their count, kept as a breakdown is (a sum per UTC day and
 * key) but no dimension of its own: the pages and bytes of each crawler, where each missing page is
 * linked from.
 */
export interface DetailSpec {
  layout: "breakdown";
  counts: Measure;
  detailOf: string;
  server?: true;
}

/**
 * A level (feed subscribers): the largest value a key reached on a day of
 * the site, its key `<day> <key>` as a union's, kept per UTC hour as a breakdown is (partition of the
 * hour's UTC day) and read as the largest of its hours. Read at a day, never added up over days.
 */
export interface LevelSpec {
  layout: "level";
  counts: Measure;
  server?: true;
}

/** A noun in the singular and the plural: "entry", "entries". */
export interface Noun {
  one: string;
  many: string;
}

/**
 * What a counter's numbers are, and so how they add up over time: events (page views, entries,
 * requests) add up; distinct clients are distinct within a day of the site, a range's being the
 * sum of its days'; a level (feed subscribers) is read at a time and never added up.
 */
export interface MeasureSpec {
  /** The header of a column of them: "Views". */
  header: string;
  over: "sum" | "days" | "level";
  /** What one is, said once where they are totalled (entries, which are not visits). */
  note?: string;
}

/**
 * An entry as every output names it: "from outside the site", so that nobody takes entries for
 * visits (a visitor can make none, see ENTRY_NOTE).
 */
export const ENTRIES: Noun = { one: "entry from outside the site", many: "entries from outside the site" };

/** What an entry is, said once where entries are totalled. */
export const ENTRY_NOTE =
  "an entry is a page view that came from another site or directly; a reader who moves only within the site makes none, so there can be fewer entries than visitors";

export type Measure = "views" | "entries" | "requests" | "bytes" | "clients" | "downloads" | "subscribers";

export const MEASURES: Record<Measure, MeasureSpec> = {
  views: { header: "Views", over: "sum" },
  entries: { header: "Entries", over: "sum", note: ENTRY_NOTE },
  requests: { header: "Requests", over: "sum" },
  bytes: { header: "Bytes", over: "sum" },
  clients: { header: "Clients", over: "days" },
  downloads: {
    header: "Downloads",
    over: "days",
    note: "a download is a client (IP address and user agent) fetching a file on a day, however many requests it takes",
  },
  subscribers: { header: "Subscribers", over: "level" },
};

/**
 * How a breakdown is shown, the same in `report`, `top` and the dashboard: what its values count,
 * how it and its values are named, what their shares are of, and where the dashboard shows it. A
 * share is always of the breakdown's own total, the sum of its values (`total` of /breakdown), so
 * that the shares of a breakdown add up to 100% wherever it is shown: a campaign's share is of the
 * entries that carry a campaign, a browser's of the page views.
 */
export interface BreakdownSpec {
  layout: "breakdown";
  /** Keeps each value's first and last request in each hour, as a series does: a crawler's last. */
  times?: true;
  /**
   * It counts requests that are no page views (a crawler's, a missing page's, a download, a feed
   * fetch): the tally hands those only to such counters.
   */
  server?: true;
  /** What a value counts. */
  counts: Measure;
  /** The breakdown as a heading: "Sources". */
  title: string;
  /** One value's kind as a column's header: "Source". */
  label: string;
  /** Its values in running text: "3 sources". */
  values: Noun;
  /** What its total is, and so what its shares are of: "82 entries with a campaign". */
  total: Noun;
  /**
   * Where the dashboard shows it: beside the pages, in the audience's grid, or with what only the
   * server's log tells (crawlers, missing pages); in the order of this registry in each.
   */
  panel: "pages" | "audience" | "server";
  /** The dashboard's line under the panel's title. */
  hint?: string;
  /**
   * Why the logs may give nothing but `(unknown)`: `report` says so instead of the values, and
   * the dashboard hides the panel then.
   */
  unknown?: string;
  /** How the dashboard shows a value: a host as a link to it, an ISO 3166-1 code with its region's name. */
  show?: "host" | "region";
}

const VIEWS: Noun = { one: "page view", many: "page views" };

/** What an entry is, under the title of the dashboard's panels that count entries. */
const ENTRY_HINT = `${ENTRY_NOTE.charAt(0).toUpperCase()}${ENTRY_NOTE.slice(1)}.`;

export const COUNTERS = {
  /** Page views of each page. */
  page: { layout: "series", counts: "views", series: (page: string) => page, index: "" },
  /** Page views of the whole site. */
  site: { layout: "series", counts: "views", series: () => "*" },
  /** The bytes of every response the log records (pages, assets, bots' and all): what the site served. */
  served: { layout: "series", counts: "bytes", series: () => "~bytes" },
  /** Page requests from bots, counted as views or not. */
  bots: { layout: "series", counts: "requests", series: () => "~bots" },
  /** Visitors of the whole site: distinct (client IP, user agent) pairs a day of the site. */
  visitors: { layout: "union", counts: "clients", series: () => "~visitors" },
  /** Visitors of each page. */
  pageVisitors: {
    layout: "union",
    counts: "clients",
    series: (page: string) => `~visitors:${page}`,
    index: "v",
  },
  /** Entries by where they came from: utm_source, source or ref, (direct), a family, a host. */
  source: {
    layout: "breakdown",
    counts: "entries",
    title: "Sources",
    label: "Source",
    values: { one: "source", many: "sources" },
    total: ENTRIES,
    panel: "audience",
    hint: `By utm_source, else by referrer (a family such as Google, or a host). ${ENTRY_HINT}`,
    show: "host",
  },
  /** Entries by utm_campaign: only those that carry one, and so do their shares. */
  campaign: {
    layout: "breakdown",
    counts: "entries",
    title: "Campaigns",
    label: "Campaign",
    values: { one: "campaign", many: "campaigns" },
    total: { one: "entry with a campaign", many: "entries with a campaign" },
    panel: "audience",
    hint: "By utm_campaign: shares are of the entries that carry one.",
  },
  /** Entries by their page. */
  entry: {
    layout: "breakdown",
    counts: "entries",
    title: "Entry pages",
    label: "Entry page",
    values: { one: "entry page", many: "entry pages" },
    total: ENTRIES,
    panel: "pages",
    hint: `The pages that entries from outside the site land on. ${ENTRY_HINT}`,
  },
  /** Page views by browser, OS, device and country. */
  browser: {
    layout: "breakdown",
    counts: "views",
    title: "Browsers",
    label: "Browser",
    values: { one: "browser", many: "browsers" },
    total: VIEWS,
    panel: "audience",
  },
  os: {
    layout: "breakdown",
    counts: "views",
    title: "Operating systems",
    label: "Operating system",
    values: { one: "operating system", many: "operating systems" },
    total: VIEWS,
    panel: "audience",
  },
  device: {
    layout: "breakdown",
    counts: "views",
    title: "Devices",
    label: "Device",
    values: { one: "device", many: "devices" },
    total: VIEWS,
    panel: "audience",
  },
  country: {
    layout: "breakdown",
    counts: "views",
    title: "Countries",
    label: "Country",
    values: { one: "country", many: "countries" },
    total: VIEWS,
    panel: "audience",
    unknown: "the logs name no country; see --ip-country",
    show: "region",
  },
  /** The audience of each page (`/breakdown?page=`): entry pages aside, a page's being itself. */
  pageViews: { layout: "breakdown", counts: "views", pageOf: ["browser", "os", "device", "country"] },
  pageSources: { layout: "breakdown", counts: "entries", pageOf: ["source"] },
  // Apart from sources: most entries carry no campaign, and their pages need no campaign item.
  pageCampaigns: { layout: "breakdown", counts: "entries", pageOf: ["campaign"] },
  /** Every request of a bot, by the crawler its user agent names (pageview/crawler.ts). */
  crawler: {
    layout: "breakdown",
    server: true,
    times: true,
    counts: "requests",
    title: "Crawlers",
    label: "Crawler",
    values: { one: "crawler", many: "crawlers" },
    total: { one: "request from a crawler", many: "requests from crawlers" },
    panel: "server",
    hint: "Every request of a bot, named by its user agent: search engines, AI crawlers, link previews, monitors, feed readers.",
  },
  /** A crawler's requests that would have been page views but for the bot test. */
  crawlerPages: { layout: "breakdown", counts: "requests", detailOf: "crawler", server: true },
  /** The bytes a crawler's requests were answered with, where the log records them. */
  crawlerBytes: { layout: "breakdown", counts: "bytes", detailOf: "crawler", server: true },
  /** GET and HEAD requests answered 404 or 410, by path (cleaned as pages are). */
  notfound: {
    layout: "breakdown",
    server: true,
    counts: "requests",
    title: "Not found",
    label: "Missing page",
    values: { one: "missing page", many: "missing pages" },
    total: { one: "request of a missing page", many: "requests of missing pages" },
    panel: "server",
    hint: "Requests answered 404 or 410, with the pages that link to them.",
  },
  /** Where the link to a missing page was: `notfoundLink` keys (pageview/server.ts). */
  notfoundFrom: { layout: "breakdown", counts: "requests", detailOf: "notfound", server: true },
  /** Distinct downloaders of each downloadable file: (client IP, user agent) pairs a day of the site. */
  download: {
    layout: "union",
    list: true,
    server: true,
    counts: "downloads",
    series: (path: string) => `~downloads:${path}`,
    title: "Downloads",
    label: "File",
    values: { one: "file", many: "files" },
    total: { one: "download", many: "downloads" },
    panel: "server",
    hint: "PDFs, archives and media: each client that fetched a file on a day is one download, however many range requests it took.",
  },
  /** Distinct clients of each feed a day, besides the readers that report their subscribers. */
  feedClients: {
    layout: "union",
    list: true,
    counts: "clients",
    series: (path: string) => `~feed:${path}`,
    server: true,
  },
  /** The subscribers each feed reader reports for a feed (`<day> <reader> <feed>`), its largest of the day. */
  feedReaders: { layout: "level", counts: "subscribers", server: true },
} as const satisfies Record<string, CounterSpec>;

export type CounterName = keyof typeof COUNTERS;

/**
 * Where a series' or union's all-time total is kept: the prefix of its slots in the page's INDEX
 * item, or undefined for the SITE partition (and for breakdowns, which have none).
 */
export function indexPrefix(counter: CounterName): string | undefined {
  const spec: CounterSpec = COUNTERS[counter];
  return "index" in spec ? spec.index : undefined;
}
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

/** The dimensions: the counters with a title (breakdowns, and the listed unions such as downloads). */
export type Dimension = {
  [C in CounterName]: (typeof COUNTERS)[C] extends { title: string } ? C : never;
}[CounterName];

/** What a breakdown or a listed union says of itself: how it and its values are shown. */
export type DimensionSpec = BreakdownSpec | ListedUnionSpec;

/**
 * The dimensions as `/breakdown`, `pagetrack top` and `report` name and list them, in this
 * registry's order.
 */
export const DIMENSIONS = COUNTER_NAMES.filter((c): c is Dimension => "title" in COUNTERS[c]);

/** How a dimension's breakdown is shown, and what its shares are of. */
export function breakdownSpec(dimension: Dimension): DimensionSpec {
  return COUNTERS[dimension];
}

/** The counter that keeps a dimension for one page at a time, if the dimension has one. */
export function pageCounter(dimension: Dimension): CounterName | undefined {
  return PAGE_COUNTERS.get(dimension);
}
const PAGE_COUNTERS = new Map(
  COUNTER_NAMES.flatMap((c): [string, CounterName][] => {
    const spec: CounterSpec = COUNTERS[c];
    return "pageOf" in spec ? spec.pageOf.map((dimension): [string, CounterName] => [dimension, c]) : [];
  }),
);

/** The dimensions that answer for one page: the audience's but entry pages, in the registry's order. */
export const PAGE_DIMENSIONS = DIMENSIONS.filter((d) => PAGE_COUNTERS.has(d));

/** The dimensions a page audience counter keeps, in the order of its keys' values. */
export function pageDimensions(counter: CounterName): readonly string[] {
  const spec: CounterSpec = COUNTERS[counter];
  return "pageOf" in spec ? spec.pageOf : [];
}

/** A page's audience (PageAudienceSpec). */
export function isPageAudience(counter: CounterName): boolean {
  return "pageOf" in COUNTERS[counter];
}

/** Keeps the first and last request of each value per hour (BreakdownSpec.times). */
export function keepsTimes(counter: CounterName): boolean {
  const spec: CounterSpec = COUNTERS[counter];
  return spec.layout === "series" || "times" in spec;
}

/** Counts requests that are no page views (BreakdownSpec.server). */
export function countsServerRequests(counter: CounterName): boolean {
  return "server" in COUNTERS[counter];
}

/** Counters kept only by the store (`report` has no output for them): the pages' audiences. */
export const isStoreOnly = isPageAudience;

/** A union kept also as a list per day (downloads, a feed's clients): ListedUnionSpec. */
export function isListed(counter: CounterName): boolean {
  return "list" in COUNTERS[counter];
}

/** The dimensions the dashboard shows in one place, in order. */
export function dimensionsOn(panel: BreakdownSpec["panel"]): Dimension[] {
  return DIMENSIONS.filter((d) => breakdownSpec(d).panel === panel);
}

/** Every period level, to name the store's partitions of levels. */
const LEVELS: Record<PeriodLevel, true> = { day: true, month: true, year: true };

/**
 * The names the store gives its own partitions (`<site>#contrib#<day>`, `<site>#INDEX`, …) and
 * series (`~bots`): a counter of one of these names would share their items, a breakdown's days
 * being partitions `<site>#<name>#<day>` (a dimension `contrib` would write into the contributions).
 * Taken from store/keys.ts, so that a new kind of item is guarded too.
 */
export function reservedNames(): Set<string> {
  const site = "s";
  const own = (partition: string) => partition.slice(site.length + 1).split("#")[0];
  const names = new Set<string>();
  for (const [kind, key] of Object.entries(keys)) {
    // A page's own partition starts with "/"; a breakdown's is the counter's name itself.
    if (kind === "views" || kind === "breakdown") continue;
    if (kind === "level")
      for (const level of Object.keys(LEVELS)) names.add(own(keys.level(site, level as PeriodLevel, "")));
    else names.add(own((key as (site: string, day: string) => string)(site, "2024-01-01")));
  }
  for (const spec of Object.values(COUNTERS) as CounterSpec[])
    if (spec.layout === "series" || spec.layout === "union") names.add(spec.series(""));
  names.delete("");
  return names;
}

/** A counter's name: it is a CLI argument, a URL parameter's value, a JSON key and part of partitions' keys. */
const NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * Fails on a counter that the store or the outputs could not keep apart from something else: a
 * name of the store's own (reservedNames), a name that is not a plain word, or a measure that its
 * layout cannot keep (levels have no layout yet).
 */
export function checkCounters(counters: Record<string, CounterSpec>): void {
  const reserved = reservedNames();
  for (const [name, spec] of Object.entries(counters)) {
    if (reserved.has(name))
      throw new Error(
        `counters/registry.ts: counter "${name}" has a name the store gives its own items (${[...reserved].join(", ")}): rename it`,
      );
    if (!NAME.test(name))
      throw new Error(
        `counters/registry.ts: counter "${name}" must be a word of letters and digits starting with a lower-case letter: rename it`,
      );
    const over = MEASURES[spec.counts].over;
    const kept = spec.layout === "union" ? "days" : spec.layout === "level" ? "level" : "sum";
    if (over !== kept)
      throw new Error(
        `counters/registry.ts: counter "${name}" counts ${spec.counts}, which a ${spec.layout} cannot keep: its layout keeps ${kept === "days" ? "distinct clients a day" : kept === "level" ? "levels" : "sums"}`,
      );
  }
}

checkCounters(COUNTERS);

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

/** A level's cell keeps the largest `n` it is given, `last` the time of the latest. */
export function addLevel(cells: Cells, counter: CounterName, key: string, n: number, time: number): void {
  let keys = cells.get(counter);
  if (keys === undefined) {
    keys = new Map();
    cells.set(counter, keys);
  }
  const cell = keys.get(key);
  if (cell === undefined) keys.set(key, { n, first: time, last: time });
  else {
    if (n > cell.n) cell.n = n;
    if (time < cell.first) cell.first = time;
    if (time > cell.last) cell.last = time;
  }
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
