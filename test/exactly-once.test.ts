import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset } from "./support/dataset.js";
import {
  exactlyOnce,
  expectRerunExact,
  ingestProcess,
  kill,
  QUICK_RETRIES,
  shuffled,
} from "./support/exactly-once.js";
import { tempDir } from "./support/paths.js";
import { startProxiedEngine } from "./support/store.js";

// One file an hour; the same with many small files (as CloudFront delivers) is in
// exactly-once-small-files.test.ts, so that the two run side by side.
exactlyOnce("one file an hour", 1, [
  { owner: true, bytes: 30_000 },
  { owner: false, request: 5 },
  { owner: true, bytes: 250_000 },
  { owner: false, request: 150 },
  { owner: true, bytes: 500_000 },
  // In the rollup, at the end of the run.
  { owner: false, request: 300 },
]);

/** What does not depend on the shape of the delivery, on many small files. */
describe("exactly-once ingestion when a rollup is killed or the table fails for good", {
  timeout: 240_000,
}, () => {
  let data: Dataset;
  let server: Awaited<ReturnType<typeof startProxiedEngine>>;
  beforeAll(async () => {
    data = await dataset({ requests: 6000, days: 1, filesPerHour: 16 });
    server = await startProxiedEngine(join(await tempDir(), "data"));
  });
  afterAll(() => server.stop());

  // Rollups are what sends UpdateItem (at least 80 of them here): the proxy tells when one is under way.
  it.each([1, 25, 60])("counts exactly when killed at write %i of a rollup", async (nth) => {
    const { proxy, endpoint } = server;
    const args = ["--endpoint", endpoint, "--site", `rollup${nth}`];
    let updates = 0;
    let reached: () => void = () => {};
    const atRollup = new Promise<void>((resolve) => {
      reached = resolve;
    });
    proxy.choose = (operation) => {
      if (operation === "UpdateItem" && ++updates === nth) reached();
      return "pass";
    };
    const child = ingestProcess(shuffled(data.files, nth), args);
    await Promise.race([atRollup, new Promise((resolve) => child.once("exit", resolve))]);
    expect(await kill(child)).toBe(true);
    proxy.choose = () => "pass";
    await expectRerunExact(data, args, server.store, `rollup${nth}`);
  });

  it("marks files failed when a fault outlasts the retries, and a later run completes them", async () => {
    const { proxy, endpoint } = server;
    const site = ["--endpoint", endpoint, "--site", "stuck"];
    proxy.choose = (operation) => (operation === "BatchWriteItem" ? "stuck" : "pass");
    const files = data.files.slice(0, 3);
    const failed = await runCli(["ingest", ...files, ...site], { env: QUICK_RETRIES });
    expect(failed.code).toBe(2);
    const lines = failed.stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/\.gz: DynamoDB left \d+ items unprocessed/);
    proxy.choose = () => "pass";
    const completed = await runCli(["ingest", "--json", ...files, ...site]);
    expect(completed.code).toBe(0);
    expect(JSON.parse(completed.stdout)).toMatchObject({ ingested: 3 });
    const totals = JSON.parse((await runCli(["totals", "--json", ...site])).stdout);
    expect(totals.total).toBeGreaterThan(0);
  });
});
