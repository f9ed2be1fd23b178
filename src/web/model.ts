/**
 * The dashboard's model: the state of the URL, what the site is (its zone, where its views are) and
 * the answers loaded for the state. It changes only through the transitions below, pure functions of
 * a model that return the next; app.ts renders a model and turns each change into the URL and the
 * loads whose inputs changed (`stale`).
 */

import type { PageRow, Series } from "../contract/answers.js";
import type { Comparison } from "./compare.js";
import {
  addDays,
  type Bounds,
  chartable,
  fits,
  hasRange,
  type Interval,
  intervalFor,
  type Preset,
  presetRange,
  readState,
  type SortKey,
  type State,
} from "./state.js";
import { dateIn } from "./zone.js";

/** The headline's figures: the range's views (and visitors), and what they are compared with. */
export interface Headline {
  site: Series;
  comparison: Comparison | { none: string };
  before?: Series;
  /** A running range's views up to the hour its previous period is cut at. */
  upToCut?: Series;
}

/** What the dashboard loads, each answer read from a few inputs of the state. */
export interface Answers {
  /** The chart's series: the range, the page, the interval. */
  chart: Series;
  /** The headline: the range, the page, and whether it is all time (no previous period). */
  headline: Headline;
  /**
   * The whole site's figures beside the headline, whatever the page: bots filtered, and the bytes
   * served where the API gives them. The range.
   */
  site: { bots: number; bytes?: number };
  /**
   * The pages table, with each page's views in the range: the range only. The API reads one query a
   * page for them (up to 1,000), so they are asked for once per range and zone, not again when the
   * page, the interval, the filters or the sort change.
   */
  pages: PageRow[];
  /** Entry pages, beside the pages (a panel holds its answer itself): the range, always the whole site's. */
  entries: true;
  /** The audience panels: the range and the page (a page's audience, or the whole site's). */
  audience: true;
  /** What only the server's log tells (crawlers, missing pages, downloads, feeds): the range. */
  server: true;
}
export type Load = keyof Answers;
export const LOADS: Load[] = ["chart", "headline", "site", "pages", "entries", "audience", "server"];

export interface Model {
  state: State;
  /** The site's zone, whose days count the visitors; undefined for an API without /site (no visitors). */
  siteZone?: string;
  /** The zone shown when the URL names none: the site's, else the browser's. */
  homeZone: string;
  /** The site's first and last view (local dates), from /pagetotals or the pages' own. */
  bounds?: Bounds;
  /** Set when the dashboard opened on the last 30 days with views instead of its empty default. */
  landed: boolean;
  /** The first row of the pages table shown. */
  offset: number;
  /**
   * Each load's inputs (its key) when it was last asked for, and its answer once it came (or its
   * failure); `last` is the answer to earlier inputs, shown until then.
   */
  loads: { [L in Load]?: { key: string; answer?: Answers[L]; failed?: true; last?: Answers[L] } };
}

/** Rows of the pages table at a time. */
export const PAGE_ROWS = 25;

/** The inputs of a load, as one string: a load is asked for again only when they change. */
export function keyOf(state: State, load: Load): string {
  const range = [state.tz, state.from, state.to];
  switch (load) {
    case "chart":
      return JSON.stringify([...range, state.page ?? "", state.interval]);
    case "headline":
      return JSON.stringify([...range, state.page ?? "", state.preset === "all"]);
    case "audience":
      return JSON.stringify([...range, state.page ?? ""]);
    default:
      return JSON.stringify(range);
  }
}

/** The loads to ask for: their answer (held or asked for) is not for the model's state, or failed. */
export function stale(model: Model): Load[] {
  return LOADS.filter((load) => {
    const entry = model.loads[load];
    return entry?.key !== keyOf(model.state, load) || entry.failed === true;
  });
}

/** The loads for the model's state asked for and not answered yet. */
export function pending(model: Model): Load[] {
  return LOADS.filter((load) => {
    const entry = model.loads[load];
    return entry?.key === keyOf(model.state, load) && entry.answer === undefined && !entry.failed;
  });
}

