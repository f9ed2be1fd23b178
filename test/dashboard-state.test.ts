import { describe, expect, it } from "vitest";
import type { PageRow, Series } from "../src/contract/answers.js";
import {
  answer,
  asking,
  choosePreset,
  failed,
  failures,
  filter,
  fromUrl,
  keyOf,
  LOADS,
  type Load,
  latest,
  listed,
  type Model,
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
} from "../src/web/model.js";
import { fits, presetRange, rangeLength, readState, writeState } from "../src/web/state.js";

/** The dashboard's model without a browser: its transitions, and what each change loads. */

/** 2026-05-20 10:30 UTC: a fixed now. */
const NOW = Date.parse("2026-05-20T10:30:00Z");
const SITE = { siteZone: "UTC", homeZone: "UTC" };

const open = (search = "", bounds?: { first: string; last: string }) =>
  fromUrl(search, { ...SITE, bounds }, undefined, NOW);
/** A model whose every load has been asked for and answered. */
function loaded(model: Model): Model {
  let next = asking(model, stale(model));
  for (const load of LOADS) next = received(next, load, keyOf(next.state, load), ANSWERS[load] as never);
  return next;
}
const series: Series = {
  page: null,
  interval: "day",
  tz: "UTC",
  from: "2026-05-01T00:00:00Z",
  to: "2026-05-02T00:00:00Z",
  points: [],
  total: 0,
};
const row = (page: string, viewsInRange: number, views = 10): PageRow => ({
  page,
  views,
  visitors: 1,
  first: "2026-01-01T00:00:00.000Z",
  last: "2026-05-01T00:00:00.000Z",
  viewsInRange,
});
const ANSWERS: Record<Load, unknown> = {
  chart: series,
  headline: { site: series, comparison: { none: "" } },
  site: { bots: 0 },
  pages: [row("/a/", 3), row("/b/", 5)],
  entries: true,
  audience: true,
  server: true,
};
/** The loads a change asks for, from a model with everything loaded. */
const loadsOf = (change: (m: Model) => Model, from = loaded(open())) => stale(change(from)).sort();

describe("the URL's state", () => {
  it("reads and writes the same state, keeping the API's address and leaving defaults out", () => {
    const search =
      "?tz=Asia%2FTokyo&from=2026-01-01&to=2026-01-31&interval=week&page=%2Fa%2F&prefix=%2Fa&q=x&sort=views&dir=asc";
    const state = readState(search, "UTC", undefined, NOW);
    expect(state).toMatchObject({
      tz: "Asia/Tokyo",
      preset: undefined,
      from: "2026-01-01",
      to: "2026-01-31",
      interval: "week",
      page: "/a/",
      prefix: "/a",
      search: "x",
      sort: "views",
      descending: false,
    });
    expect(writeState(state, "UTC", "https://api.example")).toBe(`${search}&api=https%3A%2F%2Fapi.example`);
    expect(writeState(readState("", "UTC", undefined, NOW), "UTC")).toBe("?preset=30d&interval=day");
  });

  it("measures a range as the API does, across a change of daylight saving time", () => {
    // Paris: March 2026 loses an hour, October gains one (past 31 days of hours).
    expect(rangeLength("2026-03-01", "2026-03-31", "Europe/Paris")).toBeCloseTo(31 - 1 / 24);
    expect(rangeLength("2026-10-01", "2026-10-31", "Europe/Paris")).toBeCloseTo(31 + 1 / 24);
    expect(fits("2026-10-01", "2026-10-31", "hour", "Europe/Paris")).toBe(false);
    expect(fits("2026-10-01", "2026-10-31", "hour", "UTC")).toBe(true);
    // An hourly interval asked for in the URL that the range does not allow is replaced.
    expect(readState("?from=2026-10-01&to=2026-10-31&interval=hour", "Europe/Paris").interval).toBe("day");
  });

  it("gives each preset's range in the zone shown", () => {
    expect(presetRange("today", "Pacific/Kiritimati", undefined, NOW).from).toBe("2026-05-21");
    expect(presetRange("today", "America/New_York", undefined, NOW).from).toBe("2026-05-20");
    expect(presetRange("12m", "UTC", undefined, NOW)).toEqual({
      from: "2025-06-01",
      to: "2026-05-20",
      interval: "month",
    });
  });
});

