import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { openEmbedded } from "../src/cli/connect.js";
import { PAGE_DIMENSIONS } from "../src/counters/registry.js";
import { breakdown } from "../src/query/breakdown.js";
import { crawlers, feeds, notFound } from "../src/query/server.js";
import type { Store } from "../src/store/store.js";
import { delivery } from "./ingest.js";
import { check, median, OUT, PAGETRACK, row, timed } from "./lib.js";

/** Units per 1,000 views of this ingest (the same files) with the build before issue 20, c11117e (docs/benchmarks.md). */
const UNITS_BEFORE = 1781;

/**
 * What only the server's log knows, and each page's audience, on the ingest benchmark's two days at
 * 16 files an hour: what the ingest costs now (against the build before them), and what a page's
 * `/breakdown` reads beside the site's, with `/crawlers`, `/notfound` and `/feeds`.
 */
export async function benchServer(): Promise<boolean> {
  const { dir, expected } = await delivery(16);
  const data = join(OUT, `server-${Date.now()}`);
  await mkdir(data, { recursive: true });
  let ok = true;
  try {
    const run = await timed(`'${PAGETRACK}' ingest --json --data '${data}' '${join(dir, "logs")}'`);
    const { usage, stats } = JSON.parse(run.stdout);
    const perThousand = ((usage.writeUnits + usage.readUnits) / stats.views) * 1000;
    console.log("\nserver: crawlers, missing pages, downloads, feeds, bytes and pages' audiences");
    console.log(
      `  ingest of ${stats.views} views at 16 files an hour: ${perThousand.toFixed(0)} units per 1,000 views, ${run.seconds.toFixed(1)} s, ${run.peakMb.toFixed(0)} MB`,
    );
    ok =
      check(
        "ingest units at 16 files an hour",
        perThousand <= UNITS_BEFORE * 1.35,
        `${(perThousand / UNITS_BEFORE).toFixed(2)}x the ${UNITS_BEFORE} before (target 1.35x)`,
      ) && ok;
    const { store, close } = await openEmbedded(data);
    try {
      const from = Date.parse("2024-05-01T00:00:00Z") / 1000;
      const q = { from, to: from + 2 * 86400, tz: "UTC", limit: 10 };
      const page = Object.entries(expected.pages).sort((a, b) => b[1] - a[1])[0][0];
      const widths = [24, 10, 10, 10];
      console.log(row(["  answer (2 days)", "units", "requests", "ms"], widths));
      let worst = 0;
      for (const dimension of PAGE_DIMENSIONS) {
        const site = await cost(store, () => breakdown(store, "default", { ...q, dimension }));
        const ofPage = await cost(store, () => breakdown(store, "default", { ...q, dimension, page }));
        console.log(
          row([`  ${dimension}`, site.units.toFixed(1), site.requests, site.ms.toFixed(1)], widths),
        );
        console.log(
          row(
            [`  ${dimension} of ${page}`, ofPage.units.toFixed(1), ofPage.requests, ofPage.ms.toFixed(1)],
            widths,
          ),
        );
        worst = Math.max(worst, ofPage.units / site.units);
      }
      for (const [name, answer] of [
        ["/crawlers", () => crawlers(store, "default", q)],
        ["/notfound", () => notFound(store, "default", q)],
        ["/feeds", () => feeds(store, "default", q)],
      ] as const) {
        const c = await cost(store, answer);
        console.log(row([`  ${name}`, c.units.toFixed(1), c.requests, c.ms.toFixed(1)], widths));
      }
      ok =
        check(
          "a page's /breakdown costs what the site's does",
          worst <= 1,
          `at most ${worst.toFixed(2)}x the site's read units`,
        ) && ok;
    } finally {
      await close();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
  return ok;
}

/** Read units and requests of one answer, and its median time over 10 runs. */
async function cost(store: Store, answer: () => Promise<unknown>) {
  const before = { ...store.usage };
  await answer();
  const units = store.usage.readUnits - before.readUnits;
  const requests = store.usage.readRequests - before.readRequests;
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    await answer();
    times.push(performance.now() - start);
  }
  return { units, requests, ms: median(times) };
}
