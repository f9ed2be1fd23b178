import { type ChildProcess, spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { random } from "../src/generator/traffic.js";
import type { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./support/dataset.js";
import { ROOT, tempDir } from "./support/paths.js";
import { countViews, startEngine, startProxiedEngine } from "./support/store.js";

/**
 * The invariant of DESIGN.md: ingesting any set of files, any number of times, in any order,
 * concurrently, killed at any point and run again, leaves exactly the counts of ingesting each
 * distinct file once. Counts are compared with what the generator intended, never with pagetrack's
 * own arithmetic. Both as one file an hour and as CloudFront really delivers: many small files.
 */
describe.each([
  { shape: "one file an hour", filesPerHour: 1, moments: 6 },
  { shape: "16 files an hour", filesPerHour: 16, moments: 4 },
])("exactly-once ingestion, $shape", ({ filesPerHour, moments }) => {
  let data: Dataset;
  beforeAll(async () => {
    data = await dataset({ requests: 6000, days: 1, filesPerHour });
  });

  it("counts each file once: twice, under another name, in any order, forced again", async () => {
    const dir = await tempDir();
    const store = ["--data", join(dir, "data")];
    const first = await runCli(["ingest", ...shuffled(data.files, 1), ...store]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    await expectCounts(store, data.expected, daysOf(data.expected));

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
    await expectCounts(store, data.expected, daysOf(data.expected));
  });

  it("counts exactly with three ingest processes at once on one data directory", async () => {
    const store = ["--data", join(await tempDir(), "data")];
    const n = data.files.length;
    const sets = [
      data.files.slice(0, Math.round((2 * n) / 3)),
      shuffled(data.files.slice(Math.round(n / 3)), 3),
      shuffled(data.files, 4),
    ];
    const runs = await Promise.all(sets.map((files) => runCli(["ingest", ...files, ...store])));
    for (const run of runs) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    }
    await expectCounts(store, data.expected, daysOf(data.expected));
  });

  describe(`killed with SIGKILL at ${moments} moments, then run again`, () => {
    let full = 0;
    beforeAll(async () => {
      const started = Date.now();
      await runCli(["ingest", ...data.files, "--data", join(await tempDir(), "data")]);
      full = Date.now() - started;
    });

    it.each(Array.from({ length: moments }, (_, i) => i))("moment %i", async (i) => {
      // Even moments kill the process that runs the engine; odd ones a process using this test's engine.
      // A run that finishes before its moment (the machine got faster) is tried again, sooner.
      let delay = 150 + ((i + 0.5) / moments) * full * 0.9;
      for (;;) {
        const dir = await tempDir();
        const store = ["--data", join(dir, "data")];
        const own = i % 2 === 1 ? await startEngine(join(dir, "data")) : undefined;
        const child = ingestProcess(shuffled(data.files, i), store);
        await sleep(delay);
        const killed = await kill(child);
        if (killed) await expectRerunExact(data, store, own?.store, "default");
        own?.store.destroy();
        await own?.engine.close();
        if (killed) return;
        delay /= 2;
      }
    });
  });

  it("counts exactly through throttling, 500s, resets, slow answers and unprocessed items", async () => {
    const server = await startProxiedEngine(join(await tempDir(), "data"));
    const { proxy, endpoint } = server;
    try {
      // 14% of requests fail and 5% are slow, whatever the operation; a quarter of the batch writes
      // come back with items unprocessed. Ten attempts all failing is then a 3e-9 event.
      const rand = random(11);
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
      await expectCounts(site, data.expected, daysOf(data.expected));
      expect(await countViews(server.store, "faults", "/")).toBe(data.expected.pages["/"]);
    } finally {
      await server.stop();
    }
  });
});

/** What does not depend on the shape of the delivery, on many small files. */
describe("exactly-once ingestion when a rollup is killed or the table fails for good", () => {
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

/** A run again over every file ends exact, through the CLI and in the raw views. */
async function expectRerunExact(data: Dataset, store: string[], own: Store | undefined, site: string) {
  const rerun = await runCli(["ingest", ...data.files, ...store]);
  expect(rerun.stderr).toBe("");
  expect(rerun.code).toBe(0);
  await expectCounts(store, data.expected, daysOf(data.expected));
  for (const page of own ? Object.keys(data.expected.pages).slice(0, 4) : []) {
    expect(await countViews(own as Store, site, page)).toBe(data.expected.pages[page]);
  }
}

function shuffled<T>(list: T[], seed: number): T[] {
  const rand = random(seed);
  return [...list]
    .map((x) => [rand(), x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);
}

function ingestProcess(files: string[], store: string[]): ChildProcess {
  return spawn(process.execPath, [join(ROOT, "bin/pagetrack.js"), "ingest", ...files, ...store], {
    stdio: "ignore",
  });
}

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
