import type { PageRow, Series, SiteSettings } from "../contract/answers.js";
import { toCsv } from "../contract/csv.js";
import { MAX_DAILY_READ_DAYS, MAX_RANGE_DAYS } from "../contract/rules.js";
import { type Dimension, dimensionsOn } from "../counters/registry.js";
import { ApiError, get, setToken } from "./api.js";
import { BreakdownPanel } from "./breakdown.js";
import { hasVisitors, ViewsChart } from "./chart.js";
import { compare } from "./compare.js";
import { FeedsPanel } from "./feeds.js";
import {
  type Answers,
  answer,
  asking,
  boundsOf,
  choosePreset,
  failed,
  failures,
  filter,
  fromUrl,
  type Headline,
  keyOf,
  type Load,
  latest,
  listed,
  type Model,
  PAGE_ROWS,
  pending,
  received,
  selectPage,
  setDates,
  setInterval,
  setZone,
  showLastViews,
  sortBy,
  stale,
  turnPage,
  withBounds,
} from "./model.js";
import { bytesText, type Range } from "./panel.js";
import { CrawlersPanel, NotFoundPanel } from "./server-panels.js";
import {
  addDays,
  type Bounds,
  fits,
  hasRange,
  type Interval,
  type Preset,
  rangeLength,
  readState,
  type SortKey,
  type State,
  writeState,
} from "./state.js";
import { browserZone, dateIn, startOf } from "./zone.js";

/** The dashboard: one page, its state in the URL, everything from the HTTP API. */

const number = new Intl.NumberFormat();
const when = () =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: model.state.tz });
/** A page's first and last view in the table: the date (the time is in its title). */
const day = () =>
  new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: model.state.tz,
  });
/** Local dates (YYYY-MM-DD) as the notes and the legend name them: "12 May 2015", "12 May – 10 Jun 2015". */
const dates = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const asDate = (date: string) => new Date(`${date}T12:00:00Z`);
const dateText = (date: string) => dates.format(asDate(date));
const rangeText = (from: string, to: string) =>
  from === to ? dateText(from) : dates.formatRange(asDate(from), asDate(to));
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
/** A count, or a dash when the API did not give it (visitors, from an API older than them). */
const count = (n: number | undefined) => (n === undefined ? "–" : number.format(n));

/** What is shown and what has been loaded for it: changed by the model's transitions, through `commit`. */
let model: Model;

const chart = new ViewsChart(byId("chart"));
/** A panel of the range: a breakdown, or one of what only the server's log tells. */
interface RangePanel {
  readonly root: HTMLElement;
  load(range: Range, page?: string): Promise<void>;
  unavailable(message: string): void;
}
/** The panels the registry puts beside the pages (entry pages), and those of the audience grid. */
const besidePages = dimensionsOn("pages").map((dimension) => new BreakdownPanel(dimension, "h2"));
const audience = dimensionsOn("audience").map((dimension) => new BreakdownPanel(dimension, "h3"));
/**
 * What only the server's log tells: crawlers and missing pages have panels of their own (their
 * answers say more than a breakdown's values), its other dimensions (downloads) are breakdowns, and
 * the feeds' subscribers come last.
 */
const OWN_PANELS: Partial<Record<Dimension, () => RangePanel>> = {
  crawler: () => new CrawlersPanel(),
  notfound: () => new NotFoundPanel(),
};
const server: RangePanel[] = [
  ...dimensionsOn("server").map(
    (dimension) => OWN_PANELS[dimension]?.() ?? new BreakdownPanel(dimension, "h3"),
  ),
  new FeedsPanel(),
];

function setPhase(phase: "loading" | "ready" | "empty" | "error", message = "", html = false): void {
  document.body.dataset.state = phase;
  const status = byId("status");
  status.className = phase === "error" ? "error" : "";
  if (html) status.innerHTML = message;
  else status.textContent = message;
  byId("main").setAttribute("aria-busy", String(phase === "loading"));
}

