import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Tally } from "../src/aggregate/tally.js";
import { openEmbedded } from "../src/cli/connect.js";
import { random } from "../src/generator/traffic.js";
import { breakdown } from "../src/query/breakdown.js";
import { pageTotals } from "../src/query/totals.js";
import { viewsOverTime } from "../src/query/views.js";
import { contributionItems } from "../src/store/contributions.js";
import { keys, SK } from "../src/store/keys.js";
import { markPending, rollUpPending } from "../src/store/pending.js";
import { rawViewItem } from "../src/store/raw-views.js";
import { SiteTable } from "../src/store/site-table.js";
import type { Item, Store } from "../src/store/store.js";
import { check, cloudfrontInput, median, OUT, PAGETRACK, row, timed } from "./lib.js";

const PAGES = 200;

/** Stored page views for the totals benchmark: raw items and counters, as ingestion leaves them. */
async function seed(store: Store, site: string, views: number): Promise<void> {
  const rand = random(views);
  const weights = Array.from({ length: PAGES }, (_, i) => 1 / (i + 1) ** 0.8);
  const sum = weights.reduce((a, b) => a + b, 0);
  const pages = Array.from({ length: PAGES }, (_, i) => (i === 0 ? "/" : `/blog/post-${i}/`));
  const tally = new Tally("hour");
  const start = Date.parse("2024-01-01T00:00:00Z") / 1000;
  const fileId = "0f".repeat(32);
  let batch: Item[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < views; i++) {
    let r = rand() * sum;
    let p = 0;
    while (r > weights[p] && p < PAGES - 1) r -= weights[p++];
    const view = {
      time: start + Math.floor(rand() * 180 * 86400),
      page: pages[p],
      bot: false,
      counted: true,
      referrer: "https://www.google.com/",
      userAgent: "Mozilla/5.0",
      clientIp: "192.0.2.1",
      host: "www.example.com",
      query: "",
      country: undefined,
      requestId: `bench${i.toString(36).padStart(8, "0")}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx==`,
      line: i + 1,
      isPage: true,
      bytes: 0,
    };
    tally.add(view);
    batch.push(rawViewItem(site, view, fileId));
    if (batch.length === 2500) {
      writes.push(store.batchWrite(batch));
      batch = [];
      if (writes.length >= 4) await writes.shift();
      if (i % 100_000 < 2500) process.stdout.write(`  seeding ${site}: ${i.toLocaleString("en-US")} views\r`);
    }
  }
  writes.push(store.batchWrite(batch));
  await Promise.all(writes);
  const version = { log: fileId.slice(0, 32), block: 0, halfLines: 2 * views, generation: 0 };
  await store.batchWrite(contributionItems(site, version, tally.periods));
  await markPending(store, site, tally.periods);
  await rollUpPending(store, site);
}

/** The original design's totals: list the INDEX partition, then COUNT every page's views. */
async function originalTotals(store: Store, site: string): Promise<{ total: number; units: number }> {
  const index = await store.withPrefix(keys.index(site), "");
  let units = index.units;
  let total = 0;
  for (const item of index.items) {
    const views = await new SiteTable(store, site).countRawViews(item[SK]);
    total += views.count;
    units += views.units;
  }
  return { total, units };
}

async function clock<T>(task: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await task();
  return { value, ms: performance.now() - started };
}

/**
 * Totals: with 1,000,000 stored views over 200 pages, `totals` against the original design's
 * COUNT-every-page method, in read capacity and time; and both again at 100,000 views, to show which
 * one grows with the views.
 */
