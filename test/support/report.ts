import { expect } from "vitest";
import type { ReportJson } from "../../src/cli/report.js";
import type { Expected } from "../../src/generator/traffic.js";

/** `report --json --daily` equals what the generator intended, every line read. */
export function expectReportCounts(json: ReportJson, expected: Expected): void {
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
  expect(json.hints).toEqual([]);
}
