import { ApiError, type Dimension, get, type PageRow, type Series, setToken } from "./api.js";
import { BreakdownPanel, type Range } from "./breakdown.js";
import { hasVisitors, ViewsChart } from "./chart.js";
import {
  addDays,
  type Interval,
  intervalFor,
  MAX_BREAKDOWN_DAYS,
  MAX_DAYS,
  type Preset,
  presetRange,
  readState,
  type SortKey,
  type State,
  spanDays,
  writeState,
} from "./state.js";

/** The dashboard: one page, its state in the URL, everything from the HTTP API. */

const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
const number = new Intl.NumberFormat();
const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: tz });
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
/** A count, or a dash when the API did not give it (visitors, from an API older than them). */
const count = (n: number | undefined) => (n === undefined ? "–" : number.format(n));

let state: State;
let since: string | undefined;
let pages: PageRow[] = [];
let chart: ViewsChart;
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
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date(iso));
}

function navigate(change: Partial<State>, push = true): void {
  state = { ...state, ...change };
  const days = spanDays(state.from, state.to);
  if (days > MAX_DAYS[state.interval]) state.interval = intervalFor(days);
  const url = writeState(state);
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
  const days = spanDays(state.from, state.to);
  const select = byId<HTMLSelectElement>("interval");
  for (const option of select.options) option.disabled = days > MAX_DAYS[option.value as Interval];
  select.value = state.interval;
  byId<HTMLInputElement>("prefix").value = state.prefix;
  byId<HTMLInputElement>("search").value = state.search;
  byId("zone").textContent = `Times in ${tz}`;
}

async function load(): Promise<void> {
  const mine = ++generation;
  setPhase("loading", "Loading…");
  const range = { from: state.from, to: state.to, tz };
  const days = spanDays(state.from, state.to);
  // Headline sums are per day (exact for the range) unless the range is too long for days; either
  // way they have visitors, also when the chart is hourly (the API counts visitors per day).
  const headline = days <= MAX_DAYS.day ? "day" : "month";
  const previous = {
    from: addDays(state.from, -days),
    to: addDays(state.from, -1),
    tz,
    interval: headline,
    page: state.page,
  };
  try {
    const panels = loadAudience(range);
    const [series, site, before, bots, list] = await Promise.all([
      get<Series>("/pageviews", { ...range, page: state.page, interval: state.interval }),
      get<Series>("/pageviews", { ...range, page: state.page, interval: headline }),
      get<Series>("/pageviews", previous),
      get<Series>("/pageviews", { ...range, interval: headline, bots: "true" }),
      get<{ pages: PageRow[] }>("/pages", range),
    ]);
    if (mine !== generation) return;
    pages = list.pages;
    renderHeadline(site, before, bots.total);
    renderChart(series);
    renderPages();
    // Each panel shows its own error: the rest of the dashboard stands without them.
    await panels;
    if (mine !== generation) return;
    setPhase("ready");
  } catch (error) {
    if (mine === generation) fail(error);
  }
}