export async function benchTotals(): Promise<boolean> {
  const dir = join(OUT, "totals-data");
  // The layout of the counters is in the name: data of an older layout is seeded again.
  const ready = join(dir, "seeded-3");
  const { store, close } = await openEmbedded(dir);
  try {
    if (!existsSync(ready)) {
      console.log("seeding 1,100,000 stored views (once; kept in bench/out/totals-data) ...");
      await seed(store, "v100k", 100_000);
      await seed(store, "v1m", 1_000_000);
      await writeFile(ready, "");
    }
    const results: Record<string, { units: number; ms: number; total: number }> = {};
    for (const site of ["v100k", "v1m"]) {
      const ours: { units: number; ms: number; total: number }[] = [];
      for (let run = 0; run < 3; run++) {
        const t = await clock(() => pageTotals(store, site));
        ours.push({ units: t.value.consumedCapacity, ms: t.ms, total: t.value.total });
      }
      const base = await clock(() => originalTotals(store, site));
      results[`${site} totals`] = {
        units: ours[0].units,
        ms: median(ours.map((o) => o.ms)),
        total: ours[0].total,
      };
      results[`${site} original`] = { units: base.value.units, ms: base.ms, total: base.value.total };
    }
    console.log("\ntotals: 200 pages, read capacity units and milliseconds per answer");
    const widths = [18, 12, 10, 12];
    console.log(row(["", "RCU", "ms", "views"], widths));
    for (const [name, r] of Object.entries(results))
      console.log(row([name, r.units.toFixed(1), r.ms.toFixed(1), r.total], widths));
    const ours = results["v1m totals"];
    const base = results["v1m original"];
    const small = results["v100k totals"];
    // /pageviews reads one day item per day of the range: its cost grows with the days, not the views.
    const days: Record<number, number> = {};
    for (const span of [30, 90, 180]) {
      const before = store.usage.readUnits;
      const from = Date.parse("2024-01-01T00:00:00Z") / 1000;
      await viewsOverTime(store, "v1m", {
        page: "/",
        from,
        to: from + span * 86400,
        interval: "day",
        tz: "UTC",
      });
      days[span] = store.usage.readUnits - before;
    }
    console.log(
      `pageviews of one page, daily: ${days[30]} RCU for 30 days, ${days[90]} for 90, ${days[180]} for 180 (eventually consistent reads of ~${(((days[180] * 2) / 182) * 4).toFixed(1)} KB a day)`,
    );
    // /breakdown reads one partition a day: its cost follows the days and the values of each day.
    for (const dimension of ["entry", "browser"] as const) {
      const before = { units: store.usage.readUnits, requests: store.usage.readRequests };
      const from = Date.parse("2024-02-01T00:00:00Z") / 1000;
      const answer = await breakdown(store, "v1m", {
        dimension,
        from,
        to: from + 30 * 86400,
        tz: "UTC",
        limit: 10,
      });
      console.log(
        `breakdown by ${dimension}, 30 days: ${store.usage.readRequests - before.requests} queries, ${store.usage.readUnits - before.units} RCU (${answer.total.toLocaleString("en-US")} counted)`,
      );
    }
    return [
      check(
        "same answer",
        ours.total === base.total && ours.total === 1_000_000,
        `${ours.total} and ${base.total}`,
      ),
      check(
        "read capacity",
        base.units / ours.units >= 100,
        `${(base.units / ours.units).toFixed(0)}x fewer RCU (target >= 100x)`,
      ),
      check("speed", base.ms / ours.ms >= 20, `${(base.ms / ours.ms).toFixed(0)}x faster (target >= 20x)`),
      check(
        "flat in views",
        ours.units === small.units,
        `${small.units} RCU at 100,000 views, ${ours.units} at 1,000,000`,
      ),
    ].every(Boolean);
  } finally {
    await close();
  }
}

/** A month of CloudFront traffic in one log: the size at which the issue measured the embedded engine. */
const LARGE_LINES = 300_000;

/**
 * Ingest: a 300,000-line CloudFront month into a fresh embedded engine, raw views on, side by side
 * with `report` on the same file (median of three `report` runs around it); time against `report`'s,
 * peak RSS, write requests per 1,000 views, and what a duplicate delivery of the file costs.
 */