describe("the dashboard's model", () => {
  it("opens on the last 30 days, or where the views are when those have none", () => {
    expect(open().state).toMatchObject({ preset: "30d", from: "2026-04-21", to: "2026-05-20" });
    expect(open("", { first: "2015-01-01", last: "2026-05-01" }).landed).toBe(false);
    const old = open("", { first: "2005-03-01", last: "2015-05-14" });
    expect(old).toMatchObject({
      landed: true,
      state: { preset: undefined, from: "2015-04-15", to: "2015-05-14" },
    });
    // A URL with a range opens on it, views or not.
    expect(open("?preset=30d", { first: "2005-03-01", last: "2015-05-14" }).landed).toBe(false);
  });

  it("charts the last 50 years of a longer range, and says where it was asked to start", () => {
    const model = setDates(open(), "1950-01-01", "2015-05-14");
    expect(model.state).toMatchObject({
      from: "1965-06-01",
      to: "2015-05-14",
      interval: "month",
      clamped: "1950-01-01",
    });
    const all = choosePreset({ ...open(), bounds: { first: "2005-03-01", last: "2015-05-14" } }, "all", NOW);
    expect(all.state).toMatchObject({
      preset: "all",
      from: "2005-03-01",
      to: "2015-05-14",
      interval: "month",
    });
    expect(all.state.clamped).toBeUndefined();
  });

  it("keeps the interval when the new range allows it, else takes the finest that suits it", () => {
    const hourly = setInterval(choosePreset(open(), "7d", NOW), "hour");
    expect(hourly.state.interval).toBe("hour");
    expect(setDates(hourly, "2026-05-14", "2026-05-20").state.interval).toBe("hour");
    expect(setDates(hourly, "2020-01-01", "2026-05-20").state.interval).toBe("month");
    // An interval the range does not allow is not taken: 12 months are charted in weeks then.
    expect(setInterval(choosePreset(open(), "12m", NOW), "hour").state.interval).toBe("week");
  });

  it("lets a preset follow a new zone, and keeps typed dates", () => {
    const today = choosePreset(open(), "today", NOW);
    expect(setZone(today, "Pacific/Kiritimati", NOW).state).toMatchObject({
      tz: "Pacific/Kiritimati",
      from: "2026-05-21",
      to: "2026-05-21",
    });
    const typed = setDates(open(), "2026-05-01", "2026-05-02");
    expect(setZone(typed, "Asia/Tokyo", NOW).state).toMatchObject({ from: "2026-05-01", to: "2026-05-02" });
  });

  it("sorts, filters and pages the table", () => {
    const model = loaded(open());
    expect(model.state).toMatchObject({ sort: "range", descending: true });
    expect(sortBy(model, "range").state.descending).toBe(false);
    expect(sortBy(model, "page").state).toMatchObject({ sort: "page", descending: false });
    expect(sortBy(model, "views").state).toMatchObject({ sort: "views", descending: true });
    const rows = Array.from({ length: 60 }, (_, i) => row(`/p${i}/`, i));
    const paged = turnPage(turnPage(turnPage(model, 1, 60), 1, 60), 1, 60);
    expect(paged.offset).toBe(50);
    expect(turnPage(paged, -3, 60).offset).toBe(0);
    expect(filter(paged, "/p1", "").offset).toBe(0);
    expect(listed(rows, filter(model, "/p1", "").state).map((p) => p.page)).toEqual([
      "/p19/",
      "/p18/",
      "/p17/",
      "/p16/",
      "/p15/",
      "/p14/",
      "/p13/",
      "/p12/",
      "/p11/",
      "/p10/",
      "/p1/",
    ]);
    expect(listed(rows, sortBy(filter(model, "", "5/"), "page").state).map((p) => p.page)).toEqual([
      "/p15/",
      "/p25/",
      "/p35/",
      "/p45/",
      "/p5/",
      "/p55/",
    ]);
  });
});

