import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { random } from "../../src/generator/traffic.js";
import type { Store } from "../../src/store/store.js";
import { runCli, spawnCli } from "./cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./dataset.js";
import { FaultProxy } from "./fault-proxy.js";
import { ROOT, tempDir } from "./paths.js";
import { countViews, startEngine, startProxiedEngine } from "./store.js";

/** Retries of outages without real seconds of backoff: the attempts and their outcome are the same. */
export const QUICK_RETRIES = { PAGETRACK_BACKOFF_MS: "1" };

/**
 * Where a run is killed. A process that runs the engine itself sends its requests to its own thread:
 * it is killed once the engine's database has grown past `bytes` (the raw views it has written). A
 * process that uses this test's engine reaches it through the fault proxy: it is killed at its
 * request `request` (of any operation: ledger, raw views, rollup). Both count progress, not time.
 */
export type Moment = { owner: true; bytes: number } | { owner: false; request: number };

/**
 * The invariant of the design: ingesting any set of files, any number of times, in any order,
 * concurrently, killed at any point and run again, leaves exactly the counts of ingesting each
 * distinct file once. Counts are compared with what the generator intended, never with pagetrack's
 * own arithmetic.
 */
export function exactlyOnce(shape: string, filesPerHour: number, moments: Moment[]): void {
  // Each test ingests the whole day at least once, in processes of its own: minutes on a busy machine.
  describe(`exactly-once ingestion, ${shape}`, { timeout: 240_000 }, () => {
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
      // Processes of their own: one runs the engine, the others use it and take over when it exits.
      const runs = await Promise.all(
        sets.map((files, i) => spawnCli(["ingest", "--jobs", String(i + 1), ...files, ...store])),
      );
      for (const run of runs) {
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
      }
      await expectCounts(store, data.expected, daysOf(data.expected));
    });

    for (const [i, moment] of moments.entries()) {
      const who = moment.owner
        ? `the engine's owner is killed with SIGKILL once its database holds ${moment.bytes} bytes`
        : `a process using this test's engine is killed with SIGKILL at its request ${moment.request}`;
      it(`counts exactly when ${who}, then run again`, async () => {
        const dir = await tempDir();
        const data_ = join(dir, "data");
        const store = ["--data", data_];
        const own = moment.owner ? undefined : await startEngine(data_);
        const proxy = own && new FaultProxy(own.endpoint, () => "pass");
        try {
          let reached: () => void = () => {};
          const atMoment = new Promise<void>((resolve) => {
            reached = resolve;
          });
          let watch: NodeJS.Timeout | undefined;
          if (proxy && !moment.owner) {
            // The process finds the engine of a data directory in engine.json: here, behind the proxy.
            const port = new URL(await proxy.start()).port;
            writeFileSync(
              join(data_, "engine.json"),
              JSON.stringify({ pid: process.pid, port: Number(port) }),
            );
            let requests = 0;
            proxy.choose = () => {
              if (++requests === moment.request) reached();
              return "pass";
            };
          } else if (moment.owner) {
            watch = setInterval(() => {
              if (databaseBytes(join(data_, "db")) >= moment.bytes) reached();
            }, 5);
          }
          const child = ingestProcess(shuffled(data.files, i), store);
          await Promise.race([atMoment, new Promise((resolve) => child.once("exit", resolve))]);
          clearInterval(watch);
          expect(await kill(child)).toBe(true);
          if (proxy) proxy.choose = () => "pass";
          await expectRerunExact(data, store, own?.store, "default");
        } finally {
          await proxy?.stop();
          own?.store.destroy();
          await own?.engine.close();
        }
      });
    }

    it("counts exactly through throttling, 500s, resets, slow answers and unprocessed items and keys", async () => {
      const server = await startProxiedEngine(join(await tempDir(), "data"));
      const { proxy, endpoint } = server;
      try {
        // 14% of requests fail and 5% are slow, whatever the operation; a quarter of the batch writes
        // and reads come back with items or keys unprocessed. Ten attempts all failing is then a 3e-9 event.
        const rand = random(11);
        proxy.choose = (operation) => {
          if ((operation === "BatchWriteItem" || operation === "BatchGetItem") && rand() < 0.25)
            return "unprocessed";
          const r = rand();
          if (r < 0.08) return "throttle";
          if (r < 0.11) return "error500";
          if (r < 0.14) return "reset";
          if (r < 0.19) return "slow";
          return "pass";
        };
        const site = ["--endpoint", endpoint, "--site", "faults"];
        const run = await runCli(["ingest", ...data.files, ...site], { env: QUICK_RETRIES });
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
}

/** A run again over every file ends exact, through the CLI and in the raw views. */
export async function expectRerunExact(
  data: Dataset,
  store: string[],
  own: Store | undefined,
  site: string,
): Promise<void> {
  const rerun = await runCli(["ingest", ...data.files, ...store]);
  expect(rerun.stderr).toBe("");
  expect(rerun.code).toBe(0);
  await expectCounts(store, data.expected, daysOf(data.expected));
  for (const page of own ? Object.keys(data.expected.pages).slice(0, 4) : []) {
    expect(await countViews(own as Store, site, page)).toBe(data.expected.pages[page]);
  }
}

export function shuffled<T>(list: T[], seed: number): T[] {
  const rand = random(seed);
  return [...list]
    .map((x) => [rand(), x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);
}

/** An ingest in a process of its own, to be killed: its files read by two threads besides its own. */
export function ingestProcess(files: string[], store: string[]): ChildProcess {
  const args = [join(ROOT, "bin/pagetrack.js"), "ingest", "--jobs", "2", ...files, ...store];
  return spawn(process.execPath, args, {
    stdio: "ignore",
  });
}

/** Kills a process that still runs; whether it was killed (rather than finished first). */
export function kill(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(false);
    child.once("exit", (_code, signal) => resolve(signal === "SIGKILL"));
    child.kill("SIGKILL");
  });
}

/** The size of the engine's database files: what it has written. */
function databaseBytes(dir: string): number {
  let bytes = 0;
  try {
    for (const name of readdirSync(dir))
      bytes += statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    // Not created yet.
  }
  return bytes;
}