export async function benchIngestLarge(): Promise<boolean> {
  const { path, expected } = await cloudfrontInput(LARGE_LINES);
  const data = join(OUT, `ingest-${Date.now()}`);
  await mkdir(data, { recursive: true });
  const report = `'${PAGETRACK}' report --json '${path}'`;
  const reports = [await timed(report)];
  const first = await timed(`'${PAGETRACK}' ingest --json --data '${data}' '${path}'`);
  reports.push(await timed(report));
  const summary = JSON.parse(first.stdout);
  const again = await timed(`'${PAGETRACK}' ingest --json --data '${data}' '${path}'`);
  reports.push(await timed(report));
  const duplicate = JSON.parse(again.stdout);
  const totals = await timed(`'${PAGETRACK}' totals --json --data '${data}'`);
  const counted = JSON.parse(totals.stdout).total;
  const reported = JSON.parse(reports[0].stdout).summary.views;
  const rawBytes = await rawItemBytes(data);
  await rm(data, { recursive: true, force: true });
  const reportSeconds = median(reports.map((r) => r.seconds));
  const ratio = first.seconds / reportSeconds;
  const linesPerSecond = LARGE_LINES / first.seconds;
  const perThousand = (summary.usage.writeRequests / summary.stats.views) * 1000;
  const unitsPerThousand = (summary.usage.writeUnits / summary.stats.views) * 1000;
  const lines = LARGE_LINES.toLocaleString("en-US");
  console.log(`\ningest: ${lines}-line gzipped CloudFront month into the embedded engine, raw views on`);
  console.log(
    `  ${first.seconds.toFixed(1)} s (report: ${reportSeconds.toFixed(2)} s, median of 3; ${ratio.toFixed(1)}x), ${Math.round(linesPerSecond).toLocaleString("en-US")} lines/s, ${summary.stats.views.toLocaleString("en-US")} page views, peak RSS ${first.peakMb.toFixed(0)} MB (report: ${Math.max(...reports.map((r) => r.peakMb)).toFixed(0)} MB)`,
  );
  console.log(
    `  writes: ${summary.usage.writeRequests.toLocaleString("en-US")} requests (${perThousand.toFixed(1)} per 1,000 views), ${Math.round(summary.usage.writeUnits).toLocaleString("en-US")} WCU (${unitsPerThousand.toFixed(0)} per 1,000 views); reads: ${summary.usage.readRequests} requests, ${Math.round(summary.usage.readUnits)} RCU`,
  );
  console.log(
    `  a raw view item is ${rawBytes.toFixed(0)} bytes as DynamoDB bills storage (attribute names and values, plus 100)`,
  );
  console.log(
    `  duplicate delivery: ${again.seconds.toFixed(1)} s, ${duplicate.usage.readRequests} read (${duplicate.usage.readUnits} RCU), ${duplicate.usage.writeRequests} writes (${duplicate.usage.writeUnits} WCU)`,
  );
  return [
    check(
      "counts",
      counted === expected.views && reported === expected.views,
      `${counted} stored, ${reported} reported, ${expected.views} expected`,
    ),
    check("time", ratio <= 5, `${ratio.toFixed(1)}x report's time (target <= 5x)`),
    check("peak RSS", first.peakMb < 300, `${first.peakMb.toFixed(0)} MB (target < 300 MB)`),
    // The schema check, the ledger lookup and the look for pending hours: three small reads.
    check(
      "duplicate is cheap",
      duplicate.usage.writeRequests === 0 && duplicate.usage.readUnits <= 1.5,
      `${duplicate.usage.readRequests} reads (${duplicate.usage.readUnits} RCU), ${duplicate.usage.writeUnits} WCU`,
    ),
  ].every(Boolean);
}

/** The mean billed size of raw view items: UTF-8 names and values, numbers as digits/2 + 1, plus 100 bytes. */
async function rawItemBytes(data: string): Promise<number> {
  const { store, close } = await openEmbedded(data);
  try {
    const { items } = await store.withPrefix(keys.views("default", "/"), "");
    const size = (value: unknown): number =>
      typeof value === "number"
        ? Math.ceil(String(value).replace(/^-|\./g, "").length / 2) + 1
        : Buffer.byteLength(String(value));
    const bytes = items.map((item) =>
      Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + size(value), 100),
    );
    return bytes.reduce((a, b) => a + b, 0) / bytes.length;
  } finally {
    await close();
  }
}