describe("what a change loads", () => {
  it("loads everything at first, then only what a change's inputs are", () => {
    expect(stale(open()).sort()).toEqual([...LOADS].sort());
    expect(stale(loaded(open()))).toEqual([]);
    // A page: its series, headline and audience; the pages' views in the range, the site's figures,
    // the entry pages and what only the server's log tells stay the whole site's.
    expect(loadsOf((m) => selectPage(m, "/a/"))).toEqual(["audience", "chart", "headline"]);
    expect(loadsOf((m) => selectPage(m, undefined), loaded(selectPage(open(), "/a/")))).toEqual([
      "audience",
      "chart",
      "headline",
    ]);
    expect(loadsOf((m) => setInterval(m, "hour"))).toEqual(["chart"]);
    // The table's filters, sort and paging are drawn from the pages loaded.
    expect(loadsOf((m) => sortBy(filter(turnPage(m, 1, 60), "/blog/", "x"), "views"))).toEqual([]);
    // A new range or zone: everything.
    const all = [...LOADS].sort();
    expect(loadsOf((m) => choosePreset(m, "7d", NOW))).toEqual(all);
    expect(loadsOf((m) => setZone(m, "Asia/Tokyo", NOW))).toEqual(all);
    expect(loadsOf((m) => showLastViews(m, "2015-05-14"))).toEqual(all);
    // The same dates as all time: only the headline (all time has no previous period).
    const dates = loaded(setDates(open(), "2026-04-21", "2026-05-20"));
    expect(loadsOf((m) => ({ ...m, state: { ...m.state, preset: "all" } }), dates)).toEqual(["headline"]);
  });

  it("loads again on back and forward only what the URL changes", () => {
    const model = loaded(open("?preset=30d"));
    const back = fromUrl("?preset=30d&page=%2Fa%2F", SITE, model, NOW);
    expect(stale(back).sort()).toEqual(["audience", "chart", "headline"]);
    expect(stale(fromUrl("?preset=7d", SITE, model, NOW)).sort()).toEqual([...LOADS].sort());
  });

  it("keeps an answer only for the inputs it was asked for", () => {
    const first = asking(open(), stale(open()));
    expect(pending(first).sort()).toEqual([...LOADS].sort());
    const key = keyOf(first.state, "pages");
    // The range changes before the pages come: their answer is for a state left, and is dropped.
    const moved = asking(choosePreset(first, "7d", NOW), ["pages"]);
    expect(received(moved, "pages", key, [row("/old/", 1)])).toBe(moved);
    const pages = [row("/a/", 2)];
    const arrived = received(moved, "pages", keyOf(moved.state, "pages"), pages);
    expect(answer(arrived, "pages")).toBe(pages);
    expect(pending(arrived)).not.toContain("pages");
    // The pages' first and last views tell where the site's views are.
    expect(arrived.bounds).toEqual({ first: "2026-01-01", last: "2026-05-01" });
    // While the next range loads, the table keeps the last pages.
    const next = asking(choosePreset(arrived, "today", NOW), ["pages"]);
    expect(answer(next, "pages")).toBeUndefined();
    expect(latest(next, "pages")).toBe(pages);
  });

  it("asks again for a load that failed at the next change", () => {
    const model = loaded(open());
    const asked = asking(setInterval(model, "hour"), ["chart"]);
    const broken = failed(asked, "chart", keyOf(asked.state, "chart"));
    expect(failures(broken)).toEqual(["chart"]);
    expect(pending(broken)).toEqual([]);
    expect(stale(sortBy(broken, "views"))).toEqual(["chart"]);
    // A failure of a state left is not this state's.
    expect(failed(asked, "chart", keyOf(model.state, "chart"))).toBe(asked);
  });
});
