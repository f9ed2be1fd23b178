import { join } from "node:path";
import { expect } from "vitest";
import { connect } from "../../src/cli/connect.js";
import { breakdownSpec, DIMENSIONS, PAGE_DIMENSIONS } from "../../src/counters/registry.js";
import { generateHourlyLogs } from "../../src/generator/files.js";
import type { Expected } from "../../src/generator/traffic.js";
import { breakdown } from "../../src/query/breakdown.js";
import { crawlers, feeds, notFound } from "../../src/query/server.js";
import type { Store } from "../../src/store/store.js";
import { runCli } from "./cli.js";
import { tempDir } from "./paths.js";

export interface Dataset {
  dir: string;
  files: string[];
  expected: Expected;
}

/** Generated CloudFront logs, gzipped, one file an hour or several, with the counts they must give. */
export async function dataset(options: {
  requests: number;
  days: number;
  seed?: number;
  filesPerHour?: number;
}): Promise<Dataset> {
  const dir = await tempDir("pagetrack-logs-");
  const { files, expected } = await generateHourlyLogs(join(dir, "logs"), {
    requests: options.requests,
    start: "2024-02-28",
    days: options.days,
    posts: 12,
    seed: options.seed ?? 3,
    filesPerHour: options.filesPerHour,
  });
  return { dir, files, expected };
}

/** Checks every page's total and the site's views per UTC day, through the CLI as a user would. */
export async function expectCounts(storeArgs: string[], expected: Expected, days: string[]): Promise<void> {
  const totals = await runCli(["totals", "--json", ...storeArgs]);
  expect(totals.stderr).toBe("");
  const json = JSON.parse(totals.stdout);
  expect(json.pages).toEqual(expected.pages);
  expect(json.total).toBe(expected.views);
  expect(json.visitors).toEqual(expected.visitors);
  expect(json.siteVisitors).toBe(expected.visitorsTotal);
  const from = days[0];
  const to = days[days.length - 1];
  const series = await runCli(["views", "--json", "--from", from, "--to", to, ...storeArgs]);
  const points: { t: string; views: number; visitors: number }[] = JSON.parse(series.stdout).points;
  // The bytes of every response, pages, assets and bots' alike.
  expect(JSON.parse(series.stdout).bytes).toBe(expected.bytes);
  const perDay = Object.fromEntries(points.map((p) => [p.t.slice(0, 10), p.views]));
  expect(Object.fromEntries(points.map((p) => [p.t.slice(0, 10), p.visitors]))).toEqual(
    Object.fromEntries(days.map((d) => [d, expected.dailyVisitors[d] ?? 0])),
  );
  const want: Record<string, number> = Object.fromEntries(days.map((d) => [d, 0]));
  for (const byDay of Object.values(expected.daily)) for (const [d, n] of Object.entries(byDay)) want[d] += n;
  expect(perDay).toEqual(want);
  const bots = await runCli(["views", "--bots", "--json", "--from", from, "--to", to, ...storeArgs]);
  expect(JSON.parse(bots.stdout).total).toBe(expected.bots);
  await expectBreakdowns(storeArgs, expected, days);
}

/**
 * Checks every audience dimension over the whole range against what the generator intended (its
 * CloudFront files name no country). In this process, through the query `/breakdown` and `pagetrack
 * top` share, on the same store.
 */
export async function expectBreakdowns(
  storeArgs: string[],
  expected: Expected,
  days: string[],
): Promise<void> {
  const option = (name: string) => {
    const at = storeArgs.indexOf(name);
    return at === -1 ? undefined : storeArgs[at + 1];
  };
  const { store, site, close } = await connect({
    data: option("--data"),
    endpoint: option("--endpoint"),
    site: option("--site"),
  });
  try {
    const from = Date.parse(`${days[0]}T00:00:00Z`) / 1000;
    const to = Date.parse(`${days[days.length - 1]}T00:00:00Z`) / 1000 + 86400;
    const want = { ...expected.breakdowns, country: { "(unknown)": expected.views } };
    for (const dimension of DIMENSIONS) {
      const answer = await breakdown(store, site, { dimension, from, to, tz: "UTC", limit: 1000 });
      expect(Object.fromEntries(answer.values.map((v) => [v.value, v.count])), dimension).toEqual(
        want[dimension],
      );
    }
    await expectServer(store, site, expected, { from, to });
    await expectPageAudiences(store, site, expected, { from, to });
  } finally {
    await close();
  }
}

/**
 * Every page's audience: its browsers (and OS, devices, countries) add up to its views, its sources
 * to the entries that landed on it, and each dimension summed over the pages is the site's.
 */
export async function expectPageAudiences(
  store: Store,
  site: string,
  expected: Expected,
  range: { from: number; to: number },
): Promise<void> {
  const want = { ...expected.breakdowns, country: { "(unknown)": expected.views } };
  for (const dimension of PAGE_DIMENSIONS) {
    const summed: Record<string, number> = {};
    for (const page of Object.keys(expected.pages)) {
      const answer = await breakdown(store, site, { dimension, ...range, tz: "UTC", limit: 1000, page });
      const counts = breakdownSpec(dimension).counts;
      expect(answer.total, `${dimension} of ${page}`).toBe(
        counts === "views"
          ? expected.pages[page]
          : dimension === "source"
            ? (expected.breakdowns.entry[page] ?? 0)
            : answer.total,
      );
      for (const { value, count } of answer.values) summed[value] = (summed[value] ?? 0) + count;
    }
    expect(summed, dimension).toEqual(want[dimension]);
  }
}

/** Crawlers, missing pages and feeds as the store answers them equal what the generator intended. */
export async function expectServer(
  store: Store,
  site: string,
  expected: Expected,
  range: { from: number; to: number },
): Promise<void> {
  const q = { ...range, tz: "UTC", limit: 1000 };
  const [c, n, f] = await Promise.all([
    crawlers(store, site, q),
    notFound(store, site, q),
    feeds(store, site, q),
  ]);
  expect(Object.fromEntries(c.crawlers.map(({ name, ...counts }) => [name, counts]))).toEqual(
    expected.crawlers,
  );
  expect(
    Object.fromEntries(
      n.paths.map((p) => [
        p.path,
        {
          requests: p.requests,
          internal: Object.fromEntries(p.internal.map((l) => [l.page, l.count])),
          external: Object.fromEntries(p.external.map((l) => [l.referrer, l.count])),
          none: p.none,
        },
      ]),
    ),
  ).toEqual(expected.notFound);
  expect(
    Object.fromEntries(
      f.feeds.map((feed) => [
        feed.path,
        {
          subscribers: feed.subscribers,
          day: feed.day,
          readers: Object.fromEntries(feed.readers.map((r) => [r.name, r.subscribers])),
        },
      ]),
    ),
  ).toEqual(expected.feeds);
}

export function daysOf(expected: Expected): string[] {
  return [...new Set(Object.values(expected.daily).flatMap((d) => Object.keys(d)))].sort();
}
