import { type ChildProcess, spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { random } from "../src/generator/traffic.js";
import type { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./support/dataset.js";
import type { FaultProxy } from "./support/fault-proxy.js";
import { ROOT, tempDir } from "./support/paths.js";
import { countViews, startEngine, startProxiedEngine } from "./support/store.js";

/**
 * The invariant of DESIGN.md: ingesting any set of files, any number of times, in any order,
 * concurrently, killed at any point and run again, leaves exactly the counts of ingesting each
 * distinct file once. Counts are compared with what the generator intended, never with pagetrack's
 * own arithmetic.
 */
describe("exactly-once ingestion", () => {
  let data: Dataset;
  let days: string[];
  beforeAll(async () => {
    data = await dataset({ requests: 6000, days: 1 });
    days = daysOf(data.expected);
  });

  function shuffled<T>(list: T[], seed: number): T[] {
    const rand = random(seed);
    return [...list]
      .map((x) => [rand(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, x]) => x);
  }

  it("counts each file once: twice, under another name, in any order, forced again", async () => {
    const dir = await tempDir();
    const store = ["--data", join(dir, "data")];
    const first = await runCli(["ingest", ...shuffled(data.files, 1), ...store]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    await expectCounts(store, data.expected, days);

    const again = await runCli(["ingest", "--json", ...shuffled(data.files, 2), ...store]);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ files: data.files.length, ingested: 0, duplicates: data.files.length });
    expect(summary.usage.writeRequests).toBe(0);

    const renamed = join(dir, "renamed.gz");
    await copyFile(data.files[3], renamed);
    const copy = await runCli(["ingest", "--json", renamed, ...store]);
    expect(JSON.parse(copy.stdout)).toMatchObject({ duplicates: 1 });

    const forced = await runCli(["ingest", "--force", ...data.files.slice(0, 5), ...store]);
    expect(forced.code).toBe(0);
    await expectCounts(store, data.expected, days);
  });

  it("counts exactly with three ingest processes at once on one data directory", async () => {
    const dir = await tempDir();
    const store = ["--data", join(dir, "data")];
    const n = data.files.length;
    const sets = [
      data.files.slice(0, (2 * n) / 3),
      shuffled(data.files.slice(n / 3), 3),
      shuffled(data.files, 4),
    ];
    const runs = await Promise.all(sets.map((files) => runCli(["ingest", ...files, ...store])));
    for (const run of runs) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    }
    await expectCounts(store, data.expected, days);
  });

  describe("killed with SIGKILL at ten moments, then run again", () => {
    let full = 0;
    beforeAll(async () => {
      const dir = await tempDir();
      const started = Date.now();
      await runCli(["ingest", ...data.files, "--data", join(dir, "data")]);
      full = Date.now() - started;
    });

    it.each(Array.from({ length: 10 }, (_, i) => i))("moment %i", async (i) => {
      // Even moments kill the process that runs the engine; odd ones a process using this test's engine.
      // A run that finishes before its moment (the machine got faster) is tried again, sooner.
      let delay = 150 + ((i + 0.5) / 10) * full * 0.9;
      for (;;) {
        const dir = await tempDir();
        const store = ["--data", join(dir, "data")];
        const own = i % 2 === 1 ? await startEngine(join(dir, "data")) : undefined;
        const args = [join(ROOT, "bin/pagetrack.js"), "ingest", ...shuffled(data.files, i), ...store];
        const child = spawn(process.execPath, args, { stdio: "ignore" });
        await sleep(delay);
        const killed = await kill(child);
        if (killed) {
          const rerun = await runCli(["ingest", ...data.files, ...store]);
          expect(rerun.stderr).toBe("");
          expect(rerun.code).toBe(0);
          await expectCounts(store, data.expected, days);
          for (const page of own ? Object.keys(data.expected.pages).slice(0, 4) : []) {
            expect(await countViews(own?.store as Store, "default", page)).toBe(data.expected.pages[page]);
          }
        }
        own?.store.destroy();
        await own?.engine.close();
        if (killed) return;
        delay /= 2;
      }
    });
  });

  describe("with DynamoDB faults injected between the SDK and the engine", () => {
    let server: Awaited<ReturnType<typeof startProxiedEngine>>;
    let store: Store;
    let proxy: FaultProxy;
    let endpoint: string;
    const rand = random(11);

    beforeAll(async () => {
      const dir = await tempDir();
      server = await startProxiedEngine(join(dir, "data"));
      ({ store, proxy, endpoint } = server);
    });
    afterAll(() => server.stop());

    it("counts exactly through throttling, 500s, resets, slow answers and unprocessed items", async () => {
      // 14% of requests fail and 5% are slow, whatever the operation; a quarter of the batch writes
      // come back with items unprocessed. Ten attempts all failing is then a 3e-9 event.
      proxy.choose = (operation) => {
        if (operation === "BatchWriteItem" && rand() < 0.25) return "unprocessed";
        const r = rand();
        if (r < 0.08) return "throttle";
        if (r < 0.11) return "error500";
        if (r < 0.14) return "reset";
        if (r < 0.19) return "slow";
        return "pass";
      };
      const site = ["--endpoint", endpoint, "--site", "faults"];
      const run = await runCli(["ingest", ...data.files, ...site]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      for (const fault of ["throttle", "error500", "reset", "slow", "unprocessed"] as const)
        expect(proxy.seen[fault]).toBeGreaterThan(0);
      proxy.choose = () => "pass";
      await expectCounts(site, data.expected, days);
      expect(await countViews(store, "faults", "/")).toBe(data.expected.pages["/"]);
    });

    it("marks files failed when a fault outlasts the retries, and a later run completes them", async () => {
      const site = ["--endpoint", endpoint, "--site", "stuck"];
      proxy.choose = (operation) => (operation === "BatchWriteItem" ? "stuck" : "pass");
      const files = data.files.slice(0, 3);
      const failed = await runCli(["ingest", ...files, ...site]);
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
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function kill(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(false);
    child.once("exit", (_code, signal) => resolve(signal === "SIGKILL"));
    child.kill("SIGKILL");
  });
}