function fail(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    byId("token-form").hidden = false;
    byId("content").hidden = true;
    setPhase("error", `The API refused the request: ${error.message}.`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  setPhase("error", `Could not load page views: ${message}`);
}

/** The local date (in the zone shown) of an ISO time. */
const localDate = (iso: string) => dateIn(Date.parse(iso), model.state.tz);

interface Totals {
  total: number;
  since: string | null;
  /** The site's first and last view, if the API gives them (else the pages' give them). */
  first?: string | null;
  last?: string | null;
  /** The whole site, whatever the pages listed (APIs that have it). */
  site?: { views: number; first: string | null; last: string | null };
}

/**
 * The site's totals: one page is enough, since `site` covers the whole site (a large site's full
 * list would be refused); an API without `site` answers the whole list, as before.
 */
const siteTotals = () => get<Totals>("/pagetotals", { limit: "1" });

/** The site's views, from `site` where the API gives it. */
const siteViews = (totals: Totals) => totals.site?.views ?? totals.total;

/** The site's first and last view (local dates in `tz`): /pagetotals' when it has both, else those of the pages list. */
async function siteBounds(totals: Totals, tz: string): Promise<Bounds | undefined> {
  const local = (iso: string) => dateIn(Date.parse(iso), tz);
  if (totals.site?.first && totals.site.last)
    return { first: local(totals.site.first), last: local(totals.site.last) };
  const first = totals.first ?? totals.since;
  if (first && totals.last) return { first: local(first), last: local(totals.last) };
  return boundsOf((await get<{ pages: PageRow[] }>("/pages", {})).pages, tz);
}

/** The URL's `api=` (an API elsewhere), kept in every URL written. */
const apiParameter = () => new URLSearchParams(location.search).get("api");

/**
 * The one place a change of the model takes effect: the URL (a new entry of the history, or the
 * current one replaced), the controls and the table, and the loads whose inputs changed. Resolves
 * once those loads are shown.
 */
async function commit(next: Model, url?: "push" | "replace"): Promise<void> {
  const loads = stale(next);
  model = asking(next, loads);
  if (url) {
    const href = writeState(model.state, model.homeZone, apiParameter());
    if (url === "push") history.pushState(null, "", href);
    else history.replaceState(null, "", href);
  }
  renderControls();
  renderPages();
  if (loads.length === 0) {
    settle();
    return;
  }
  setPhase("loading", "Loading…");
  renderNote();
  await Promise.all(loads.map(run));
}

/** Ready once every load of the state has its answer (a failure stays shown until the next change). */
function settle(): void {
  if (pending(model).length === 0 && failures(model).length === 0) setPhase("ready");
}

/** Asks for a load's answer and shows it, unless the state has moved on meanwhile. */
async function run<L extends Load>(load: L): Promise<void> {
  const asked = model;
  const key = keyOf(asked.state, load);
  try {
    const value = (await LOADERS[load](asked)) as Answers[L];
    model = received(model, load, key, value);
    if (answer(model, load) !== value) return;
    RENDERERS[load](value);
  } catch (error) {
    if (model.loads[load]?.key !== key) return;
    model = failed(model, load, key);
    return fail(error);
  }
  settle();
}

/** Headline sums are per day (exact for the range) unless the range is too long for days. */
const headlineInterval = (state: State) => (fits(state.from, state.to, "day", state.tz) ? "day" : "month");

/** How each load asks the API, from the model when it was asked for. */
const LOADERS: { [L in Load]: (m: Model) => Promise<Answers[L]> } = {
  chart: ({ state }) =>
    get<Series>("/pageviews", {
      from: state.from,
      to: state.to,
      tz: state.tz,
      page: state.page,
      interval: state.interval,
    }),
  // In the site's zone the headline has visitors, also when the chart is hourly (the API counts
  // visitors per day).
  async headline({ state }) {
    const { from, to, tz } = state;
    const comparison = compare({ from, to, tz, allTime: state.preset === "all" });
    const interval = headlineInterval(state);
    const sum = (r: { from: string; to: string }) =>
      get<Series>("/pageviews", { ...r, tz, interval, page: state.page });
    const [site, before, upToCut] = await Promise.all([
      sum({ from, to }),
      "previous" in comparison ? sum(comparison.previous) : undefined,
      "elapsed" in comparison ? sum(comparison.now) : undefined,
    ]);
    return { site, comparison, before, upToCut };
  },
  // The site's series (without a page) has the bytes served, where the API counts them.
  async site({ state }) {
    const asked = { from: state.from, to: state.to, tz: state.tz, interval: headlineInterval(state) };
    const [bots, site] = await Promise.all([
      get<Series>("/pageviews", { ...asked, bots: "true" }),
      get<Series>("/pageviews", asked),
    ]);
    return { bots: bots.total, bytes: site.bytes };
  },
  pages: async ({ state }) =>
    (await get<{ pages: PageRow[] }>("/pages", { from: state.from, to: state.to, tz: state.tz })).pages,
  entries: async ({ state }) => {
    await loadPanels(besidePages, rangeOf(state), "entries");
    return true;
  },
  audience: async ({ state }) => {
    await loadPanels(audience, rangeOf(state), "audience", state.page);
    return true;
  },
  server: async ({ state }) => {
    await loadPanels(server, rangeOf(state), "server");
    return true;
  },
};

const rangeOf = ({ from, to, tz }: State): Range => ({ from, to, tz });

/** What each answer is shown in. */
const RENDERERS: { [L in Load]: (answer: Answers[L]) => void } = {
  chart: (series) => renderChart(visible(series)),
  headline: (headline) => {
    renderHeadline(headline);
    renderNote();
  },
  site: ({ bots, bytes }) => {
    byId("bots").textContent = number.format(bots);
    // An API that does not count bytes yet gives none: no card then.
    byId("bytes-card").hidden = bytes === undefined;
    const figure = byId("bytes");
    figure.textContent = bytes === undefined ? "–" : bytesText(bytes);
    figure.title = bytes === undefined ? "" : `${number.format(bytes)} bytes`;
    figure.dataset.bytes = String(bytes ?? "");
  },
  pages: (pages) => {
    byId("pages-viewed").textContent = number.format(pages.filter((p) => (p.viewsInRange ?? 0) > 0).length);
    renderPages();
    renderNote();
  },
  entries: () => {},
  audience: () => {},
  server: () => {},
};

function renderControls(): void {
  const { state } = model;
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
    button.setAttribute("aria-pressed", String(button.dataset.preset === state.preset));
  }
  byId<HTMLInputElement>("from").value = state.from;
  byId<HTMLInputElement>("to").value = state.to;
  const select = byId<HTMLSelectElement>("interval");
  for (const option of select.options)
    option.disabled = !fits(state.from, state.to, option.value as Interval, state.tz);
  select.value = state.interval;
  byId<HTMLInputElement>("prefix").value = state.prefix;
  byId<HTMLInputElement>("search").value = state.search;
  byId<HTMLSelectElement>("tz").value = state.tz;
  renderAudienceHead();
  renderNote();
}

