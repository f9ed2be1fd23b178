/**
 * `report` on generated traffic in the formats read since issue 13's logs from real machines:
 * Classic Load Balancer, IIS (a W3C extended log not from CloudFront), CloudFront standard logging
 * v2 as JSON lines and CloudFront files whose header lines were removed. The counts must be the
 * generator's, whether the format is detected or named.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportJson } from "../src/cli/report.js";
import { breakdownSpec, DIMENSIONS } from "../src/counters/registry.js";
import { type GenerateOptions, generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { expectReportCounts, type Lacks } from "./support/report.js";

/** The dimensions of entries, which need the referrer; those of page views but the country, which every log tells. */
const ENTRY_DIMENSIONS = DIMENSIONS.filter((d) => breakdownSpec(d).counts === "entries");
const VIEW_DIMENSIONS = DIMENSIONS.filter((d) => breakdownSpec(d).counts === "views" && d !== "country");

const TRAFFIC = { requests: 12_000, start: "2024-03-30", days: 3, posts: 20, seed: 11 };

async function report(args: string[]): Promise<{ json: ReportJson; stderr: string; code: number | null }> {
  const { code, stdout, stderr } = await runCli(["report", "--json", "--daily", ...args]);
  return { json: JSON.parse(stdout), stderr, code };
}

const FILES: {
  file: string;
  options: Partial<GenerateOptions>;
  format: string;
  /** The log tells the referrer and the host: entries and sources are the generator's. */
  entries: boolean;
  countries: boolean;
  args?: string[];
  /** What the log cannot tell of the requests beyond page views. */
  lacks?: Lacks;
}[] = [
  {
    file: "elb.log",
    options: { format: "elb" },
    format: "elb",
    entries: false,
    countries: false,
    lacks: { referrer: true },
  },
  {
    file: "alb.log.gz",
    options: { format: "alb", gzip: true },
    format: "alb",
    entries: false,
    countries: false,
    lacks: { referrer: true },
  },
  {
    file: "iis.log",
    options: { format: "iis" },
    format: "w3c",
    entries: true,
    countries: false,
    args: ["--own-host", "www.example.com"],
    lacks: { bytes: true },
  },
  {
    file: "iis-host.log",
    options: { format: "iis", vhost: true },
    format: "w3c",
    entries: true,
    countries: false,
    lacks: { bytes: true },
  },
  {
    file: "cloudfront-json.log.gz",
    options: { format: "cloudfront-json", gzip: true },
    format: "cloudfront-json",
    entries: true,
    countries: true,
  },
  {
    file: "headerless.log",
    options: { headerless: true },
    format: "cloudfront",
    entries: true,
    countries: false,
  },
  {
    file: "headerless-24.log.gz",
    options: { headerless: true, columns: 24, legacy: true, gzip: true },
    format: "cloudfront",
    entries: true,
    countries: false,
  },
  {
    file: "headerless-26.log",
    options: { headerless: true, columns: 26 },
    format: "cloudfront",
    entries: true,
    countries: false,
  },
];

describe("report on generated ELB, ALB, IIS, CloudFront JSON and header-less CloudFront logs", () => {
  let dir: string;
  let expected: Expected;
  beforeAll(async () => {
    dir = await tempDir();
    const all = await Promise.all(
      FILES.map(({ file, options }) => generateLogFile(join(dir, file), { ...TRAFFIC, ...options })),
    );
    expected = all[0];
    for (const other of all) expect(other).toEqual(expected);
  });

  it.each(FILES)(
    "counts $file exactly, detected or named ($format)",
    async ({ file, format, args = [], lacks }) => {
      const detected = await report([join(dir, file), ...args]);
      expect(detected.stderr).toBe("");
      expect(detected.code).toBe(0);
      expectReportCounts(detected.json, expected, lacks);
      const named = await report([join(dir, file), "--format", format, ...args]);
      expect(named.code).toBe(0);
      expect(named.json.pages).toEqual(expected.pages);
      expect(named.json.summary).toEqual(detected.json.summary);
    },
  );

  it.each(FILES)(
    "breaks $file down by what every log tells, and by what it tells of entries and countries",
    async ({ file, entries, countries, args = [] }) => {
      const { json } = await report([join(dir, file), ...args]);
      for (const dimension of VIEW_DIMENSIONS) {
        expect(json.breakdowns[dimension], dimension).toEqual(expected.breakdowns[dimension]);
      }
      expect(json.breakdowns.country).toEqual(
        countries ? expected.breakdowns.country : { "(unknown)": expected.views },
      );
      if (entries) {
        expect(json.summary.entries).toBe(expected.entries);
        for (const dimension of ENTRY_DIMENSIONS) {
          expect(json.breakdowns[dimension], dimension).toEqual(expected.breakdowns[dimension]);
        }
      } else {
        // ELB and ALB log no referrer: every view is an entry, and its source is its utm_source or (direct).
        expect(json.summary.entries).toBe(expected.views);
      }
    },
  );

  it("reads header-less CloudFront files of several layouts concatenated, and counts what they hold", async () => {
    const texts = await Promise.all(
      ["headerless-26.log", "headerless.log"].map((file) => readFile(join(dir, file), "utf8")),
    );
    const both = join(dir, "concatenated.log");
    await writeFile(both, texts.join(""));
    const { json, code } = await report([both]);
    expect(code).toBe(0);
    expect(json.summary.views).toBe(2 * expected.views);
    expect(json.summary.rejected).toBe(0);
    expect(json.pages["/"]).toBe(2 * expected.pages["/"]);
  });
});

describe("W3C extended logs whose producer quotes values", () => {
  it("reads a quoted value as one field, without its quotes (Log Parser, IIS tools)", async () => {
    const dir = await tempDir();
    const path = join(dir, "u_ex240501.log");
    const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    const edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Edg/124.0";
    await writeFile(
      path,
      [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) cs(Referer) cs-host sc-status",
        `2024-05-01 10:00:00 192.0.2.10 GET /Default.aspx - 192.0.2.1 "${firefox}" "https://www.google.com/" www.example.com 200`,
        // Every value quoted, a quote inside one doubled, an empty one.
        `"2024-05-01" "10:00:01" "192.0.2.10" "GET" "/shop/item.aspx" "id=2" "192.0.2.2" "${edge} ""quoted""" "" "www.example.com" "200"`,
        `2024-05-01 10:00:02 192.0.2.10 GET /a.php - 192.0.2.3 Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+14_4)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/17.4+Safari/605.1.15 - www.example.com 200`,
        `2024-05-01 10:00:03 192.0.2.10 GET /broken - 192.0.2.4 "${firefox} - www.example.com 200`,
      ].join("\r\n"),
    );
    const { code, stdout, stderr } = await runCli(["report", "--json", path]);
    const json = JSON.parse(stdout);
    expect(code).toBe(2);
    expect(stderr).toBe(`pagetrack: ${path}:7: unterminated quote\n`);
    expect(json.summary).toMatchObject({ records: 3, rejected: 1, views: 3 });
    expect(json.pages).toEqual({ "/": 1, "/shop/item.aspx": 1, "/a.php": 1 });
    expect(json.breakdowns.browser).toEqual({ Firefox: 1, Edge: 1, Safari: 1 });
    expect(json.breakdowns.source).toMatchObject({ Google: 1 });
  });
});
