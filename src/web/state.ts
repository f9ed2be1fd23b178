import { INTERVALS, type Interval, MAX_RANGE_DAYS } from "../contract/rules.js";
/** What the dashboard shows, kept in the URL so that a view can be bookmarked and shared. */

import { startOf, validZone } from "./zone.js";

export type Preset = "today" | "7d" | "30d" | "12m" | "all";
export type SortKey = "page" | "range" | "views" | "visitors" | "first" | "last";

export type { Interval };

export interface State {
  /** The zone of every date shown: the site's unless the URL names another. */
  tz: string;
  /** A preset keeps a bookmark relative ("the last 30 days"); without one, from and to are fixed dates. */
  preset?: Preset;
  from: string;
  to: string;
  interval: Interval;
  page?: string;
  prefix: string;
  search: string;
  sort: SortKey;
  descending: boolean;
  /**
   * The start that was asked for when the range was longer than the API charts and `from` is a later
   * one (not in the URL: a bookmark keeps the preset or the dates).
   */
  clamped?: string;
}

const PRESETS: Preset[] = ["today", "7d", "30d", "12m", "all"];
const SORTS: SortKey[] = ["page", "range", "views", "visitors", "first", "last"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The local date (YYYY-MM-DD) in a zone at an instant (now by default). */
export function today(tz: string, now = Date.now()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date(now));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The first day of the month `months` months after (or before) the month of `date`. */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function spanDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
}

/**
 * The length in days of the local dates `from` to `to` as the API measures it (from the start of
 * `from` to the end of `to` in the zone `tz`): across a change of daylight saving time it is an hour
 * more or less than their number, and an hour more is past a limit of that many days.
 */
export function rangeLength(from: string, to: string, tz: string): number {
  return (startOf(addDays(to, 1), tz) - startOf(from, tz)) / 86400000;
}

/** Whether the API gives a series of `interval` for the range (local dates in `tz`). */
export function fits(from: string, to: string, interval: Interval, tz: string): boolean {
  return rangeLength(from, to, tz) <= MAX_RANGE_DAYS[interval];
}

/** The finest interval that suits a range and that the API allows for it (months when none does). */
export function intervalFor(from: string, to: string, tz: string): Interval {
  const days = spanDays(from, to);
  const suits: Interval = days <= 2 ? "hour" : days <= 92 ? "day" : days <= 2 * 366 ? "week" : "month";
  return INTERVALS.slice(INTERVALS.indexOf(suits)).find((i) => fits(from, to, i, tz)) ?? "month";
}

/**
 * A range the API charts: a range longer than a monthly series may be (50 years) keeps its last
 * whole 50 years of months, up to `to`. `clamped` is then the start that was asked for.
 */
export function chartable(
  from: string,
  to: string,
  tz: string,
): { from: string; to: string; clamped?: string } {
  if (fits(from, to, "month", tz)) return { from, to };
  let start = addMonths(to, -(MAX_RANGE_DAYS.month / 366) * 12 + 1);
  while (!fits(start, to, "month", tz)) start = addMonths(start, 1);
  return { from: start, to, clamped: from };
}

/** The site's first and last view, as local dates (YYYY-MM-DD). */
export interface Bounds {
  first: string;
  last: string;
}

/**
 * The range of a preset. "12 months" is the current month and the 11 before it (12 points a month);
 * "all time" runs from the site's first view to its last (or today when they are not known).
 */
export function presetRange(
  preset: Preset,
  tz: string,
  bounds?: Bounds,
  now = Date.now(),
): { from: string; to: string; interval: Interval; clamped?: string } {
  const to = today(tz, now);
  switch (preset) {
    case "today":
      return { from: to, to, interval: "hour" };
    case "7d":
      return { from: addDays(to, -6), to, interval: "day" };
    case "30d":
      return { from: addDays(to, -29), to, interval: "day" };
    case "12m":
      return { from: addMonths(to, -11), to, interval: "month" };
    case "all": {
      const range = bounds && bounds.first <= bounds.last ? bounds : { first: addDays(to, -29), last: to };
      const chart = chartable(range.first, range.last, tz);
      return { ...chart, interval: intervalFor(chart.from, chart.to, tz) };
    }
  }
}

/** Whether a URL names a range (a preset, or dates): without one the dashboard opens on its default. */
export function hasRange(search: string): boolean {
  const q = new URLSearchParams(search);
  return q.has("preset") || (q.has("from") && q.has("to"));
}

/** Reads the URL: its zone is the site's unless it names another, and every range is measured in it. */
export function readState(search: string, siteZone: string, bounds?: Bounds, now = Date.now()): State {
  const q = new URLSearchParams(search);
  const asked = q.get("tz");
  const tz = asked && validZone(asked) ? asked : siteZone;
  const preset = PRESETS.find((p) => p === q.get("preset"));
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  const fixed = !preset && DATE.test(from) && DATE.test(to) && from <= to;
  const range = fixed
    ? { ...chartable(from, to, tz), interval: intervalFor(from, to, tz) }
    : presetRange(preset ?? "30d", tz, bounds, now);
  const interval = INTERVALS.find((i) => i === q.get("interval")) ?? range.interval;
  return {
    tz,
    preset: fixed ? undefined : (preset ?? "30d"),
    from: range.from,
    to: range.to,
    clamped: range.clamped,
    interval: fits(range.from, range.to, interval, tz) ? interval : intervalFor(range.from, range.to, tz),
    page: q.get("page")?.startsWith("/") ? (q.get("page") as string) : undefined,
    prefix: q.get("prefix") ?? "",
    search: q.get("q") ?? "",
    sort: SORTS.find((s) => s === q.get("sort")) ?? "range",
    descending: q.get("dir") !== "asc",
  };
}

/** The URL's query of a state; `api` is the API's address when the URL names one (`?api=`), kept. */
export function writeState(state: State, siteZone: string, api?: string | null): string {
  const q = new URLSearchParams();
  if (state.tz !== siteZone) q.set("tz", state.tz);
  if (state.preset) q.set("preset", state.preset);
  else {
    q.set("from", state.from);
    q.set("to", state.to);
  }
  q.set("interval", state.interval);
  if (state.page) q.set("page", state.page);
  if (state.prefix) q.set("prefix", state.prefix);
  if (state.search) q.set("q", state.search);
  if (state.sort !== "range") q.set("sort", state.sort);
  if (!state.descending) q.set("dir", "asc");
  if (api) q.set("api", api);
  return `?${q}`;
}
