import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { optionOf, repeatableOf } from "../src/cli/options.js";
import {
  checkRange,
  host,
  hosts,
  interval,
  isNot,
  limitParam,
  mustBe,
  parseEnv,
  paths,
  readQuery,
  site,
  statuses,
  text,
  whole,
  zone,
} from "../src/contract/params.js";
import {
  BREAKDOWN_LIMIT,
  isoSeconds,
  MAX_RANGE_DAYS,
  parseDate,
  parseIsoTime,
  VISIT_LIMIT,
} from "../src/contract/rules.js";
import { UserError } from "../src/errors.js";

describe("the pieces", () => {
  it.each([
    [zone, "Europe/Paris", "Europe/Paris", "Mars/Olympus"],
    [site, "blog-2.example", "blog-2.example", "my site"],
    [host, "blog.example.com:8080", "blog.example.com:8080", "https://example.com/"],
    [statuses, " 200, 304 ", [200, 304], "200,abc"],
    [interval, "week", "week", "year"],
    [whole(1, 1000), "1000", 1000, "1001"],
    [paths, "/blog/, /docs/,", ["/blog/", "/docs/"], "/blog/,docs/"],
    [hosts, "example.com,www.example.com", ["example.com", "www.example.com"], "example.com,a b"],
  ] as const)("%#: reads a good value and refuses a bad one", (piece, good, value, bad) => {
    expect((piece.parse as (t: string) => unknown)(good)).toEqual(value);
    expect(piece.parse(bad)).toBeUndefined();
  });

  it("refuses what is not a whole number in range", () => {
    const n = whole(0, 10);
    for (const bad of ["", " ", "1.5", "-1", "11", "abc", "NaN"]) expect(n.parse(bad), bad).toBeUndefined();
    expect(n.parse("0")).toBe(0);
    expect(statuses.parse("")).toBeUndefined();
    expect(statuses.parse("99")).toBeUndefined();
    expect(statuses.parse("600")).toBeUndefined();
  });

  it("says what a piece must be, for the API and configs and for the CLI, from the same words", () => {
    expect(mustBe(zone)).toBe("must be an IANA time zone such as Europe/Paris");
    expect(isNot(zone, "Europe/Pariss")).toBe('"Europe/Pariss" is not an IANA time zone, e.g. Europe/Paris');
    expect(mustBe(host)).toBe("must be a host name such as example.com (no scheme, no path)");
    expect(isNot(statuses, "abc")).toBe('"abc" is not a list of HTTP statuses, e.g. 200,304');
    expect(mustBe(whole(1, 1000))).toBe("must be a whole number from 1 to 1000");
  });
});

describe("the surfaces", () => {
  it("reads a query string; a bad parameter is one line naming it", () => {
    const params = z.object({ tz: z.optional(text(zone)), limit: limitParam(BREAKDOWN_LIMIT) });
    expect(readQuery(params, {})).toEqual({ limit: BREAKDOWN_LIMIT.default });
    expect(readQuery(params, { tz: "UTC", limit: "5" })).toEqual({ tz: "UTC", limit: 5 });
    expect(() => readQuery(params, { limit: "0" })).toThrow(
      new UserError("limit: must be a whole number from 1 to 1000"),
    );
    expect(() => readQuery(params, { tz: "Mars" })).toThrow(
      new UserError("tz: must be an IANA time zone such as Europe/Paris"),
    );
  });

  it("reads environment variables, naming every bad one on one line; empty ones are unset", () => {
    const env = z.object({
      PAGETRACK_PREFIXES: z._default(text(paths), []),
      PAGETRACK_STATUSES: z._default(text(statuses), [200, 304]),
    });
    expect(parseEnv(env, { PAGETRACK_PREFIXES: "", PAGETRACK_STATUSES: "200" })).toEqual({
      PAGETRACK_PREFIXES: [],
      PAGETRACK_STATUSES: [200],
    });
    expect(() => parseEnv(env, { PAGETRACK_PREFIXES: "blog/", PAGETRACK_STATUSES: "ok" })).toThrow(
      'bad configuration: PAGETRACK_PREFIXES must be paths starting with "/", comma-separated, such as /blog/,/docs/; PAGETRACK_STATUSES must be a list of HTTP statuses such as 200,304',
    );
  });

  it("makes the pieces into option parsers whose errors commander prints after the option", () => {
    expect(optionOf(zone)("UTC")).toBe("UTC");
    expect(() => optionOf(zone)("Europe/Pariss")).toThrow(
      new InvalidArgumentError('"Europe/Pariss" is not an IANA time zone, e.g. Europe/Paris'),
    );
    const collect = repeatableOf(host);
    expect(collect("b.example", collect("a.example"))).toEqual(["a.example", "b.example"]);
    expect(() => collect("http://a.example")).toThrow(/is not a host name, e.g. example.com/);
  });
});

describe("the rules", () => {
  it("checks a range: not empty, not longer than its questions allow", () => {
    const day = 86400;
    expect(() => checkRange({ from: 0, to: day }, 1, "x")).not.toThrow();
    expect(() => checkRange({ from: day, to: day }, 1, "x")).toThrow("the range is empty");
    expect(() => checkRange({ from: 0, to: 2 * day + 1 }, 2, "/pages with from or to")).toThrow(
      "/pages with from or to covers at most 2 days; narrow the range",
    );
    expect(MAX_RANGE_DAYS.day).toBe(1098);
    expect(VISIT_LIMIT.default).toBeLessThanOrEqual(VISIT_LIMIT.max);
  });

  it("reads dates and ISO times, and writes instants to the second", () => {
    expect(parseDate("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ["2023-02-29", "2024-13-01", "2024-01-00", "2024-1-01", "yesterday"])
      expect(parseDate(bad), bad).toBeUndefined();
    expect(parseIsoTime("2024-05-01T10:00:00Z")).toBe(1714557600);
    expect(parseIsoTime("2024-05-01T12:00+02:00")).toBe(1714557600);
    expect(parseIsoTime("2024-05-01T10:00:00")).toBeUndefined();
    expect(isoSeconds(1714557600)).toBe("2024-05-01T10:00:00Z");
  });
});
