import { toCsv } from "../cli/csv.js";
import {
  ApiError,
  type Dimension,
  get,
  type PageRow,
  type Series,
  type SiteSettings,
  setToken,
} from "./api.js";
import { BreakdownPanel, type Range } from "./breakdown.js";
import { hasVisitors, ViewsChart } from "./chart.js";
import { type Comparison, compare } from "./compare.js";
import {
  addDays,
  type Bounds,
  chartable,
  fits,
  hasRange,
  type Interval,
  intervalFor,
  MAX_BREAKDOWN_DAYS,
  MAX_DAYS,
  type Preset,
  presetRange,
  rangeLength,
  readState,
  type SortKey,
  type State,
  writeState,
} from "./state.js";
import { browserZone, dateIn, startOf } from "./zone.js";

/** The dashboard: one page, its state in the URL, everything from the HTTP API. */

/** The zone shown: the site's (from /site), or the one the URL names. */
let tz = browserZone();
/** The site's zone, whose days count the visitors; undefined for an API without /site (no visitors then). */
let siteZone: string | undefined;
const number = new Intl.NumberFormat();
const when = () =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: tz });
/** A page's first and last view in the table: the date (the time is in its title). */
const day = () =>
  new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: tz });
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

let state: State;
/** The site's first and last view (local dates), from /pagetotals or the pages' own. */
let bounds: Bounds | undefined;
let pages: PageRow[] = [];
/** What is shown, for the CSV downloads: the chart's series and the pages listed. */
let shownSeries: Series | undefined;
let shownPages: PageRow[] = [];
/** The views of the range on the whole site (undefined while loading), for the note on an empty range. */
let rangeViews: number | undefined;
/** Set when the dashboard opened on the last 30 days with views instead of its empty default. */
let landed = false;
let chart: ViewsChart;
/** Rows of the pages table at a time, and the first row shown. */
const PAGE_ROWS = 25;
let offset = 0;
let generation = 0;

/** Entry pages sit next to the pages; the other dimensions make the audience grid. */
const entries = new BreakdownPanel("entry", "h2");
const audience = (["source", "campaign", "browser", "os", "device", "country"] as Dimension[]).map(
  (dimension) => new BreakdownPanel(dimension, "h3"),
);

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

/** The local date (in the viewer's zone) of an ISO time. */
function localDate(iso: string): string {
  return dateIn(Date.parse(iso), tz);
}

/** The pages' first and last views, as local dates. */
function boundsOf(list: PageRow[]): Bounds | undefined {
  if (list.length === 0) return undefined;
  let [first, last] = [list[0].first, list[0].last];
  for (const p of list) {
    if (p.first < first) first = p.first;
    if (p.last > last) last = p.last;
  }
  return { first: localDate(first), last: localDate(last) };
}

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

/** The site's first and last view: /pagetotals' when it has both, else those of the pages list. */
async function siteBounds(totals: Totals): Promise<Bounds | undefined> {
  if (totals.site?.first && totals.site.last)
    return { first: localDate(totals.site.first), last: localDate(totals.site.last) };
  const first = totals.first ?? totals.since;
  if (first && totals.last) return { first: localDate(first), last: localDate(totals.last) };
  return boundsOf((await get<{ pages: PageRow[] }>("/pages", {})).pages);
}

/**
 * The state of the URL. Without a range in it, the dashboard opens on the last 30 days, or on the
 * last 30 days with views when those have none (logs of another year, say so).
 */
function stateFromUrl(): State {
  const read = readState(location.search, siteZone ?? browserZone(), bounds);
  tz = read.tz;
  landed = false;
  if (hasRange(location.search) || !bounds || bounds.last >= read.from) return read;
  landed = true;
  const from = addDays(bounds.last, -29);
  return { ...read, preset: undefined, from, to: bounds.last, interval: intervalFor(from, bounds.last) };
}

function navigate(change: Partial<State>, push = true): void {
  state = { ...state, ...change };
  if ("from" in change || "to" in change) {
    landed = false;
    const range = chartable(state.from, state.to);
    state.from = range.from;
    state.clamped = change.clamped ?? range.clamped;
  }
  if (!fits(state.from, state.to, state.interval)) state.interval = intervalFor(state.from, state.to);
  tz = state.tz;
  const url = writeState(state, siteZone ?? browserZone());
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  renderControls();
}

