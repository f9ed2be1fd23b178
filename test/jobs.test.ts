import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { generateHourlyLogs, generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
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

  it("takes a number of jobs from 1 to 256, and says so of anything else", async () => {
    for (const bad of ["0", "two", "1.5"]) {
      const run = await runCli(["report", "--jobs", bad, logs]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--jobs/);
    }
  });
});
