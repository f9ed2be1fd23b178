import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";

/**
 * Each kind of bad input gives one line naming the file (and line) on stderr, exit code 2, and the
 * good file given alongside it is still counted in full.
 */
describe("bad input", () => {
  let dir: string;
  let good: string;
  let expected: Expected;
  const header = "#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent)\n";
  const record =
    "2024-05-01\t10:00:00\tGET\t/ok/\t200\tMozilla/5.0%20(X11;%20Linux%20x86_64)%20Firefox/125.0\n";

  beforeAll(async () => {
    dir = await tempDir();
    good = join(dir, "good.gz");
    expected = await generateLogFile(good, { requests: 3000, start: "2024-05-01", days: 1, gzip: true });
    const gz = await readFile(good);
    await writeFile(join(dir, "truncated.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
    await writeFile(
      join(dir, "garbage.bin"),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    await writeFile(join(dir, "corrupt.gz"), Buffer.concat([gz.subarray(0, 20), Buffer.alloc(2000, 0x55)]));
    await writeFile(join(dir, "empty.log"), "");
    await writeFile(join(dir, "empty.gz"), gzipSync(Buffer.alloc(0)));
    await writeFile(join(dir, "header-only.log"), header);
    await writeFile(
      join(dir, "long-line.log"),
      `${header}${record}2024-05-01\t10:00:01\tGET\t/${"x".repeat(10 * 1024 * 1024)}\n${record}`,
    );
    await writeFile(
      join(dir, "bad-utf8.log"),
      Buffer.concat([
        Buffer.from(header + record),
        Buffer.from([0x32, 0xff, 0xfe, 0x0a]),
        Buffer.from(record),
      ]),
    );
    await writeFile(join(dir, "unknown.log"), "hello world\nthis is not a log\n");
    await mkdir(join(dir, "empty-dir/sub"), { recursive: true });
  });

  async function expectOneBadFile(name: string, message: RegExp, goodLines = true) {
    const path = join(dir, name);
    const { code, stdout, stderr } = await runCli(["report", "--json", good, path]);
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    const json = JSON.parse(stdout);
    // --json lists the problem too: the file's failure, or its rejected line.
    expect(json.problems).toHaveLength(1);
    expect(json.problems[0].file).toBe(path);
    expect(
      `${path}${"line" in json.problems[0] ? `:${json.problems[0].line}` : ""}: ${json.problems[0].error ?? json.problems[0].reason}`,
    ).toMatch(message);
    if (goodLines) expect(json.summary.views - (json.pages["/ok/"] ?? 0)).toBe(expected.views);
    return json;
  }

  it.each([
    ["truncated.gz", /truncated\.gz: truncated gzip data: the file was cut off/],
    ["corrupt.gz", /corrupt\.gz: corrupt gzip data/],
    ["garbage.bin", /garbage\.bin: not a text log file \(line 1: invalid UTF-8\)/],
    ["empty.log", /empty\.log: empty file/],
    ["empty.gz", /empty\.gz: empty file/],
    ["header-only.log", /header-only\.log: no log records/],
    ["unknown.log", /unknown\.log: unknown log format .*--format/],
    ["empty-dir", /empty-dir: directory holds no log files/],
    ["does-not-exist.log", /does-not-exist\.log: no such file or directory/],
  ])("%s", async (name, message) => {
    const json = await expectOneBadFile(name, message);
    expect(json.summary.failedFiles).toBe(1);
    expect(json.summary.views).toBe(expected.views);
  });

  it("rejects a 10 MB line and keeps the lines around it", async () => {
    const json = await expectOneBadFile("long-line.log", /long-line\.log:4: line longer than 256 KiB/);
    expect(json.pages["/ok/"]).toBe(2);
    expect(json.summary.rejected).toBe(1);
  });

  it("rejects a line that is not UTF-8 and keeps the rest", async () => {
    const json = await expectOneBadFile("bad-utf8.log", /bad-utf8\.log:4: invalid UTF-8/);
    expect(json.pages["/ok/"]).toBe(2);
  });

  it("never half-counts a file that fails part way", async () => {
    const { stdout } = await runCli(["report", "--json", join(dir, "truncated.gz")]);
    expect(JSON.parse(stdout).summary).toMatchObject({ views: 0, records: 0, failedFiles: 1 });
  });

  it("lists no problems and exits 0 when there are none", async () => {
    const { code, stdout, stderr } = await runCli(["report", "--json", good]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout).problems).toEqual([]);
  });

  it("exits 2 on a re-run of an ingest only for problems found again, and lists them in --json", async () => {
    const data = ["--data", join(await tempDir(), "data")];
    const lines = join(dir, "long-line.log");
    const unknown = join(dir, "unknown.log");
    const first = await runCli(["ingest", "--json", lines, ...data]);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/long-line\.log:4: line longer than 256 KiB/);
    expect(JSON.parse(first.stdout)).toMatchObject({
      ingested: 1,
      problems: [{ file: lines, line: 4, reason: expect.stringMatching(/line longer than 256 KiB/) }],
    });
    // Already done: skipped, its old problem neither shown nor counted against the run.
    for (const json of [[], ["--json"]]) {
      const again = await runCli(["ingest", ...json, lines, ...data]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      if (json.length) expect(JSON.parse(again.stdout)).toMatchObject({ duplicates: 1, problems: [] });
      else expect(again.stdout).toContain("0 of 1 file ingested, 1 already done (skipped)");
    }
    // A file that cannot be read fails again on every run, and says so every time.
    for (let run = 0; run < 2; run++) {
      const failing = await runCli(["ingest", "--json", lines, unknown, ...data]);
      expect(failing.code).toBe(2);
      expect(failing.stderr.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/unknown\.log: unknown log format/),
      ]);
      expect(JSON.parse(failing.stdout)).toMatchObject({
        duplicates: 1,
        failed: 1,
        problems: [{ file: unknown, error: expect.stringMatching(/^unknown log format/) }],
      });
    }
  });

  it("names an unknown --format as a usage error", async () => {
    const { code, stderr } = await runCli(["report", "--format", "iis", good]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/argument 'iis' is invalid/);
  });
});