/**
 * The audience's heading: the whole site's, or the selected page's, with a button back to the whole
 * site. Entry pages stay the site's (a page's own entries are its row there), and say so.
 */
function renderAudienceHead(): void {
  const { page } = model.state;
  byId("audience-title").textContent = page ? `Audience of ${page}` : "Audience";
  byId("audience-note").textContent = page
    ? `${page} in the range: sources and campaigns count the entries from outside the site that landed on it, the other panels its page views. Entry pages stay the whole site's.`
    : "Whole site, in the range. Each panel's total says what it counts: page views, or entries from outside the site. Select a page in the table to see its own audience.";
  byId("audience-whole-site").hidden = !page;
  for (const panel of besidePages) panel.retitle(page ? `${panel.title} of the whole site` : undefined);
}

/**
 * The note under the range, when it is not the one asked for or has nothing: the dashboard opened
 * where the views are, the range is longer than the API charts, or the range has no views.
 */
function renderNote(): void {
  const { state, landed, bounds } = model;
  const notes: string[] = [];
  const action = byId("range-note-action");
  action.hidden = true;
  if (landed) {
    notes.push(
      `No views in the last 30 days; showing ${rangeText(state.from, state.to)}, the last 30 days with views.`,
    );
  }
  if (state.clamped) {
    const years = MAX_RANGE_DAYS.month / 366;
    const what = state.preset === "all" ? "All time" : "The range";
    const asked =
      state.preset === "all"
        ? `the first view was on ${dateText(state.clamped)}`
        : `the range asked for starts on ${dateText(state.clamped)}`;
    notes.push(
      `${what} is longer than the chart can cover (${years} years of months): showing ${rangeText(state.from, state.to)}; ${asked}.`,
    );
  }
  // The views of the range (undefined while loading), and a page's own first and last view.
  const rangeViews = answer(model, "headline")?.site.total;
  const row = answer(model, "pages")?.find((p) => p.page === state.page);
  if (rangeViews === 0 && state.page) {
    if (row) {
      notes.push(
        `No views of ${state.page} in this range; its views run from ${dateText(localDate(row.first))} to ${dateText(localDate(row.last))}.`,
      );
      action.textContent = "Show its last 30 days with views";
      action.dataset.to = localDate(row.last);
      action.hidden = false;
    } else if (answer(model, "pages")) notes.push(`${state.page} has no views at all.`);
  } else if (rangeViews === 0 && !landed && bounds) {
    notes.push(
      `No views in this range; the site's views run from ${dateText(bounds.first)} to ${dateText(bounds.last)}.`,
    );
    action.textContent = "Show the last 30 days with views";
    action.dataset.to = bounds.last;
    action.hidden = false;
  }
  byId("range-note-text").textContent = notes.join(" ");
  byId("range-note").hidden = notes.length === 0;
}