/** The loads for the model's state that failed. */
export function failures(model: Model): Load[] {
  return LOADS.filter(
    (load) => model.loads[load]?.failed && model.loads[load]?.key === keyOf(model.state, load),
  );
}

/** The model once `loads` are asked for: their answers so far are dropped. */
export function asking(model: Model, loads: Load[]): Model {
  const next: Model["loads"] = { ...model.loads };
  for (const load of loads) {
    const entry = model.loads[load];
    next[load] = { key: keyOf(model.state, load), last: entry?.answer ?? entry?.last } as never;
  }
  return { ...model, loads: next };
}

/**
 * The model once an answer came for `key`: kept when the load still waits for those inputs (an
 * answer to a state left since is dropped). The pages' first and last views tell where the site's
 * views are.
 */
export function received<L extends Load>(model: Model, load: L, key: string, answer: Answers[L]): Model {
  if (model.loads[load]?.key !== key) return model;
  const next = { ...model, loads: { ...model.loads, [load]: { key, answer } } };
  if (load === "pages") next.bounds = boundsOf(answer as PageRow[], model.state.tz) ?? model.bounds;
  return next;
}

/** The model once a load failed: it is asked for again at the next change. */
export function failed(model: Model, load: Load, key: string): Model {
  if (model.loads[load]?.key !== key) return model;
  const { last } = model.loads[load] ?? {};
  return { ...model, loads: { ...model.loads, [load]: { key, failed: true, last } } };
}

/** A load's answer when it is the one for the model's state. */
export function answer<L extends Load>(model: Model, load: L): Answers[L] | undefined {
  const entry = model.loads[load];
  return entry?.key === keyOf(model.state, load) ? (entry.answer as Answers[L] | undefined) : undefined;
}

/** A load's answer for the model's state, else the last one it had (shown while the next loads). */
export function latest<L extends Load>(model: Model, load: L): Answers[L] | undefined {
  const entry = model.loads[load];
  return (entry?.answer ?? entry?.last) as Answers[L] | undefined;
}

/** The pages' first and last views, as local dates in `tz`. */
export function boundsOf(list: PageRow[], tz: string): Bounds | undefined {
  if (list.length === 0) return undefined;
  let [first, last] = [list[0].first, list[0].last];
  for (const p of list) {
    if (p.first < first) first = p.first;
    if (p.last > last) last = p.last;
  }
  return { first: dateIn(Date.parse(first), tz), last: dateIn(Date.parse(last), tz) };
}

/**
 * The model of a URL. Without a range in it, the dashboard opens on the last 30 days, or on the
 * last 30 days with views when those have none (logs of another year; `landed` says so). `previous`
 * keeps the answers already loaded (back and forward reload only what changed).
 */
export function fromUrl(
  search: string,
  site: { siteZone?: string; homeZone: string; bounds?: Bounds },
  previous?: Model,
  now = Date.now(),
): Model {
  const { siteZone, homeZone, bounds } = site;
  const read = readState(search, homeZone, bounds, now);
  const loads = previous?.loads ?? {};
  const model: Model = { state: read, siteZone, homeZone, bounds, landed: false, offset: 0, loads };
  if (hasRange(search) || !bounds || bounds.last >= read.from) return model;
  const from = addDays(bounds.last, -29);
  const state = {
    ...read,
    preset: undefined,
    from,
    to: bounds.last,
    interval: intervalFor(from, bounds.last, read.tz),
  };
  return { ...model, state, landed: true };
}

/** The site's first and last view, once asked for ("all time" runs from one to the other). */
export function withBounds(model: Model, bounds: Bounds | undefined): Model {
  return { ...model, bounds };
}

/** The interval kept when the range allows it, else the finest one that suits the range. */
function fitted(state: State): State {
  if (fits(state.from, state.to, state.interval, state.tz)) return state;
  return { ...state, interval: intervalFor(state.from, state.to, state.tz) };
}

