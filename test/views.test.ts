import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Audience } from "../src/audience/audience.js";
import { ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { pageTotals } from "../src/query/totals.js";
import { type Interval, viewsOverTime } from "../src/query/views.js";
import { instantOf } from "../src/query/zone.js";
import { fileSource } from "../src/readers/sources.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import type { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

/** Views over time, bucketed in a time zone, across a daylight-saving change (Paris, 31 March 2024). */
describe("views over time", () => {
  let engine: EmbeddedEngine;
  let store: Store;
  const views = [
    "2024-03-30T22:30:00Z", // Paris 23:30 on the 30th
    "2024-03-30T23:30:00Z", // Paris 00:30 on the 31st, before the change
    "2024-03-31T01:30:00Z", // Paris 03:30 on the 31st, after it
    "2024-03-31T22:30:00Z", // Paris 00:30 on Monday 1 April
    "2024-04-01T10:00:00Z", // Paris 12:00 on Monday 1 April
    "2024-04-07T23:00:00Z", // Paris 01:00 on Monday 8 April
  ];
  const at = (iso: string) => Date.parse(iso) / 1000;

  beforeAll(async () => {
    const dir = await tempDir();
    ({ engine, store } = await startEngine(join(dir, "data")));
    const lines = views.map(
      (iso, i) =>
        `${iso.slice(0, 10)}\t${iso.slice(11, 19)}\tGET\t/p/\t200\tMozilla/5.0%20(X11;%20Linux)%20Firefox/125.0\tid${i}`,
    );
    const log = join(dir, "tz.log");
    await writeFile(
      log,
      `#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id\n${lines.join("\n")}\n`,
    );
    // The site counts its visitors in days of Paris: set at its first ingest.
    const summary = await ingest(store, "tz", [fileSource(log)], {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: true,
      timeZone: "Europe/Paris",
    });
    expect(summary.ingested).toBe(1);
  });
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  async function series(
    interval: Interval,
    tz: string,
    from: string,
    to: string,
    page: string | undefined = "/p/",
  ) {
    const result = await viewsOverTime(store, "tz", { page, interval, tz, from: at(from), to: at(to) });
    return result.points.filter((p) => p.views > 0).map((p) => [p.t, p.views]);
  }

  it.each<[Interval, string, [string, number][]]>([
    [
      "day",
      "Europe/Paris",
      [
        ["2024-03-30T00:00:00+01:00", 1],
        ["2024-03-31T00:00:00+01:00", 2],
        ["2024-04-01T00:00:00+02:00", 2],
        ["2024-04-08T00:00:00+02:00", 1],
      ],
    ],
    [
      "day",
      "UTC",
      [
        ["2024-03-30T00:00:00Z", 2],
        ["2024-03-31T00:00:00Z", 2],
        ["2024-04-01T00:00:00Z", 1],
        ["2024-04-07T00:00:00Z", 1],
      ],
    ],
    [
      "week",
      "Europe/Paris",
      [
        ["2024-03-25T00:00:00+01:00", 3],
        ["2024-04-01T00:00:00+02:00", 2],
        ["2024-04-08T00:00:00+02:00", 1],
      ],
    ],
    [
      "month",
      "Europe/Paris",
      [
        ["2024-03-01T00:00:00+01:00", 3],
        ["2024-04-01T00:00:00+02:00", 3],
      ],
    ],
    [
      "day",
      "Asia/Kolkata",
      [
        ["2024-03-31T00:00:00+05:30", 3],
        ["2024-04-01T00:00:00+05:30", 2],
        ["2024-04-08T00:00:00+05:30", 1],
      ],
    ],
  ])("per %s in %s", async (interval, tz, want) => {
    expect(await series(interval, tz, "2024-03-20T00:00:00Z", "2024-04-15T00:00:00Z")).toEqual(want);
  });

  it("per hour, every hour present", async () => {
    const result = await viewsOverTime(store, "tz", {
      page: "/p/",
      interval: "hour",
      tz: "UTC",
      from: at("2024-03-30T22:00:00Z"),
      to: at("2024-03-31T02:00:00Z"),
    });
    expect(result.points).toEqual([
      { t: "2024-03-30T22:00:00Z", views: 1 },
      { t: "2024-03-30T23:00:00Z", views: 1 },
      { t: "2024-03-31T00:00:00Z", views: 0 },
      { t: "2024-03-31T01:00:00Z", views: 1 },
    ]);
    expect(result.total).toBe(3);
  });

  it("covers the whole site when no page is given", async () => {
    expect(await series("month", "UTC", "2024-03-01T00:00:00Z", "2024-05-01T00:00:00Z", undefined)).toEqual([
      ["2024-03-01T00:00:00Z", 4],
      ["2024-04-01T00:00:00Z", 2],
    ]);
  });

  it("refuses unbounded or unknown requests", async () => {
    const q = { page: "/p/", tz: "UTC", from: at("2024-01-01T00:00:00Z"), to: at("2024-03-01T00:00:00Z") };
    await expect(viewsOverTime(store, "tz", { ...q, interval: "hour" })).rejects.toThrow(/at most 31 days/);
    await expect(viewsOverTime(store, "tz", { ...q, interval: "day", tz: "Mars/Olympus" })).rejects.toThrow(
      /unknown time zone/,
    );
    await expect(viewsOverTime(store, "tz", { ...q, interval: "day", to: q.from })).rejects.toThrow(/empty/);
  });

  it("answers totals with first view and capacity", async () => {
    const totals = await pageTotals(store, "tz");
    expect(totals).toMatchObject({ pages: { "/p/": 6 }, total: 6, since: "2024-03-30T22:30:00Z" });
    expect(totals.consumedCapacity).toBeGreaterThan(0);
  });

  it("prints the same JSON from the CLI, with dates read in --tz", async () => {
    const endpoint = ["--endpoint", await engine.endpoint(), "--site", "tz"];
    const cli = await runCli([
      "views",
      "/p/",
      "--json",
      "--from",
      "2024-03-31",
      "--to",
      "2024-04-01",
      "--tz",
      "Europe/Paris",
      ...endpoint,
    ]);
    expect(cli.stderr).toBe("");
    const json = JSON.parse(cli.stdout);
    expect(json).toEqual(
      await viewsOverTime(store, "tz", {
        page: "/p/",
        interval: "day",
        tz: "Europe/Paris",
        siteTimeZone: "Europe/Paris",
        from: at("2024-03-30T23:00:00Z"),
        to: at("2024-04-01T22:00:00Z"),
      }),
    );
    // One reader (the same address and agent) on each day of Paris, the site's time zone.
    expect(json.points).toEqual([
      { t: "2024-03-31T00:00:00+01:00", views: 2, visitors: 1 },
      { t: "2024-04-01T00:00:00+02:00", views: 2, visitors: 1 },
    ]);
    expect(json.visitors).toBe(2);
    const bad = await runCli(["views", "/p/", "--from", "yesterday", ...endpoint]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'pagetrack: --from "yesterday" is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone (2024-05-01T10:00:00Z)\n',
    );
  });
});

/**
 * Months over a long history read month items (one slot per UTC day) and only the day items of the
 * UTC days in which a local month starts: exact in every zone, 50 years in a few requests.
 */
describe("monthly series over decades", () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  let engine: EmbeddedEngine;
  let store: Store;
  const times: number[] = [];

  beforeAll(async () => {
    const dir = await tempDir();
    ({ engine, store } = await startEngine(join(dir, "data")));
    // Views around every month's turn from 1999 to 2024 (the last UTC day's evening, the first
    // day's night) and one mid-month, at hours drawn from a fixed sequence.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let year = 1999; year <= 2024; year++) {
      for (let month = 1; month <= 12; month++) {
        const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
        times.push(Date.UTC(year, month - 1, lastDay, 12 + next(12), next(60)) / 1000);
        times.push(Date.UTC(year, month - 1, 1, next(14), next(60)) / 1000);
        if (next(3) === 0) times.push(Date.UTC(year, month - 1, 10 + next(10), next(24)) / 1000);
      }
    }
    const lines = times.map((t, i) => {
      const iso = new Date(t * 1000).toISOString();
      return `${iso.slice(0, 10)}\t${iso.slice(11, 19)}\tGET\t/m/\t200\tMozilla/5.0%20(X11;%20Linux)%20Firefox/125.0\tm${i}`;
    });
    const log = join(dir, "months.log");
    await writeFile(
      log,
      `#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id\n${lines.join("\n")}\n`,
    );
    const summary = await ingest(store, "months", [fileSource(log)], {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: false,
    });
    expect(summary.ingested).toBe(1);
  }, 120_000);
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  /** What each local month from `from` to `to` must hold: the views of the UTC hours that start in it. */
  function expectedMonths(tz: string, from: string, to: string): Record<string, number> {
    const month = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit" });
    const want: Record<string, number> = {};
    for (const t of times) {
      const hour = Math.floor(t / 3600) * 3600;
      if (hour < at(from) || hour >= at(to)) continue;
      const label = month.format(new Date(hour * 1000)).slice(0, 7);
      want[label] = (want[label] ?? 0) + 1;
    }
    return want;
  }

  it.each([
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
  ])("is exact over 50 years in %s, in a few requests", async (tz) => {
    const before = store.usage.readRequests;
    const result = await viewsOverTime(store, "months", {
      page: "/m/",
      interval: "month",
      tz,
      from: at("1975-01-01T00:00:00Z"),
      to: at("2024-12-31T00:00:00Z"),
    });
    const requests = store.usage.readRequests - before;
    // 1975-01-01T00:00Z is still in 1974 west of Greenwich: 601 months there.
    expect(result.points).toHaveLength(tz.startsWith("America/") || tz.startsWith("Pacific/") ? 601 : 600);
    const got = Object.fromEntries(
      result.points.filter((p) => p.views > 0).map((p) => [p.t.slice(0, 7), p.views]),
    );
    // The range is widened to whole local months: from the first one's start to the last one's end.
    expect(result.from.slice(0, 10)).toBe(
      tz.startsWith("America/") || tz.startsWith("Pacific/") ? "1974-12-01" : "1975-01-01",
    );
    const want = expectedMonths(tz, result.from, result.to);
    expect(got).toEqual(want);
    expect(result.total).toBe(Object.values(want).reduce((a, b) => a + b, 0));
    expect(result.total).toBeGreaterThan(times.length - 3);
    // The views' and (in the site's zone, UTC) the visitors' month items, one query each; in a zone
    // whose months do not start at UTC midnight, the UTC day in which each month starts, when it has
    // views (one a month from 1999 to 2024 here), 100 to a BatchGetItem request. Never a day item per day.
    expect(requests).toBe(tz === "UTC" ? 2 : 1 + Math.ceil((26 * 12) / 100));
  });

  it("answers for the whole site as for its one page", async () => {
    const q = {
      interval: "month" as const,
      tz: "Europe/Paris",
      from: at("2000-01-01T00:00:00Z"),
      to: at("2024-01-01T00:00:00Z"),
    };
    const site = await viewsOverTime(store, "months", q);
    const page = await viewsOverTime(store, "months", { ...q, page: "/m/" });
    // The site's points have the bytes it served too (none here: counts written without a log).
    expect(site.points.map(({ bytes, ...point }) => point)).toEqual(page.points);
    expect(site.bytes).toBe(0);
  });

  it("agrees with the days it is made of, across a month's turn", async () => {
    const q = {
      page: "/m/",
      tz: "America/New_York",
      from: at("2023-12-20T00:00:00Z"),
      to: at("2024-02-10T00:00:00Z"),
    };
    const months = await viewsOverTime(store, "months", { ...q, interval: "month" });
    const days = await viewsOverTime(store, "months", {
      ...q,
      interval: "day",
      from: Date.parse(months.from) / 1000,
      to: Date.parse(months.to) / 1000,
    });
    const summed: Record<string, number> = {};
    for (const p of days.points) summed[p.t.slice(0, 7)] = (summed[p.t.slice(0, 7)] ?? 0) + p.views;
    expect(Object.fromEntries(months.points.map((p) => [p.t.slice(0, 7), p.views]))).toEqual(summed);
  });

  it("covers at most 50 years", async () => {
    await expect(
      viewsOverTime(store, "months", {
        interval: "month",
        tz: "UTC",
        from: at("1970-01-01T00:00:00Z"),
        to: at("2024-01-01T00:00:00Z"),
      }),
    ).rejects.toThrow(/a monthly series covers at most 18300 days/);
  });
});

describe("local times to instants", () => {
  it.each<[string, [number, number, number, number], string]>([
    // A day that starts with a jump at midnight starts at the jump.
    ["America/Santiago", [2024, 9, 8, 0], "2024-09-08T04:00:00.000Z"],
    // In a gap, the jump; in an overlap, the earlier of the two.
    ["Europe/Paris", [2024, 3, 31, 2], "2024-03-31T01:00:00.000Z"],
    ["Europe/Paris", [2024, 10, 27, 2], "2024-10-27T00:00:00.000Z"],
    // Half an hour forward at 02:00 on 1 October 2017: midnight is still +10:30.
    ["Australia/Lord_Howe", [2017, 10, 1, 0], "2017-09-30T13:30:00.000Z"],
    ["Australia/Lord_Howe", [2017, 10, 1, 2], "2017-09-30T15:30:00.000Z"],
    ["Asia/Kolkata", [2024, 5, 1, 0], "2024-04-30T18:30:00.000Z"],
  ])("%s %j is %s", (tz, [y, m, d, h], want) => {
    expect(new Date(instantOf(y, m, d, h, tz) * 1000).toISOString()).toBe(want);
  });
});