/**
 * Whether visitors may be shown: in the site's zone only, where the API gives them for buckets of
 * whole site days (an API without /site gives them per UTC day, which may exceed a bucket's views).
 */
const visitorsHere = () => model.siteZone !== undefined && model.state.tz === model.siteZone;

/** A series as shown: without visitors where they may not be shown. */
function visible(series: Series): Series {
  if (visitorsHere()) return series;
  const { visitors: _, ...rest } = series;
  return { ...rest, points: series.points.map(({ visitors: __, ...p }) => p) };
}

/** Why visitors are not shown. */
function noVisitors(): string {
  if (model.siteZone === undefined) return "This API does not count visitors by the site's days.";
  return `Visitors are counted in days of ${model.siteZone}.`;
}

/** What a range too long to break down hides, as its message says it. */
const TOO_LONG = {
  entries: "Entry pages",
  audience: "The audience",
  server: "What only the server's log tells",
};

/**
 * The panels of a range (for the audience, of a page or of the whole site); resolves when each
 * shows its answer or its error. A range longer than the API breaks down hides a section's grid
 * and says why.
 */
async function loadPanels(
  panels: RangePanel[],
  range: Range,
  section: keyof typeof TOO_LONG,
  page?: string,
): Promise<void> {
  const long = rangeLength(range.from, range.to, range.tz) > MAX_DAILY_READ_DAYS;
  const text = `${TOO_LONG[section]} ${section === "server" ? "is counted" : "is broken down"} over at most ${number.format(MAX_DAILY_READ_DAYS)} days: choose a shorter range to see it.`;
  const message = document.getElementById(`${section}-message`);
  const grid = document.getElementById(`${section}-grid`);
  if (message && grid) {
    message.textContent = long ? text : "";
    message.hidden = !long;
    grid.hidden = long;
  }
  if (long) {
    for (const panel of panels) panel.unavailable(text);
    return;
  }
  await Promise.all(panels.map((panel) => panel.load(range, page)));
}

