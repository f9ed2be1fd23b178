import { expect } from "vitest";
import type { ReportJson } from "../../src/cli/report.js";
import type { Expected } from "../../src/generator/traffic.js";

/** What a format cannot tell of the requests beyond page views. */
export interface Lacks {
  /** No referrer (ELB, ALB): every missing page's link is `none`. */
  referrer?: boolean;
  /** No response bytes (IIS's default fields). */
  bytes?: boolean;
  /** No own host (plain combined without --own-host): a link from the site looks external. */
  host?: boolean;
}

/** `report --json --daily` equals what the generator intended, every line read. */
export function expectReportCounts(json: ReportJson, expected: Expected, lacks: Lacks = {}): void {
  expect(json.pages).toEqual(expected.pages);
  expect(json.daily).toEqual(expected.daily);
  // Visitors: distinct (client IP, user agent) pairs per UTC day, summed over days.
  expect(json.visitors).toEqual(expected.visitors);
  expect(json.dailyVisitors).toEqual(expected.dailyVisitors);
  expect(json.summary.visitors).toBe(expected.visitorsTotal);
  expect(json.summary.views).toBe(expected.views);
  expect(json.summary.bots).toBe(expected.bots);
  expect(json.summary.records).toBe(expected.lines);
  expect(json.summary.rejected).toBe(0);
  expect(json.hints).toEqual(lacks.host ? json.hints : []);
  expectServerCounts(json, expected, lacks);
}

/** Crawlers, missing pages, downloads, feeds and bytes: what the generator intended, as the log can tell it. */
export function expectServerCounts(json: ReportJson, expected: Expected, lacks: Lacks = {}): void {
  expect(json.summary.bytes).toBe(lacks.bytes ? 0 : expected.bytes);
  const crawlers = structuredClone(expected.crawlers);
  if (lacks.bytes) for (const c of Object.values(crawlers)) c.bytes = 0;
  expect(json.crawlers).toEqual(crawlers);
  expect(json.breakdowns.crawler).toEqual(
    Object.fromEntries(Object.entries(expected.crawlers).map(([name, c]) => [name, c.requests])),
  );
  const notFound = structuredClone(expected.notFound);
  for (const n of Object.values(notFound)) {
    if (lacks.referrer) Object.assign(n, { internal: {}, external: {}, none: n.requests });
    else if (lacks.host) {
      // Without the site's own host, a link from one of its pages is another site's.
      for (const [page, count] of Object.entries(n.internal))
        n.external[`example.com${page}`] = (n.external[`example.com${page}`] ?? 0) + count;
      n.internal = {};
    }
  }
  expect(json.notFound).toEqual(notFound);
  expect(json.breakdowns.notfound).toEqual(
    Object.fromEntries(Object.entries(expected.notFound).map(([path, n]) => [path, n.requests])),
  );
  expect(json.breakdowns.download).toEqual(expected.downloads);
  expect(json.feeds).toEqual(expected.feeds);
}