/**
 * A new range: a preset, or dates (`preset` undefined). A range longer than the chart covers keeps
 * its last 50 years and says where it was asked to start (`clamped`).
 */
export function setRange(
  model: Model,
  range: { preset?: Preset; from: string; to: string; interval?: Interval; clamped?: string },
): Model {
  const chart = chartable(range.from, range.to, model.state.tz);
  const state = fitted({
    ...model.state,
    preset: range.preset,
    from: chart.from,
    to: chart.to,
    interval: range.interval ?? model.state.interval,
    clamped: range.clamped ?? chart.clamped,
  });
  return { ...model, state, landed: false };
}

/** A preset's range, now, in the zone shown ("all time" needs the site's bounds). */
export function choosePreset(model: Model, preset: Preset, now = Date.now()): Model {
  return setRange(model, { preset, ...presetRange(preset, model.state.tz, model.bounds, now) });
}

/** Dates typed (`from` not after `to`). */
export function setDates(model: Model, from: string, to: string): Model {
  return setRange(model, { from, to });
}

/** The 30 days up to a last view (the note's "Show the last 30 days with views"). */
export function showLastViews(model: Model, last: string): Model {
  return setDates(model, addDays(last, -29), last);
}

/** Another zone: a preset follows it ("today" is today there); dates stay the dates they were. */
export function setZone(model: Model, tz: string, now = Date.now()): Model {
  const zoned = { ...model, state: { ...model.state, tz } };
  const { preset } = model.state;
  return preset ? choosePreset(zoned, preset, now) : { ...zoned, state: fitted(zoned.state) };
}

export function setInterval(model: Model, interval: Interval): Model {
  return { ...model, state: fitted({ ...model.state, interval }) };
}

/** A page's series, or the whole site's (`page` undefined). */
export function selectPage(model: Model, page: string | undefined): Model {
  return { ...model, state: { ...model.state, page } };
}

/** The pages table's filters: back to its first rows. */
export function filter(model: Model, prefix: string, search: string): Model {
  return { ...model, state: { ...model.state, prefix, search }, offset: 0 };
}

/** Sorts the table by a column: again by the same one turns the order round; figures start largest first. */
export function sortBy(model: Model, sort: SortKey): Model {
  const descending = sort === model.state.sort ? !model.state.descending : sort !== "page";
  return { ...model, state: { ...model.state, sort, descending }, offset: 0 };
}

/** Turns the table's page by `step` pages, within the `rows` listed. */
export function turnPage(model: Model, step: number, rows: number): Model {
  const last = Math.max(0, Math.ceil(rows / PAGE_ROWS) - 1) * PAGE_ROWS;
  return { ...model, offset: Math.min(last, Math.max(0, model.offset + step * PAGE_ROWS)) };
}

/** The rows of the pages table: filtered by prefix and search, sorted as the state says. */
export function listed(pages: PageRow[], state: State): PageRow[] {
  const search = state.search.toLowerCase();
  return pages
    .filter((p) => p.page.startsWith(state.prefix) && p.page.toLowerCase().includes(search))
    .sort((a, b) => (state.descending ? -1 : 1) * SORTERS[state.sort](a, b));
}

const SORTERS: Record<SortKey, (a: PageRow, b: PageRow) => number> = {
  page: (a, b) => (a.page < b.page ? -1 : a.page > b.page ? 1 : 0),
  range: (a, b) => (a.viewsInRange ?? 0) - (b.viewsInRange ?? 0) || b.page.localeCompare(a.page),
  views: (a, b) => a.views - b.views || b.page.localeCompare(a.page),
  visitors: (a, b) => (a.visitors ?? 0) - (b.visitors ?? 0) || b.page.localeCompare(a.page),
  first: (a, b) => a.first.localeCompare(b.first),
  last: (a, b) => a.last.localeCompare(b.last),
};