function renderHeadline(headline: Headline): void {
  const { page } = model.state;
  const { comparison } = headline;
  const site = visible(headline.site);
  const before = headline.before && visible(headline.before);
  const { upToCut } = headline;
  byId("views-title").textContent = page ? `Views of ${page}` : "Views";
  byId("views").textContent = number.format(site.total);
  byId("visitors-title").textContent = page ? `Visitors of ${page}` : "Visitors";
  byId("visitors").textContent = count(site.visitors);
  const change = byId("change");
  const visitors = byId("visitors-change");
  visitors.className = change.className = "change";
  if (!("previous" in comparison) || !before) {
    byId("previous").textContent = "–";
    change.textContent = "none" in comparison ? comparison.none : "";
    visitors.textContent = site.visitors === undefined ? noVisitors() : "";
    return;
  }
  byId("previous").textContent = number.format(before.total);
  // A running range is compared up to the same hour of both: its views up to then are said.
  const views = upToCut?.total ?? site.total;
  const upTo = upToCut ? ` (${number.format(views)} here)` : "";
  showChange(change, views, before.total, "views", (percent) => `${percent} ${comparison.label}${upTo}`);
  if (site.visitors === undefined) visitors.textContent = noVisitors();
  // Visitors count by whole days: a running range has no like-for-like previous figure.
  else if (upToCut) visitors.textContent = "Not compared while the range runs: visitors count whole days.";
  else if (before.visitors !== undefined) {
    const previous = before.visitors;
    const text = (percent: string) => `${percent} ${comparison.label} (${number.format(previous)})`;
    showChange(visitors, site.visitors, previous, "visitors", text);
  }
}
/** The change from the previous period, coloured up or down; nothing to compare with when it had none. */
function showChange(
  element: HTMLElement,
  now: number,
  before: number,
  what: string,
  text: (percent: string) => string,
): void {
  if (before === 0) {
    element.textContent = now > 0 ? text(`no ${what} to compare`).replace(/ \(.*\)$/, "") : "";
    element.className = "change";
    return;
  }
  const percent = ((now - before) / before) * 100;
  element.textContent = text(`${percent >= 0 ? "+" : "−"}${Math.abs(percent).toFixed(1)}%`);
  element.className = `change ${percent >= 0 ? "up" : "down"}`;
}

/** A series as the chart draws it: without the buckets after now (they can only be empty). */
function drawn(answer: Series): Series {
  const now = Date.now();
  return { ...answer, points: answer.points.filter((p) => Date.parse(p.t) <= now) };
}

function renderChart(answer: Series): void {
  const { state, siteZone } = model;
  const series = drawn(answer);
  // The bucket that holds now is marked.
  const partial = series.points.length > 0 && startOf(addDays(state.to, 1), state.tz) > Date.now();
  const what = state.page ?? "the whole site";
  const visitors = hasVisitors(series.points);
  const title = `${visitors ? "Views and visitors" : "Views"} of ${what} per ${state.interval}`;
  byId("chart-title").textContent = title;
  byId("chart-caption").textContent =
    `${title}: ${series.total} views${visitors ? `, ${series.visitors} visitors` : ""} in all`;
  const note = byId("chart-note");
  note.hidden = visitors;
  note.textContent =
    state.interval === "hour" && visitorsHere()
      ? `Visitors are counted per day (days of ${siteZone}), so hours show views only; the headline has the visitors of the range.`
      : `${noVisitors()} Views only.`;
  byId("whole-site").hidden = !state.page;
  chart.show({
    points: series.points,
    interval: state.interval,
    range: rangeText(state.from, state.to),
    total: series.total,
    visitors: visitors ? series.visitors : undefined,
    partial,
    tz: state.tz,
  });
  byId("chart-data-visitors").hidden = !visitors;
  const rows = series.points.map((p, i) => {
    const row = document.createElement("tr");
    row.dataset.t = p.t;
    if (partial && i === series.points.length - 1) row.dataset.partial = "true";
    row.dataset.views = String(p.views);
    row.innerHTML = `<td>${p.t}${row.dataset.partial ? " (so far)" : ""}</td><td>${p.views}</td>`;
    if (visitors) {
      row.dataset.visitors = String(p.visitors);
      row.insertAdjacentHTML("beforeend", `<td>${p.visitors}</td>`);
    }
    return row;
  });
  byId("chart-data")
    .querySelector("tbody")
    ?.replaceChildren(...rows);
}

/** The pages the table lists (filtered and sorted), from the last pages loaded. */
const shownPages = () => listed(latest(model, "pages") ?? [], model.state);

