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
import { type GenerateOptions, generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { expectReportCounts } from "./support/report.js";

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
}[] = [
  { file: "elb.log", options: { format: "elb" }, format: "elb", entries: false, countries: false },
  {
    file: "iis.log",
    options: { format: "iis" },
    format: "w3c",
    entries: true,
    countries: false,
    args: ["--own-host", "www.example.com"],
  },
  {
    file: "iis-host.log",
    options: { format: "iis", vhost: true },
    format: "w3c",
    entries: true,
    countries: false,
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

describe("report on generated ELB, IIS, CloudFront JSON and header-less CloudFront logs", () => {
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

  it.each(FILES)("counts $file exactly, detected or named ($format)", async ({ file, format, args = [] }) => {
    const detected = await report([join(dir, file), ...args]);
    expect(detected.stderr).toBe("");
    expect(detected.code).toBe(0);
    expectReportCounts(detected.json, expected);
    const named = await report([join(dir, file), "--format", format, ...args]);
    expect(named.code).toBe(0);
    expect(named.json.pages).toEqual(expected.pages);
    expect(named.json.summary).toEqual(detected.json.summary);
  });

  it.each(FILES)(
    "breaks $file down by browser, OS and device, and what the log tells of entries and countries",
    async ({ file, entries, countries, args = [] }) => {
      const { json } = await report([join(dir, file), ...args]);
      for (const dimension of ["browser", "os", "device"] as const) {
        expect(json.breakdowns[dimension], dimension).toEqual(expected.breakdowns[dimension]);
      }
      expect(json.breakdowns.country).toEqual(
        countries ? expected.breakdowns.country : { "(unknown)": expected.views },
      );
      if (entries) {
        expect(json.summary.entries).toBe(expected.entries);
        for (const dimension of ["source", "campaign", "entry"] as const) {
          expect(json.breakdowns[dimension], dimension).toEqual(expected.breakdowns[dimension]);
        }
      } else {
        // ELB logs no referrer: every view is an entry, and its source is its utm_source or (direct).
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
