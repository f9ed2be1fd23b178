import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./support/dataset.js";
import { growingLog } from "./support/growing.js";
import { tempDir } from "./support/paths.js";
import { putObjects, s3Env, startS3 } from "./support/s3.js";

/** `pagetrack ingest s3://bucket/prefix` against a real local S3 server. */
describe("ingest from S3", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let data: Dataset;
  beforeAll(async () => {
    s3 = await startS3();
    data = await dataset({ requests: 3000, days: 1, seed: 5 });
    const objects: Record<string, Buffer> = {};
    for (const file of data.files) objects[`logs/cf/${file.split("/").pop()}`] = await readFile(file);
    // More objects than one listing page holds (1,000): the listing must follow its continuation token.
    for (let i = 0; i < 1010; i++) objects[`logs/folders/${String(i).padStart(4, "0")}/`] = Buffer.alloc(0);
    objects["other/ignored.log"] = Buffer.from("not under the prefix\n");
    await putObjects(s3.client, "site-logs", objects);
  }, 120_000);
  afterAll(() => s3.stop());

  it("lists every object under the prefix, page by page, and counts exactly", async () => {
    const store = ["--data", join(await tempDir(), "data")];
    const run = await runCli(["ingest", "--json", "s3://site-logs/logs/", ...store], {
      env: s3Env(s3.endpoint),
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: data.files.length, ingested: data.files.length });
    await expectCounts(store, data.expected, daysOf(data.expected));
  });

  it("counts a log that grew in the bucket (overwritten, then rotated and gzipped) once per record", async () => {
    const dir = await tempDir();
    const { expected, text: lines } = await growingLog({
      requests: 8000,
      start: "2024-02-28",
      days: 1,
      seed: 43,
    });
    const text = (n: number) => lines(0, n);
    const store = ["--data", join(dir, "data")];
    const ingest = async () => {
      const run = await runCli(["ingest", "--json", "s3://site-logs/web/", ...store], {
        env: s3Env(s3.endpoint),
      });
      expect(run.code).toBe(0);
      // The log just rotated is empty: named, no failure.
      expect(run.stderr.replace("pagetrack: s3://site-logs/web/access.log: skipped: empty file\n", "")).toBe(
        "",
      );
      return JSON.parse(run.stdout);
    };
    await putObjects(s3.client, "site-logs", { "web/access.log": text(3000) });
    expect(await ingest()).toMatchObject({ ingested: 1, grown: 0 });
    await putObjects(s3.client, "site-logs", { "web/access.log": text(8000) });
    expect(await ingest()).toMatchObject({ ingested: 1, grown: 1 });
    await putObjects(s3.client, "site-logs", {
      "web/access.log": "",
      "web/access.log.1.gz": gzipSync(text(8000)),
    });
    expect(await ingest()).toMatchObject({ ingested: 0, duplicates: 1 });
    const totals = JSON.parse((await runCli(["totals", "--json", ...store])).stdout);
    expect(totals.pages).toEqual(expected.pages);
    expect(totals.total).toBe(expected.views);
  });

  it("names a missing bucket or an empty prefix in one line", async () => {
    const store = ["--data", join(await tempDir(), "data")];
    const missing = await runCli(["ingest", "s3://no-such-bucket/x/", ...store], { env: s3Env(s3.endpoint) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("pagetrack: s3://no-such-bucket/x/: no such S3 bucket\n");
    const empty = await runCli(["ingest", "s3://site-logs/nothing-here/", ...store], {
      env: s3Env(s3.endpoint),
    });
    expect(empty.stderr).toBe("pagetrack: s3://site-logs/nothing-here/: no objects under this prefix\n");
  });
});