function renderPages(): void {
  const { state } = model;
  const pages = latest(model, "pages") ?? [];
  const shown = listed(pages, state);
  for (const th of document.querySelectorAll<HTMLElement>("#pages th")) {
    if (th.dataset.sort === state.sort)
      th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  }
  // A page of rows at a time: a large site's table would be thousands of pixels long.
  const last = Math.max(0, Math.ceil(shown.length / PAGE_ROWS) - 1);
  const offset = Math.min(model.offset, last * PAGE_ROWS);
  // The focus stays on the row it was on (a page just selected, say), now drawn again.
  const body = byId("pages").querySelector("tbody") as HTMLTableSectionElement;
  const focused = body.contains(document.activeElement)
    ? document.activeElement?.closest<HTMLElement>("tr[data-page]")?.dataset.page
    : undefined;
  const labels = [...document.querySelectorAll("#pages th")].map((th) => th.textContent ?? "");
  const rows = shown.slice(offset, offset + PAGE_ROWS).map((p) => pageRow(p, labels));
  body.replaceChildren(...rows);
  if (focused !== undefined)
    rows
      .find((r) => r.dataset.page === focused)
      ?.querySelector("button")
      ?.focus({ preventScroll: true });
  const span =
    shown.length > PAGE_ROWS
      ? `${number.format(offset + 1)}–${number.format(Math.min(offset + PAGE_ROWS, shown.length))} of `
      : "";
  byId("pages-note").textContent =
    shown.length === pages.length
      ? `${span}${number.format(pages.length)} pages`
      : `${span}${number.format(shown.length)} of ${number.format(pages.length)} pages match`;
  byId("pages-paging").hidden = shown.length <= PAGE_ROWS;
  byId<HTMLButtonElement>("pages-previous").disabled = offset === 0;
  byId<HTMLButtonElement>("pages-next").disabled = offset >= last * PAGE_ROWS;
}

/** A row of the pages table; `labels` are the columns' names, which a phone shows in each cell. */
function pageRow(p: PageRow, labels: string[]): HTMLTableRowElement {
  const row = document.createElement("tr");
  row.dataset.page = p.page;
  if (p.page === model.state.page) row.setAttribute("aria-selected", "true");
  // The path wraps after its slashes, never inside a name: a name wider than the column is cut
  // short with an ellipsis (the title has the whole path).
  const path = document.createElement("button");
  path.type = "button";
  path.title = `Show the views and audience of ${p.page}`;
  for (const part of p.page.split(/(?<=\/)/))
    path.append(
      Object.assign(document.createElement("span"), { className: "path-part", textContent: part }),
      document.createElement("wbr"),
    );
  const cells = [
    path,
    number.format(p.viewsInRange ?? 0),
    number.format(p.views),
    count(p.visitors),
    dateCell(p.first),
    dateCell(p.last),
  ];
  cells.forEach((content, i) => {
    const cell = document.createElement("td");
    if (i >= 1 && i <= 3) cell.className = "num";
    if (i >= 4) cell.className = "date";
    // On a phone a row is a card: each figure says what it is.
    cell.dataset.label = labels[i];
    cell.append(content);
    row.append(cell);
  });
  return row;
}

/** A first or last view: its date, with the time in its title. */
function dateCell(iso: string): HTMLElement {
  const date = new Date(iso);
  return Object.assign(document.createElement("time"), {
    dateTime: iso,
    title: when().format(date),
    textContent: day().format(date),
  });
}

/** A CSV file to save, named after what it holds. */
function download(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The chart's points as CSV: time (the bucket's start, ISO 8601), views, and visitors when it has them. */
function chartCsv(series: Series): string {
  const visitors = hasVisitors(series.points);
  return toCsv(
    visitors ? ["time", "views", "visitors"] : ["time", "views"],
    series.points.map((p) => (visitors ? [p.t, p.views, p.visitors ?? ""] : [p.t, p.views])),
  );
}

