/** What the dashboard shows, kept in the URL so that a view can be bookmarked and shared. */

export type Interval = "hour" | "day" | "week" | "month";
export type Preset = "today" | "7d" | "30d" | "12m" | "all";
export type SortKey = "page" | "range" | "views" | "visitors" | "first" | "last";

export interface State {
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
}

const INTERVALS: Interval[] = ["hour", "day", "week", "month"];
const PRESETS: Preset[] = ["today", "7d", "30d", "12m", "all"];
const SORTS: SortKey[] = ["page", "range", "views", "visitors", "first", "last"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Longest range of each interval, as the API allows (days). */
export const MAX_DAYS: Record<Interval, number> = { hour: 31, day: 1098, week: 5 * 366, month: 10 * 366 };

export function today(tz: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date());
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function spanDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
}

/** The finest interval that suits a span, and is allowed for it. */
export function intervalFor(days: number): Interval {
  if (days <= 2) return "hour";
  if (days <= 92) return "day";
  if (days <= 2 * 366) return "week";
  return "month";
}

/** The range of a preset; `since` is the site's first view (for "all time"). */
export function presetRange(
  preset: Preset,
  tz: string,
  since?: string,
): { from: string; to: string; interval: Interval } {
  const to = today(tz);
  switch (preset) {
    case "today":
      return { from: to, to, interval: "hour" };
    case "7d":
      return { from: addDays(to, -6), to, interval: "day" };
    case "30d":
      return { from: addDays(to, -29), to, interval: "day" };
    case "12m":
      return { from: `${addDays(to, -364).slice(0, 7)}-01`, to, interval: "month" };
    case "all": {
      const from = since && since < to ? since : addDays(to, -29);
      return { from, to, interval: intervalFor(spanDays(from, to)) };
    }
  }
}

export function readState(search: string, tz: string, since?: string): State {
  const q = new URLSearchParams(search);
  const preset = PRESETS.find((p) => p === q.get("preset"));
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  const fixed = !preset && DATE.test(from) && DATE.test(to) && from <= to;
  const range = fixed
    ? { from, to, interval: intervalFor(spanDays(from, to)) }
    : presetRange(preset ?? "30d", tz, since);
  const interval = INTERVALS.find((i) => i === q.get("interval")) ?? range.interval;
  return {
    preset: fixed ? undefined : (preset ?? "30d"),
    from: range.from,
    to: range.to,
    interval: spanDays(range.from, range.to) <= MAX_DAYS[interval] ? interval : range.interval,
    page: q.get("page")?.startsWith("/") ? (q.get("page") as string) : undefined,
    prefix: q.get("prefix") ?? "",
    search: q.get("q") ?? "",
    sort: SORTS.find((s) => s === q.get("sort")) ?? "range",
    descending: q.get("dir") !== "asc",
  };
}

export function writeState(state: State): string {
  const q = new URLSearchParams();
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
  const api = new URLSearchParams(location.search).get("api");
  if (api) q.set("api", api);
  return `?${q}`;
}

/** Longest range of an audience breakdown, as the API allows (days). */
export const MAX_BREAKDOWN_DAYS = 3 * 366;
