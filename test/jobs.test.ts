import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { Tally } from "../src/aggregate/tally.js";
import { Audience } from "../src/audience/audience.js";
import { type GeneratedFormat, generateHourlyLogs, generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { JobPool } from "../src/jobs/pool.js";
import { contextOf, reportRead } from "../src/jobs/tasks.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { fileSource } from "../src/readers/sources.js";
import { runCli } from "./support/cli.js";
import { daysOf, expectCounts } from "./support/dataset.js";
import { tempDir } from "./support/paths.js";
import { expectReportCounts } from "./support/report.js";

/**
 * `--jobs N`: threads read the files side by side. What is counted, and the report printed, are the
 * same whatever N, with files that fail, files that are no logs and stdin among them.
 */
describe("reading files side by side (--jobs)", () => {
  let dir: string;
  let logs: string;
  let expected: Expected;
  beforeAll(async () => {
    dir = await tempDir();
    logs = join(dir, "logs");
    ({ expected } = await generateHourlyLogs(logs, {
      requests: 6000,
      start: "2024-05-01",
      days: 2,
      posts: 30,
      seed: 5,
      filesPerHour: 4,
    }));
    await generateLogFile(join(dir, "whole.log"), { requests: 2000, start: "2024-06-01", days: 1, posts: 5 });
  });

  it("prints the same report, byte for byte, with 1, 2 and 3 jobs", async () => {
    const outputs = [];
    for (const jobs of ["1", "2", "3"]) {
      const run = await runCli(["report", "--json", "--daily", "--jobs", jobs, logs]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      outputs.push(run.stdout);
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
    expectReportCounts(JSON.parse(outputs[0]), expected);
  });

  it("names the files that fail or are no logs in the same order, and counts the rest, whatever the jobs", async () => {
    await writeFile(join(dir, "README.md"), "# Logs\nThe CDN's logs are in logs/.\n");
    // A log cut off in the middle: a failure, not a log to skip.
    const whole = gzipSync(await readFile(join(dir, "whole.log")));
    await writeFile(join(dir, "broken.gz"), whole.subarray(0, whole.length / 2));
    const args = ["report", "--json", logs, join(dir, "README.md"), join(dir, "broken.gz"), "-"];
    const stdin = Buffer.from("");
    const runs = [];
    for (const jobs of ["1", "3"]) runs.push(await runCli([...args, "--jobs", jobs], { input: stdin }));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0].code).toBe(2);
    const json = JSON.parse(runs[0].stdout);
    expect(json.pages).toEqual(expected.pages);
    expect(json.summary).toMatchObject({ failedFiles: 1, skippedFiles: 2 });
    expect(runs[0].stderr).toMatch(
      /README\.md: skipped: .*\n.*broken\.gz: truncated gzip.*\n.*-: skipped: empty file/,
    );
  });

  it("ingests exactly with several jobs, and finds every file done the second time", async () => {
    const store = ["--data", join(await tempDir(), "data")];
    const first = await runCli(["ingest", "--json", "--jobs", "3", logs, ...store]);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout)).toMatchObject({ failed: 0, stats: { views: expected.views } });
    await expectCounts(store, expected, daysOf(expected));
    const again = JSON.parse((await runCli(["ingest", "--json", "--jobs", "2", logs, ...store])).stdout);
    expect(again).toMatchObject({ ingested: 0, duplicates: again.files });
  });

  it("shares a file's lines between threads: the same report, rejected lines and all", async () => {
    // A gzip file read as a stream (256 KiB chunks), a plain one over 1 MiB (64 KiB chunks), and an
    // IIS log (its lines are read in order, by one thread), each with bad lines all through it.
    const files = join(dir, "shared");
    await mkdir(files);
    const formats: [string, { format: GeneratedFormat; gzip?: boolean }][] = [
      ["cloudfront.log.gz", { format: "cloudfront", gzip: true }],
      ["access.log", { format: "combined" }],
      ["u_ex240501.log", { format: "iis" }],
    ];
    let expectedViews = 0;
    for (const [name, options] of formats) {
      const path = join(files, name);
      const made = await generateLogFile(path, {
        requests: 9000,
        start: "2024-05-01",
        days: 3,
        posts: 20,
        seed: 9,
        ...options,
      });
      expectedViews += made.views;
      const text = (options.gzip ? gunzipSync(await readFile(path)) : await readFile(path)).toString("utf8");
      const lines = text.split("\n");
      for (let i = lines.length - 10; i > 40; i -= 300) lines.splice(i, 0, `not a log line ${i}`);
      const bad = lines.join("\n");
      await writeFile(path, options.gzip ? gzipSync(bad) : bad);
    }
    // More jobs than files: the main thread reads each file, and 3 threads parse blocks of its lines.
    const outputs = [];
    for (const jobs of ["1", "4"]) {
      const run = await runCli(["report", "--json", "--daily", "--jobs", jobs, files]);
      expect(run.code).toBe(2);
      outputs.push(run.stdout, run.stderr);
    }
    expect(outputs.slice(2, 4)).toEqual(outputs.slice(0, 2));
    const json = JSON.parse(outputs[0]);
    expect(json.summary.views).toBe(expectedViews);
    expect(json.summary.rejected).toBeGreaterThan(3 * 25);
    expect(json.problems.filter((p: { file: string }) => p.file.endsWith("access.log"))).toHaveLength(20);
  });

  it("gives the threads blocks of a shared file's lines, and counts them as the main thread would", async () => {
    const path = join(dir, "shared", "cloudfront.log.gz");
    const setup = {
      format: "auto",
      rule: new PageViewRule().options,
      audience: new Audience().settings,
      period: "day",
    } as const;
    const source = { ...fileSource(path), size: (await stat(path)).size };
    const pool = JobPool.start("report", setup, 2, [source]) as JobPool;
    try {
      const lines = pool.sharedLines(source);
      const context = await contextOf(setup);
      const shared = await reportRead(source, context, undefined, lines);
      const alone = await reportRead(source, context);
      expect(lines?.blocks).toBeGreaterThan(0);
      expect(shared.scan).toEqual(alone.scan);
      const tally = (periods: Tally["periods"] | undefined) => Object.assign(new Tally("day"), { periods });
      expect(tally(shared.periods).totals("page")).toEqual(tally(alone.periods).totals("page"));
      expect(tally(shared.periods).totals("visitors")).toEqual(tally(alone.periods).totals("visitors"));
    } finally {
      await pool.close();
    }
  });

  it("takes a number of jobs from 1 to 256, and says so of anything else", async () => {
    for (const bad of ["0", "two", "1.5"]) {
      const run = await runCli(["report", "--jobs", bad, logs]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--jobs/);
    }
  });
});