/** The pages listed (filtered and sorted as shown) as CSV, first and last views in ISO 8601. */
function pagesCsv(list: PageRow[]): string {
  return toCsv(
    ["page", "views_in_range", "views", "visitors", "first_view", "last_view"],
    list.map((p) => [p.page, p.viewsInRange ?? 0, p.views, p.visitors ?? "", p.first, p.last]),
  );
}

/** A file name's part for a page: its path without slashes ("blog-post-2"). */
const slug = (page: string) => page.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "home";

/** A preset's button. All time runs from the first view to the last: known once loaded, else asked for. */
async function onPreset(preset: Preset): Promise<void> {
  if (preset === "all" && !model.bounds) {
    setPhase("loading", "Loading…");
    try {
      model = withBounds(model, await siteBounds(await siteTotals(), model.state.tz));
    } catch (error) {
      return fail(error);
    }
  }
  commit(choosePreset(model, preset), "push");
}

/** "From" or "To" changed. */
function onDates(): void {
  const from = byId<HTMLInputElement>("from").value;
  const to = byId<HTMLInputElement>("to").value;
  if (!from || !to || from > to) setPhase("error", "The range is empty: “From” must not be after “To”.");
  else commit(setDates(model, from, to), "push");
}

/** The prefix or the search box changed: the table only, and the URL without a new entry. */
function onFilter(): void {
  const prefix = byId<HTMLInputElement>("prefix").value.trim();
  const search = byId<HTMLInputElement>("search").value.trim();
  commit(filter(model, prefix, search), "replace");
}

/**
 * Shows a page's series, and brings the chart into view when the row was far below it: once the
 * series is drawn, so that nothing drawn above the chart moves it away again.
 */
async function onSelectPage(page: string): Promise<void> {
  await commit(selectPage(model, page), "push");
  const chartBox = byId("chart-section").getBoundingClientRect();
  if (model.state.page !== page || (chartBox.top >= 0 && chartBox.bottom <= innerHeight)) return;
  const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
  byId("chart-section").scrollIntoView({ block: "start", behavior: smooth ? "smooth" : "auto" });
}

/**
 * A click anywhere on a row selects its page (not one that ends a selection of its text); the
 * keyboard has the path's button in each row.
 */
function onRowClick(e: MouseEvent): void {
  const target = e.target as HTMLElement;
  const page = target.closest<HTMLElement>("tr[data-page]")?.dataset.page;
  if (page === undefined) return;
  if (!target.closest("button") && getSelection()?.toString()) return;
  void onSelectPage(page);
}

/** The arrow keys go from row to row. */
function onRowKey(e: KeyboardEvent): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const row = (e.target as HTMLElement).closest("tr");
  const next = e.key === "ArrowDown" ? row?.nextElementSibling : row?.previousElementSibling;
  const button = next?.querySelector("button");
  if (!button) return;
  e.preventDefault();
  button.focus();
}

/** Turns the table's page; the focus stays on the button (or moves to its twin at either end). */
function onTurnPage(step: number): void {
  commit(turnPage(model, step, shownPages().length));
  const [here, other] = step > 0 ? ["pages-next", "pages-previous"] : ["pages-previous", "pages-next"];
  if (byId<HTMLButtonElement>(here).disabled) byId(other).focus();
}

function onDownloadChart(): void {
  const series = answer(model, "chart");
  if (!series) return;
  const { state } = model;
  const what = state.page ? slug(state.page) : "site";
  download(
    `pagetrack-${what}-${state.from}-${state.to}-${state.interval}.csv`,
    chartCsv(drawn(visible(series))),
  );
}

function onDownloadPages(): void {
  const { from, to } = model.state;
  download(`pagetrack-pages-${from}-${to}.csv`, pagesCsv(shownPages()));
}

function onToken(e: SubmitEvent): void {
  e.preventDefault();
  setToken(byId<HTMLInputElement>("token").value);
  byId("token-form").hidden = true;
  void start();
}

/** Back and forward: the URL's state, loading only what it changes. */
function onPopState(): void {
  commit(fromUrl(location.search, model, model));
}