function renderControls(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
    button.setAttribute("aria-pressed", String(button.dataset.preset === state.preset));
  }
  byId<HTMLInputElement>("from").value = state.from;
  byId<HTMLInputElement>("to").value = state.to;
  const select = byId<HTMLSelectElement>("interval");
  for (const option of select.options)
    option.disabled = !fits(state.from, state.to, option.value as Interval);
  select.value = state.interval;
  byId<HTMLInputElement>("prefix").value = state.prefix;
  byId<HTMLInputElement>("search").value = state.search;
  byId<HTMLSelectElement>("tz").value = tz;
  renderNote();
}

/**
 * The note under the range, when it is not the one asked for or has nothing: the dashboard opened
 * where the views are, the range is longer than the API charts, or the range has no views.
 */
function renderNote(): void {
  const notes: string[] = [];
  const action = byId("range-note-action");
  action.hidden = true;
  if (landed) {
    notes.push(
      `No views in the last 30 days; showing ${rangeText(state.from, state.to)}, the last 30 days with views.`,
    );
  }
  if (state.clamped) {
    const years = MAX_DAYS.month / 366;
    const what = state.preset === "all" ? "All time" : "The range";
    const asked =
      state.preset === "all"
        ? `the first view was on ${dateText(state.clamped)}`
        : `the range asked for starts on ${dateText(state.clamped)}`;
    notes.push(
      `${what} is longer than the chart can cover (${years} years of months): showing ${rangeText(state.from, state.to)}; ${asked}.`,
    );
  }
  const row = pages.find((p) => p.page === state.page);
  if (rangeViews === 0 && state.page) {
    // A page's own first and last view (from /pages) say where its views are.
    if (row) {
      notes.push(
        `No views of ${state.page} in this range; its views run from ${dateText(localDate(row.first))} to ${dateText(localDate(row.last))}.`,
      );
      action.textContent = "Show its last 30 days with views";
      action.dataset.to = localDate(row.last);
      action.hidden = false;
    } else notes.push(`${state.page} has no views at all.`);
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

async function load(): Promise<void> {
  const mine = ++generation;
  setPhase("loading", "Loading…");
  const range = { from: state.from, to: state.to, tz };
  rangeViews = undefined;
  renderNote();
  // Headline sums are per day (exact for the range) unless the range is too long for days; in the
  // site's zone they have visitors, also when the chart is hourly (the API counts visitors per day).
  const headline = fits(state.from, state.to, "day") ? "day" : "month";
  const comparison = compare({ ...range, allTime: state.preset === "all" });
  const sum = (r: { from: string; to: string }) =>
    get<Series>("/pageviews", { ...r, tz, interval: headline, page: state.page });
  try {
    const panels = loadAudience(range);
    const [series, site, bots, list, before, upToCut] = await Promise.all([
      get<Series>("/pageviews", { ...range, page: state.page, interval: state.interval }),
      sum(range),
      get<Series>("/pageviews", { ...range, interval: headline, bots: "true" }),
      get<{ pages: PageRow[] }>("/pages", range),
      "previous" in comparison ? sum(comparison.previous) : undefined,
      "elapsed" in comparison ? sum(comparison.now) : undefined,
    ]);
    if (mine !== generation) return;
    pages = list.pages;
    bounds = boundsOf(pages) ?? bounds;
    rangeViews = site.total;
    renderHeadline(visible(site), bots.total, comparison, before && visible(before), upToCut);
    renderChart(visible(series));
    renderPages();
    renderNote();
    // Each panel shows its own error: the rest of the dashboard stands without them.
    await panels;
    if (mine !== generation) return;
    setPhase("ready");
  } catch (error) {
    if (mine === generation) fail(error);
  }
}

/**
 * Whether visitors may be shown: in the site's zone only, where the API gives them for buckets of
 * whole site days (an API without /site gives them per UTC day, which may exceed a bucket's views).
 */
const visitorsHere = () => siteZone !== undefined && tz === siteZone;

/** A series as shown: without visitors where they may not be shown. */
function visible(series: Series): Series {
  if (visitorsHere()) return series;
  const { visitors: _, ...rest } = series;
  return { ...rest, points: series.points.map(({ visitors: __, ...p }) => p) };
}

/** Why visitors are not shown. */
function noVisitors(): string {
  if (siteZone === undefined) return "This API does not count visitors by the site's days.";
  return `Visitors are counted in days of ${siteZone}.`;
}

/** The audience panels of a range; resolves when each shows its answer or its error. */
async function loadAudience(range: Range): Promise<void> {
  const message = byId("audience-message");
  const grid = byId("audience-grid");
  if (rangeLength(range.from, range.to) > MAX_BREAKDOWN_DAYS) {
    const text = `The audience is broken down over at most ${number.format(MAX_BREAKDOWN_DAYS)} days: choose a shorter range to see it.`;
    message.textContent = text;
    message.hidden = false;
    grid.hidden = true;
    entries.unavailable(text);
    return;
  }
  message.hidden = true;
  grid.hidden = false;
  await Promise.all([entries, ...audience].map((panel) => panel.load(range)));
}

function renderHeadline(
  site: Series,
  bots: number,
  comparison: Comparison | { none: string },
  before?: Series,
  upToCut?: Series,
): void {
  byId("views-title").textContent = state.page ? `Views of ${state.page}` : "Views";
  byId("views").textContent = number.format(site.total);
  byId("visitors-title").textContent = state.page ? `Visitors of ${state.page}` : "Visitors";
  byId("visitors").textContent = count(site.visitors);
  byId("pages-viewed").textContent = number.format(pages.filter((p) => (p.viewsInRange ?? 0) > 0).length);
  byId("bots").textContent = number.format(bots);
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

function renderChart(answer: Series): void {
  // Buckets after now are not drawn (they can only be empty); the one holding now is marked.
  const now = Date.now();
  const series = { ...answer, points: answer.points.filter((p) => Date.parse(p.t) <= now) };
  const partial = series.points.length > 0 && startOf(addDays(state.to, 1), tz) > now;
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
  shownSeries = series;
  chart.show({
    points: series.points,
    interval: state.interval,
    range: rangeText(state.from, state.to),
    total: series.total,
    visitors: visitors ? series.visitors : undefined,
    partial,
    tz,
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

const SORTERS: Record<SortKey, (a: PageRow, b: PageRow) => number> = {
  page: (a, b) => (a.page < b.page ? -1 : a.page > b.page ? 1 : 0),
  range: (a, b) => (a.viewsInRange ?? 0) - (b.viewsInRange ?? 0) || b.page.localeCompare(a.page),
  views: (a, b) => a.views - b.views || b.page.localeCompare(a.page),
  visitors: (a, b) => (a.visitors ?? 0) - (b.visitors ?? 0) || b.page.localeCompare(a.page),
  first: (a, b) => a.first.localeCompare(b.first),
  last: (a, b) => a.last.localeCompare(b.last),
};

function renderPages(): void {
  const search = state.search.toLowerCase();
  const shown = pages
    .filter((p) => p.page.startsWith(state.prefix) && p.page.toLowerCase().includes(search))
    .sort((a, b) => (state.descending ? -1 : 1) * SORTERS[state.sort](a, b));
  for (const th of document.querySelectorAll<HTMLElement>("#pages th")) {
    if (th.dataset.sort === state.sort)
      th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  }
  shownPages = shown;
  // A page of rows at a time: a large site's table would be thousands of pixels long.
  const last = Math.max(0, Math.ceil(shown.length / PAGE_ROWS) - 1);
  offset = Math.min(offset, last * PAGE_ROWS);
  // The focus stays on the row it was on (a page just selected, say), now drawn again.
  const body = byId("pages").querySelector("tbody") as HTMLTableSectionElement;
  const focused = body.contains(document.activeElement)
    ? document.activeElement?.closest<HTMLElement>("tr[data-page]")?.dataset.page
    : undefined;
  const labels = [...document.querySelectorAll("#pages th")].map((th) => th.textContent ?? "");
  const rows = shown.slice(offset, offset + PAGE_ROWS).map((p) => {
    const row = document.createElement("tr");
    row.dataset.page = p.page;
    if (p.page === state.page) row.setAttribute("aria-selected", "true");
    // The path wraps after its slashes, never inside a name: a name wider than the column is cut
    // short with an ellipsis (the title has the whole path).
    const path = document.createElement("button");
    path.type = "button";
    path.title = `Show the views of ${p.page}`;
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
  });
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

/** Turns the table's page; the focus stays on the button (or moves to its twin at either end). */
function turnPage(step: number): void {
  offset = Math.max(0, offset + step * PAGE_ROWS);
  renderPages();
  const [here, other] = step > 0 ? ["pages-next", "pages-previous"] : ["pages-previous", "pages-next"];
  if (byId<HTMLButtonElement>(here).disabled) byId(other).focus();
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

/** Shows a page's series, and brings the chart into view when the row was far below it. */
function selectPage(page: string): void {
  navigate({ page });
  const chartBox = byId("chart-section").getBoundingClientRect();
  if (chartBox.top < 0 || chartBox.bottom > innerHeight) {
    const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
    byId("chart-section").scrollIntoView({ block: "start", behavior: smooth ? "smooth" : "auto" });
  }
  void load();
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

function wire(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
    button.addEventListener("click", async () => {
      const preset = button.dataset.preset as Preset;
      // All time runs from the first view to the last: known once the pages have loaded, else asked for.
      if (preset === "all" && !bounds) {
        try {
          bounds = await siteBounds(await siteTotals());
        } catch (error) {
          return fail(error);
        }
      }
      navigate({ preset, ...presetRange(preset, tz, bounds) });
      void load();
    });
  }
  const dates = () => {
    const from = byId<HTMLInputElement>("from").value;
    const to = byId<HTMLInputElement>("to").value;
    if (!from || !to || from > to)
      return setPhase("error", "The range is empty: “From” must not be after “To”.");
    navigate({ preset: undefined, from, to });
    void load();
  };
  byId("from").addEventListener("change", dates);
  byId("to").addEventListener("change", dates);
  byId("tz").addEventListener("change", (e) => {
    const zone = (e.target as HTMLSelectElement).value;
    // A preset follows the zone ("today" is today there); dates stay the dates they were.
    tz = zone;
    navigate({ tz: zone, ...(state.preset ? presetRange(state.preset, zone, bounds) : {}) });
    void load();
  });
  byId("interval").addEventListener("change", (e) => {
    navigate({ interval: (e.target as HTMLSelectElement).value as Interval });
    void load();
  });
  const filters = () => {
    offset = 0;
    navigate(
      {
        prefix: byId<HTMLInputElement>("prefix").value.trim(),
        search: byId<HTMLInputElement>("search").value.trim(),
      },
      false,
    );
    renderPages();
  };
  byId("prefix").addEventListener("input", filters);
  byId("search").addEventListener("input", filters);
  for (const th of document.querySelectorAll<HTMLElement>("#pages th")) {
    th.querySelector("button")?.addEventListener("click", () => {
      const sort = th.dataset.sort as SortKey;
      offset = 0;
      navigate({ sort, descending: sort === state.sort ? !state.descending : sort !== "page" }, false);
      renderPages();
    });
  }
  // A click anywhere on a row selects its page (not one that ends a selection of its text); the
  // keyboard has the path's button in each row, and the arrow keys go from row to row.
  const body = byId("pages").querySelector("tbody") as HTMLTableSectionElement;
  body.addEventListener("click", (e) => {
    const target = e.target as HTMLElement;
    const page = target.closest<HTMLElement>("tr[data-page]")?.dataset.page;
    if (page === undefined) return;
    if (!target.closest("button") && getSelection()?.toString()) return;
    selectPage(page);
  });
  body.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const row = (e.target as HTMLElement).closest("tr");
    const next = e.key === "ArrowDown" ? row?.nextElementSibling : row?.previousElementSibling;
    const button = next?.querySelector("button");
    if (!button) return;
    e.preventDefault();
    button.focus();
  });
  byId("pages-previous").addEventListener("click", () => turnPage(-1));
  byId("pages-next").addEventListener("click", () => turnPage(1));
  byId("download-chart").addEventListener("click", () => {
    if (!shownSeries) return;
    const what = state.page ? slug(state.page) : "site";
    download(`pagetrack-${what}-${state.from}-${state.to}-${state.interval}.csv`, chartCsv(shownSeries));
  });
  byId("download-pages").addEventListener("click", () => {
    download(`pagetrack-pages-${state.from}-${state.to}.csv`, pagesCsv(shownPages));
  });
  byId("range-note-action").addEventListener("click", (e) => {
    const to = (e.currentTarget as HTMLElement).dataset.to;
    if (!to) return;
    navigate({ preset: undefined, from: addDays(to, -29), to });
    void load();
  });
  byId("whole-site").addEventListener("click", () => {
    navigate({ page: undefined });
    void load();
  });
  byId("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken(byId<HTMLInputElement>("token").value);
    byId("token-form").hidden = true;
    void start();
  });
  addEventListener("popstate", () => {
    state = stateFromUrl();
    renderControls();
    void load();
  });
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
    siteZone = settings?.timeZone;
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
    tz = readState(location.search, siteZone ?? browserZone()).tz;
    renderZones();
    // Where the views are, when the range depends on it: the default (it moves to the last views
    // when the last 30 days have none) and all time.
    const search = new URLSearchParams(location.search);
    if (!hasRange(location.search) || search.get("preset") === "all") bounds = await siteBounds(totals);
    state = stateFromUrl();
    byId("content").hidden = false;
    renderControls();
    await load();
  } catch (error) {
    fail(error);
  }
}

/** The zones to pick from: the site's (its visitors' days), the browser's, UTC, and the URL's. */
function renderZones(): void {
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

chart = new ViewsChart(byId("chart"));
byId("pair").append(entries.root);
byId("audience-grid").append(...audience.map((panel) => panel.root));
wire();
void start();
