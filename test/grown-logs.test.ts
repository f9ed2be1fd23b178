import { type ChildProcess, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Audience } from "../src/audience/audience.js";
import { DIMENSIONS } from "../src/counters/registry.js";
import type { Expected } from "../src/generator/traffic.js";
import { ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { breakdown } from "../src/query/breakdown.js";
import { pageTotals } from "../src/query/totals.js";
import { expandPaths, fileSource } from "../src/readers/sources.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import type { Store } from "../src/store/store.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { growingLog } from "./support/growing.js";
import { ROOT, tempDir } from "./support/paths.js";
import { countViews, startEngine } from "./support/store.js";

/**
 * Exactly once per log record, for logs as web servers leave them: a log that grows all day and is
 * ingested again, renamed by logrotate (`access.log.1`), compressed a day later (`delaycompress`:
 * `access.log.2.gz`), emptied in place (`copytruncate`), copied with CRLF line ends. Counts are
 * compared with what the generator intended for the distinct lines, never with pagetrack's own.
 */
describe("logs that grow and rotate", () => {
  let engine: EmbeddedEngine;
  let store: Store;
  let dir: string;
  /** Combined log lines, 30,000 of them: three blocks of 10,000 lines. */
  let lines: string[];
  let expected: Expected;
  let text: (from: number, to: number) => string;

  beforeAll(async () => {
    dir = await tempDir();
    ({ engine, store } = await startEngine(join(dir, "data")));
    ({ lines, expected, text } = await growingLog({
      requests: 30_000,
      start: "2024-02-27",
      days: 3,
      seed: 17,
    }));
    expect(lines).toHaveLength(30_000);
  });
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  async function run(site: string, paths: string[]) {
    const { sources } = await expandPaths(paths);
    return ingest(store, site, sources, {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: true,
    });
  }

  /** Every page, the site, its visitors and every audience dimension equal the generator's counts. */
  async function expectExact(site: string) {
    const totals = await pageTotals(store, site, undefined);
    expect(totals.pages).toEqual(expected.pages);
    expect(totals.total).toBe(expected.views);
    expect(totals.visitors).toEqual(expected.visitors);
    const from = Date.parse("2024-02-27T00:00:00Z") / 1000;
    const to = from + 3 * 86400;
    for (const dimension of DIMENSIONS) {
      if (dimension === "country") continue; // combined logs name no country
      const answer = await breakdown(store, site, { dimension, from, to, tz: "UTC", limit: 1000 });
      expect(Object.fromEntries(answer.values.map((v) => [v.value, v.count])), dimension).toEqual(
        expected.breakdowns[dimension],
      );
    }
    // The original design's query: a page's raw views, one item per view.
    expect(await countViews(store, site, "/")).toBe(expected.pages["/"]);
  }

  it("counts a growing log's new lines only, through every logrotate layout and copy", async () => {
    const logs = join(dir, "rotate");
    const at = (name: string) => join(logs, name);
    await rm(logs, { recursive: true, force: true });
    const { mkdir } = await import("node:fs/promises");
    await mkdir(logs);

    // Morning: the log so far, ending in a line still being written.
    await writeFile(at("access.log"), text(0, 5000) + lines[5000].slice(0, 40));
    let summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 1, grown: 0, failed: 0 });

    // Later that day: the same log, grown (the half line now whole).
    await writeFile(at("access.log"), text(0, 12_345));
    summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 1, grown: 1, failed: 0 });

    // logrotate renames it (it grew a little more first) and the server starts a new one.
    await rm(at("access.log"));
    await writeFile(at("access.log.1"), text(0, 15_000));
    await writeFile(at("access.log"), text(15_000, 16_000));
    summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 2, grown: 1, failed: 0 });

    // A day later, delaycompress: .1 is compressed to .2.gz, the current log rotated to .1.
    await rm(at("access.log.1"));
    await writeFile(at("access.log.2.gz"), gzipSync(text(0, 15_000)));
    await writeFile(at("access.log.1"), text(15_000, 25_000));
    await writeFile(at("access.log"), text(25_000, 26_000));
    summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 2, duplicates: 1, grown: 1, failed: 0 });

    // And again: the rest of the lines; a CRLF copy of the first day under another name.
    await rm(at("access.log.2.gz"));
    await writeFile(at("access.log.3.gz"), gzipSync(text(0, 15_000)));
    await writeFile(at("access.log.2.gz"), gzipSync(text(15_000, 25_000)));
    await writeFile(at("access.log.1"), text(25_000, 30_000));
    await writeFile(at("access.log"), "");
    await writeFile(at("copy-crlf.log"), text(0, 15_000).replaceAll("\n", "\r\n"));
    summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 1, duplicates: 3, grown: 1 });
    await expectExact("rotate");

    // Run again: nothing more.
    summary = await run("rotate", [logs]);
    expect(summary).toMatchObject({ ingested: 0, duplicates: 4 });
    await expectExact("rotate");
  });

  it("counts exactly when a grown log is ingested at the same time as its older versions", async () => {
    const logs = await tempDir();
    const versions = [7000, 12_000, 21_000, 30_000];
    const paths = versions.map((_n, i) => join(logs, `access.log.v${i}`));
    await Promise.all(paths.map((path, i) => writeFile(path, text(0, versions[i]))));
    // Four runs at once, each with one version, in an order that puts the longest first.
    const runs = await Promise.all([...paths].reverse().map((path) => run("together", [path])));
    for (const summary of runs) expect(summary.failed).toBe(0);
    await expectExact("together");
    // Older copies read after the longest one count nothing more.
    const later = await run("together", [paths[0], paths[2]]);
    expect(later).toMatchObject({ ingested: 0, duplicates: 2 });
    await expectExact("together");
  });

  it.each([1, 4, 12])(
    "counts exactly when the ingest of a grown log is killed at its write request %i, then run again",
    async (nth) => {
      const logs = await tempDir();
      const log = join(logs, "access.log");
      await writeFile(log, text(0, 12_000));
      const site = `killed${nth}`;
      await run(site, [log]);
      await writeFile(log, text(0, 30_000));
      const proxy = new FaultProxy(await engine.endpoint(), () => "pass");
      const endpoint = await proxy.start();
      try {
        let writes = 0;
        let child: ChildProcess | undefined;
        const killed = new Promise<void>((resolve) => {
          proxy.choose = (operation) => {
            if (operation === "BatchWriteItem" && ++writes === nth) {
              child?.kill("SIGKILL");
              resolve();
            }
            return "pass";
          };
        });
        child = spawn(
          process.execPath,
          [join(ROOT, "bin/pagetrack.js"), "ingest", log, "--endpoint", endpoint, "--site", site],
          { stdio: "ignore" },
        );
        const exit = new Promise((resolve) => child?.once("exit", (_code, signal) => resolve(signal)));
        await Promise.race([killed, exit]);
        expect(await exit).toBe("SIGKILL");
      } finally {
        await proxy.stop();
      }
      const again = await run(site, [log]);
      expect(again).toMatchObject({ ingested: 1, failed: 0 });
      await expectExact(site);
    },
  );

  it("counts a log emptied and written anew under its old name (copytruncate) as a new log", async () => {
    const logs = await tempDir();
    const log = join(logs, "access.log");
    await writeFile(log, text(0, 18_000));
    await run("truncate", [log]);
    await writeFile(log, text(18_000, 30_000));
    const summary = await run("truncate", [log]);
    expect(summary).toMatchObject({ ingested: 1, grown: 0 });
    await expectExact("truncate");
    // The first part again, under its old name: already counted.
    await writeFile(log, text(0, 18_000));
    expect(await run("truncate", [fileSource(log).name])).toMatchObject({ ingested: 0, duplicates: 1 });
    await expectExact("truncate");
  });
});