/** The audience panels of a range; resolves when each shows its answer or its error. */
async function loadAudience(range: Range): Promise<void> {
  const message = byId("audience-message");
  const grid = byId("audience-grid");
  if (spanDays(range.from, range.to) > MAX_BREAKDOWN_DAYS) {
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

function renderHeadline(site: Series, before: Series, bots: number): void {
  byId("views-title").textContent = state.page ? `Views of ${state.page}` : "Views";
  byId("views").textContent = number.format(site.total);
  byId("visitors-title").textContent = state.page ? `Visitors of ${state.page}` : "Visitors";
  byId("visitors").textContent = count(site.visitors);
  byId("pages-viewed").textContent = number.format(pages.filter((p) => (p.viewsInRange ?? 0) > 0).length);
  byId("previous").textContent = number.format(before.total);
  byId("bots").textContent = number.format(bots);
  showChange(byId("change"), site.total, before.total, "views", (percent) => `${percent} compared with it`);
  // Views have their previous figure in a card of their own; visitors say theirs beside the change.
  const visitors = byId("visitors-change");
  const previous = before.visitors;
  if (site.visitors === undefined || previous === undefined) {
    visitors.textContent = "This API does not count visitors.";
    visitors.className = "change";
  } else {
    const text = (percent: string) => `${percent} on the previous period (${number.format(previous)})`;
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
    element.textContent = now > 0 ? `no ${what} before` : "";
    element.className = "change";
    return;
  }
  const percent = ((now - before) / before) * 100;
  element.textContent = text(`${percent >= 0 ? "+" : "−"}${Math.abs(percent).toFixed(1)}%`);
  element.className = `change ${percent >= 0 ? "up" : "down"}`;
}

function renderChart(series: Series): void {
  const what = state.page ?? "the whole site";
  const visitors = hasVisitors(series.points);
  const title = `${visitors ? "Views and visitors" : "Views"} of ${what} per ${state.interval}`;
  byId("chart-title").textContent = title;
  byId("chart-caption").textContent =
    `${title}: ${series.total} views${visitors ? `, ${series.visitors} visitors` : ""} in all`;
  const note = byId("chart-note");
  note.hidden = visitors;
  note.textContent =
    state.interval === "hour"
      ? "Visitors are counted per day, so hours show views only; the headline has the visitors of the range."
      : "This API does not count visitors: views only.";
  byId("whole-site").hidden = !state.page;
  chart.show(series.points);
  byId("chart-data-visitors").hidden = !visitors;
  const rows = series.points.map((p) => {
    const row = document.createElement("tr");
    row.dataset.t = p.t;
    row.dataset.views = String(p.views);
    row.innerHTML = `<td>${p.t}</td><td>${p.views}</td>`;
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
  const rows = shown.map((p) => {
    const row = document.createElement("tr");
    row.dataset.page = p.page;
    if (p.page === state.page) row.setAttribute("aria-selected", "true");
    const cells = [
      Object.assign(document.createElement("button"), {
        type: "button",
        textContent: p.page,
        title: `Show the views of ${p.page}`,
      }),
      number.format(p.viewsInRange ?? 0),
      number.format(p.views),
      count(p.visitors),
      when.format(new Date(p.first)),
      when.format(new Date(p.last)),
    ];
    cells.forEach((content, i) => {
      const cell = document.createElement("td");
      if (i >= 1 && i <= 3) cell.className = "num";
      cell.append(content);
      row.append(cell);
    });
    return row;
  });
  byId("pages")
    .querySelector("tbody")
    ?.replaceChildren(...rows);
  byId("pages-note").textContent =
    shown.length === pages.length
      ? `${pages.length} pages`
      : `${shown.length} of ${pages.length} pages match`;
}

function wire(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
    button.addEventListener("click", () => {
      const preset = button.dataset.preset as Preset;
      navigate({ preset, ...presetRange(preset, tz, since) });
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
  byId("interval").addEventListener("change", (e) => {
    navigate({ interval: (e.target as HTMLSelectElement).value as Interval });
    void load();
  });
  const filters = () => {
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
      navigate({ sort, descending: sort === state.sort ? !state.descending : sort !== "page" }, false);
      renderPages();
    });
  }
  byId("pages").addEventListener("click", (e) => {
    const page = (e.target as HTMLElement).closest<HTMLElement>("tr[data-page]")?.dataset.page;
    if (!page || !(e.target as HTMLElement).closest("button")) return;
    navigate({ page });
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
    state = readState(location.search, tz, since);
    renderControls();
    void load();
  });
}

async function start(): Promise<void> {
  setPhase("loading", "Loading…");
  try {
    const totals = await get<{ total: number; since: string | null }>("/pagetotals", {});
    if (totals.total === 0) {
      byId("content").hidden = true;
      setPhase(
        "empty",
        "No page views yet. Ingest your access logs with <code>npx pagetrack ingest path/to/logs</code> (or try <code>npx pagetrack demo</code>), then reload this page.",
        true,
      );
      return;
    }
    since = totals.since ? localDate(totals.since) : undefined;
    state = readState(location.search, tz, since);
    byId("content").hidden = false;
    renderControls();
    await load();
  } catch (error) {
    fail(error);
  }
}

chart = new ViewsChart(byId("chart"));
byId("pair").append(entries.root);
byId("audience-grid").append(...audience.map((panel) => panel.root));
wire();
void start();