function wire(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]"))
    button.addEventListener("click", () => onPreset(button.dataset.preset as Preset));
  byId("from").addEventListener("change", onDates);
  byId("to").addEventListener("change", onDates);
  byId<HTMLSelectElement>("tz").addEventListener("change", (e) =>
    commit(setZone(model, (e.target as HTMLSelectElement).value), "push"),
  );
  byId("interval").addEventListener("change", (e) =>
    commit(setInterval(model, (e.target as HTMLSelectElement).value as Interval), "push"),
  );
  byId("prefix").addEventListener("input", onFilter);
  byId("search").addEventListener("input", onFilter);
  for (const th of document.querySelectorAll<HTMLElement>("#pages th"))
    th.querySelector("button")?.addEventListener("click", () =>
      commit(sortBy(model, th.dataset.sort as SortKey), "replace"),
    );
  const body = byId("pages").querySelector("tbody") as HTMLTableSectionElement;
  body.addEventListener("click", onRowClick);
  body.addEventListener("keydown", onRowKey);
  byId("pages-previous").addEventListener("click", () => onTurnPage(-1));
  byId("pages-next").addEventListener("click", () => onTurnPage(1));
  byId("download-chart").addEventListener("click", onDownloadChart);
  byId("download-pages").addEventListener("click", onDownloadPages);
  byId("range-note-action").addEventListener("click", (e) => {
    const to = (e.currentTarget as HTMLElement).dataset.to;
    if (to) commit(showLastViews(model, to), "push");
  });
  for (const id of ["whole-site", "audience-whole-site"])
    byId(id).addEventListener("click", () => commit(selectPage(model, undefined), "push"));
  byId<HTMLFormElement>("token-form").addEventListener("submit", onToken);
  addEventListener("popstate", onPopState);
}

/** The site's settings; undefined from an API without /site (older than one zone for visitor days). */
async function siteSettings(): Promise<SiteSettings | undefined> {
  try {
    return await get<SiteSettings>("/site", {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The command that fills this store: the server names its options (`--data DIR`) in the page. */
function ingestCommand(): string {
  const options = document.querySelector<HTMLMetaElement>('meta[name="pagetrack-store"]')?.content.trim();
  const html = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return html(`npx pagetrack ingest path/to/logs${options ? ` ${options}` : ""}`);
}

async function start(): Promise<void> {
  setPhase("loading", "Loading…");
  try {
    const [totals, settings] = await Promise.all([siteTotals(), siteSettings()]);
    const siteZone = settings?.timeZone;
    const homeZone = siteZone ?? browserZone();
    if (siteViews(totals) === 0) {
      byId("content").hidden = true;
      setPhase(
        "empty",
        `No page views yet. Ingest your access logs with <code>${ingestCommand()}</code> (or try <code>npx pagetrack demo</code>), then reload this page.`,
        true,
      );
      return;
    }
    // The zone first: the site's first and last view are dates in it.
    const { tz } = readState(location.search, homeZone);
    renderZones(siteZone, tz);
    // Where the views are, when the range depends on it: the default (it moves to the last views
    // when the last 30 days have none) and all time.
    const search = new URLSearchParams(location.search);
    const bounds =
      !hasRange(location.search) || search.get("preset") === "all" ? await siteBounds(totals, tz) : undefined;
    byId("content").hidden = false;
    commit(fromUrl(location.search, { siteZone, homeZone, bounds }));
  } catch (error) {
    fail(error);
  }
}

/** The zones to pick from: the site's (its visitors' days), the browser's, UTC, and the URL's. */
function renderZones(siteZone: string | undefined, tz: string): void {
  const select = byId<HTMLSelectElement>("tz");
  const zones = [...new Set([siteZone ?? browserZone(), browserZone(), "UTC", tz])];
  select.replaceChildren(
    ...zones.map((zone) => {
      const option = new Option(zone === siteZone ? `${zone} (the site's)` : zone, zone);
      if (zone === browserZone() && zone !== siteZone) option.textContent = `${zone} (this browser's)`;
      return option;
    }),
  );
}

byId("pair").append(...besidePages.map((panel) => panel.root));
byId("audience-grid").append(...audience.map((panel) => panel.root));
byId("server-grid").append(...server.map((panel) => panel.root));
wire();
void start();
