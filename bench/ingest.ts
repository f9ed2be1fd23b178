import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Audience } from "../src/audience/audience.js";
import { openEmbedded } from "../src/cli/connect.js";
import { generateHourlyLogs } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { type IngestSummary, ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { fileSource } from "../src/readers/sources.js";
import { rollUpPending } from "../src/store/pending.js";
import type { Usage } from "../src/store/store.js";
import { check, median, OUT, PAGETRACK, row, timed } from "./lib.js";

/** Files an hour CloudFront may deliver: the same two days of traffic in each shape. */
const SHAPES = [1, 4, 16, 64];
const TRAFFIC = { requests: 30_000, start: "2024-05-01", days: 2, posts: 40, seed: 9 };

/** The two days of traffic delivered as `perHour` files an hour, generated once into bench/out. */
export async function delivery(
  perHour: number,
): Promise<{ dir: string; files: string[]; expected: Expected }> {
  const dir = join(OUT, `delivery-${perHour}-per-hour`);
  const manifest = join(dir, "manifest.json");
  if (existsSync(manifest)) return { dir, ...JSON.parse(await readFile(manifest, "utf8")) };
  await rm(dir, { recursive: true, force: true });
  const { files, expected } = await generateHourlyLogs(join(dir, "logs"), {
    ...TRAFFIC,
    filesPerHour: perHour,
  });
  await writeFile(manifest, JSON.stringify({ files, expected }));
  return { dir, files, expected };
}

interface Run {
  seconds: number;
  peakMb: number;
  views: number;
  files: number;
  usage: Usage;
  counted: number;
}

/** `pagetrack ingest --json` of one delivery into a fresh embedded table, timed. */
async function cliRun(perHour: number, raw: boolean): Promise<Run> {
  const { dir, files, expected } = await delivery(perHour);
  const data = join(OUT, `ingest-${perHour}-${raw ? "raw" : "noraw"}-${Date.now()}`);
  await mkdir(data, { recursive: true });
  try {
    const run = await timed(
      `'${PAGETRACK}' ingest --json --data '${data}' ${raw ? "" : "--no-raw"} '${join(dir, "logs")}'`,
    );
    const summary = JSON.parse(run.stdout);
    const totals = JSON.parse((await timed(`'${PAGETRACK}' totals --json --data '${data}'`)).stdout);
    if (summary.stats.views !== expected.views) throw new Error(`${perHour}/h: ${summary.stats.views} views`);
    return {
      seconds: run.seconds,
      peakMb: run.peakMb,
      views: summary.stats.views,
      files: files.length,
      usage: summary.usage,
      counted: totals.total,
    };
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

const units = (u: Usage) => u.writeUnits + u.readUnits;
const perThousand = (n: number, views: number) => (n / views) * 1000;

/**
 * What ingestion costs as CloudFront really delivers logs: the same two days of traffic (~30,000
 * lines) as 1, 4, 16 and 64 files an hour, each into a fresh table, in DynamoDB units (as DynamoDB
 * reports them with ReturnConsumedCapacity), time and peak RSS; raw views on, then off. Then one day
 * of the 16-files-an-hour delivery ingested file by file, the worst batching there is, to show that
 * the last files of a day cost what the first did; and the same delivery in 5-minute batches, as the
 * deployed function takes them from its queue.
 */
export async function benchIngest(): Promise<boolean> {
  const runs = new Map<string, Run>();
  for (const raw of [true, false])
    for (const perHour of SHAPES) runs.set(`${perHour}/h${raw ? "" : " no-raw"}`, await cliRun(perHour, raw));

  console.log("\ningest: two days (30,000 lines) delivered as N files an hour, into a fresh embedded table");
  const widths = [12, 6, 7, 9, 9, 11, 9, 8, 8];
  console.log(row(["", "files", "views", "WCU", "RCU", "units/1k v", "units/file", "s", "RSS MB"], widths));
  for (const [name, r] of runs) {
    console.log(
      row(
        [
          name,
          r.files,
          r.views,
          Math.round(r.usage.writeUnits),
          Math.round(r.usage.readUnits),
          perThousand(units(r.usage), r.views).toFixed(0),
          (units(r.usage) / r.files).toFixed(1),
          r.seconds.toFixed(1),
          r.peakMb.toFixed(0),
        ],
        widths,
      ),
    );
  }
  const one = runs.get("1/h") as Run;
  const sixteen = runs.get("16/h") as Run;
  // Time on a shared machine: the median of three interleaved runs of each.
  const seconds: Record<number, number[]> = { 1: [one.seconds], 16: [sixteen.seconds] };
  for (let i = 0; i < 2; i++)
    for (const perHour of [1, 16]) seconds[perHour].push((await cliRun(perHour, true)).seconds);
  const timeRatio = median(seconds[16]) / median(seconds[1]);
  const flat = await fileByFile();
  const deployments: Deployed[] = [];
  for (const minutes of [15, 60]) deployments.push(await deployed(16, minutes));

  console.log("\ningest, one day of 16 files an hour, one file per run (the worst batching): units per file");
  console.log(`  first 32 files of the day: ${flat.first.toFixed(1)}; last 32: ${flat.last.toFixed(1)}`);
  console.log(
    `  all ${flat.files} files: ${perThousand(flat.units, flat.views).toFixed(0)} units per 1,000 views (raw views on)`,
  );
  console.log(
    "\ningest as deployed: two days of 16 files an hour, one file a queue batch, rollups on a schedule",
  );
  for (const d of deployments) {
    console.log(
      `  a rollup every ${d.minutes} minutes (${d.rollups} rollups, each ${(d.series / d.rollups).toFixed(1)} series keys, ${(d.unions / d.rollups).toFixed(1)} visitor keys, ${(d.breakdowns / d.rollups).toFixed(1)} breakdown keys): ${perThousand(d.units, d.views).toFixed(0)} units per 1,000 views, ${(d.units / d.files).toFixed(1)} per file; visitor days ${Math.round(d.unionWrites)} WCU and ${Math.round(d.unionReads)} RCU in all`,
    );
  }
  const noRaw = runs.get("1/h no-raw") as Run;
  costModel(deployments, (one.usage.writeUnits - noRaw.usage.writeUnits) / one.views);

  return [
    check(
      "counts",
      [...runs.values()].every((r) => r.counted === r.views),
      "every table holds exactly the views of the logs",
    ),
    check(
      "1 file an hour",
      perThousand(units(one.usage), one.views) <= 2000,
      `${perThousand(units(one.usage), one.views).toFixed(0)} units per 1,000 views (target <= 2,000)`,
    ),
    check(
      "16 files an hour",
      perThousand(units(sixteen.usage), sixteen.views) <= 2500,
      `${perThousand(units(sixteen.usage), sixteen.views).toFixed(0)} units per 1,000 views (target <= 2,500)`,
    ),
    check(
      "with visitors, 1/h",
      perThousand(units(one.usage), one.views) <= 1.25 * 1207,
      `${perThousand(units(one.usage), one.views).toFixed(0)} units per 1,000 views (target <= 1.25 x 1,207 before visitors = 1,509)`,
    ),
    check(
      "with visitors, 16/h",
      perThousand(units(sixteen.usage), sixteen.views) <= 1.25 * 1646,
      `${perThousand(units(sixteen.usage), sixteen.views).toFixed(0)} units per 1,000 views (target <= 1.25 x 1,646 before visitors = 2,058)`,
    ),
    check(
      "time",
      timeRatio <= 2,
      `16 files an hour take ${timeRatio.toFixed(2)}x the time of 1, median of 3 (${median(seconds[16]).toFixed(1)} s and ${median(seconds[1]).toFixed(1)} s; target <= 2x)`,
    ),
    check(
      "peak RSS",
      [...runs.values()].every((r) => r.peakMb < 300),
      `${Math.max(...[...runs.values()].map((r) => r.peakMb)).toFixed(0)} MB at most (target < 300 MB)`,
    ),
    check(
      "flat per file",
      flat.last <= flat.first * 1.25,
      `the last files of a day cost ${(flat.last / flat.first).toFixed(2)}x the first (target: flat)`,
    ),
  ].every(Boolean);
}

/** The first day of a delivery ingested one file at a time, in delivery order: units of each file. */
async function fileByFile(): Promise<{
  first: number;
  last: number;
  files: number;
  units: number;
  views: number;
}> {
  const { files } = await delivery(16);
  const day = files.filter((f) => f.includes(`.${TRAFFIC.start}-`));
  const perFile: number[] = [];
  let views = 0;
  await withTable(async (run) => {
    for (const file of day) {
      const { cost, summary } = await run([file]);
      perFile.push(cost);
      views += summary.stats.views;
    }
  });
  const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
  return {
    first: mean(perFile.slice(0, 32)),
    last: mean(perFile.slice(-32)),
    files: day.length,
    units: perFile.reduce((a, b) => a + b, 0),
    views,
  };
}

/**
 * A delivery as the deployed function takes it: each file in a queue batch of its own (at 16 files
 * an hour, a 60-second batching window rarely holds two), its hours left pending, and a rollup every
 * `minutes` of delivery time. What files and rollups cost is kept apart, for the cost model.
 */
async function deployed(perHour: number, minutes: number) {
  const { files, expected } = await delivery(perHour);
  const filesPerRollup = Math.max(1, Math.round((perHour * minutes) / 60));
  const d = {
    minutes,
    files: files.length,
    views: 0,
    fileUnits: 0,
    rollups: 0,
    rollupWrites: 0,
    rollupReads: 0,
    /** What the rollups' visitor days cost: their puts, and their strongly consistent reads. */
    unionWrites: 0,
    unionReads: 0,
    series: 0,
    unions: 0,
    breakdowns: 0,
    hours: 0,
  };
  await withTable(async (run, rollUp) => {
    for (const [i, file] of files.entries()) {
      const { cost, summary } = await run([file], false);
      d.fileUnits += cost;
      d.views += summary.stats.views;
      if ((i + 1) % filesPerRollup === 0 || i === files.length - 1) {
        const r = await rollUp();
        d.rollups++;
        d.rollupWrites += r.writes;
        d.rollupReads += r.reads;
        d.unionWrites += r.puts;
        d.unionReads += r.gets;
        d.series += r.series;
        d.unions += r.unions;
        d.breakdowns += r.breakdowns;
        d.hours += r.hours;
      }
    }
  });
  return { ...d, expected, units: d.fileUnits + d.rollupWrites + d.rollupReads };
}

type Deployed = Awaited<ReturnType<typeof deployed>>;

/**
 * What a month of ingestion costs in DynamoDB units as deployed, from the constants measured above:
 * a raw view's write, a small file's own units, and a rollup's units per item it updates: four items
 * for a series key (a page's or the site's day, month, year and total), three for a visitor key
 * (month, year, total) and one for a breakdown key (a dimension's value on a day). A visitor key's
 * day item is read and put whole: DynamoDB's 1 write unit per KB and 1 read unit per 4 KB of the
 * ids of the day so far (6 bytes each, a 32 KB sketch above 5,000), checked against the puts and
 * reads measured. The traffic is an assumption, printed with it: pages and values whose popularity
 * falls off as the generator's do (Zipf, exponent 0.9), half the views entries, 0.6 visitors of the
 * site and 0.9 of a page per view a day, CloudFront's many small files, each rollup reading the
 * current and the previous hour (CloudFront delivers a file up to an hour or so after its requests).
 */
function costModel(deployments: Deployed[], rawPerView: number): void {
  const [a] = deployments;
  const perItem = (a.rollupWrites - a.unionWrites) / (4 * a.series + 3 * a.unions + a.breakdowns);
  const measured = ratios(a.expected);
  // A contribution item: ~80 bytes, ~25 a key and 6 an id of a visitor of the site or of a page;
  // read strongly consistent, 4 KB a unit.
  const contributionBytes = (keys: number, views: number, r: Ratios) =>
    80 + 25 * keys + 6 * (r.site + r.page) * views;
  const perFileViews = a.views / a.files;
  const keysOf = (pages: number, values: Record<string, number>, views: number) => ({
    series: distinct(pages, views) + 2,
    unions: distinct(pages, views) + 1,
    breakdowns:
      distinct(pages, views / 2) + Object.values(values).reduce((sum, n) => sum + distinct(n, views), 0),
  });
  const allKeys = (k: ReturnType<typeof keysOf>) => k.series + k.unions + k.breakdowns;
  const filePart =
    (a.fileUnits - a.views * rawPerView) / a.files -
    Math.ceil(contributionBytes(allKeys(keysOf(46, GENERATED, perFileViews)), perFileViews, measured) / 1024);
  /** The units of reading a day's visitors and putting it back at each rollup of the day, averaged over the day. */
  const dayItem = (visitorsOfDay: number, rollupsADay: number) => {
    let writes = 0;
    let reads = 0;
    for (let k = 1; k <= rollupsADay; k++) {
      const bytes = 150 + Math.min(32_768, 6 * visitorsOfDay * (k / rollupsADay));
      writes += Math.ceil(bytes / 1024);
      reads += Math.ceil(bytes / 4096);
    }
    return { writes: writes / rollupsADay, reads: reads / rollupsADay };
  };
  const model = (
    views: number,
    pages: number,
    filesPerHour: number,
    minutes: number,
    values = TYPICAL,
    r: Ratios = ASSUMED,
  ) => {
    const files = filesPerHour * 30 * 24;
    const rollups = (30 * 24 * 60) / minutes;
    const rollupsADay = Math.max(1, rollups / 30);
    const inFile = keysOf(pages, values, views / files);
    const fileBytes = contributionBytes(allKeys(inFile), views / files, r);
    const perFile = filePart + Math.ceil(fileBytes / 1024);
    const hourRead = Math.ceil((filesPerHour * fileBytes) / 4096);
    const inRollup = keysOf(pages, values, views / rollups);
    // Visitor days: the site's, and each page's that the rollup touched.
    const viewsADay = views / 30;
    const site = dayItem(r.site * viewsADay, rollupsADay);
    let [dayWrites, dayReads] = [site.writes, site.reads];
    for (const [share, touched] of zipf(pages, views / rollups)) {
      const page = dayItem(r.page * share * viewsADay, rollupsADay);
      dayWrites += touched * page.writes;
      dayReads += touched * page.reads;
    }
    const visitorDays = dayWrites + dayReads;
    const rollup =
      (4 * inRollup.series + 3 * inRollup.unions + inRollup.breakdowns) * perItem +
      visitorDays +
      2 * hourRead;
    const units = views * rawPerView + files * perFile + rollups * rollup;
    // Reads: a file's ledger lookup (about one unit), the hours and the visitor days a rollup reads.
    const reads = files + rollups * (2 * hourRead + dayReads);
    const dollars = ((units - reads) * 0.625 + reads * 0.125) / 1e6;
    return { units, visitorDays: rollups * visitorDays, dollars };
  };
  console.log(
    `\ncost model, deployed with raw views, from the figures above: ${rawPerView.toFixed(2)} units a raw view, ${filePart.toFixed(1)} a file besides its views and contribution, ${perItem.toFixed(2)} an item a rollup updates (4 items a series key, 3 a visitor key, 1 a breakdown key), and a visitor day's size; the generated traffic has ${measured.site.toFixed(2)} visitors of the site and ${measured.page.toFixed(2)} of a page per view a day`,
  );
  for (const d of deployments) {
    const monthly = (d.views / 2) * 30;
    const m = model(monthly, 46, 16, d.minutes, GENERATED, measured);
    console.log(
      `  at the benchmark's own traffic (${Math.round(monthly).toLocaleString("en-US")} views a month, 46 pages, 16 files an hour, rollups every ${d.minutes} minutes) the model gives ${perThousand(m.units, monthly).toFixed(0)} units per 1,000 views, ${perThousand(m.visitorDays, monthly).toFixed(0)} of them visitor days; measured: ${perThousand(d.units, d.views).toFixed(0)} and ${perThousand(d.unionWrites + d.unionReads, d.views).toFixed(0)}`,
    );
  }
  console.log(
    `  sites whose entry pages are as many as their pages, with ${ASSUMED.site} visitors of the site and ${ASSUMED.page} of a page per view a day, and ${Object.entries(
      TYPICAL,
    )
      .map(([d, n]) => `${n} values of ${d}`)
      .join(", ")}:`,
  );
  const widths = [14, 7, 8, 30, 30, 30];
  console.log(row(["views a month", "pages", "files/h", "rollup 15 min", "hourly", "daily"], widths));
  for (const [views, pages, filesPerHour] of [
    [10_000, 100, 12],
    [1_000_000, 2_000, 60],
    [100_000_000, 20_000, 500],
  ]) {
    const cell = (minutes: number) => {
      const { units, visitorDays, dollars } = model(views, pages, filesPerHour, minutes);
      return `${(units / 1e6).toFixed(2)}M (${perThousand(units, views).toFixed(0)}, ${perThousand(visitorDays, views).toFixed(0)}) $${dollars.toFixed(2)}`;
    };
    console.log(
      row([views.toLocaleString("en-US"), pages, filesPerHour, cell(15), cell(60), cell(1440)], widths),
    );
  }
  console.log(
    "  (units a month; per 1,000 views: all, and of them visitor days; on-demand dollars a month at $0.625 per million writes, $0.125 per million reads)",
  );
}

/** Visitors of the site and of a page per page view, over UTC days. */
interface Ratios {
  site: number;
  page: number;
}

const ASSUMED: Ratios = { site: 0.6, page: 0.9 };

function ratios(expected: Expected): Ratios {
  const pageVisitors = Object.values(expected.visitors).reduce((a, b) => a + b, 0);
  return { site: expected.visitorsTotal / expected.views, page: pageVisitors / expected.views };
}

/** The values of each dimension besides entry pages: in the generated traffic (legacy CloudFront: no country), and on a typical site. */
const GENERATED = { source: 30, campaign: 5, browser: 6, os: 6, device: 3, country: 1 };
const TYPICAL = { source: 100, campaign: 10, browser: 12, os: 8, device: 3, country: 60 };

/** How many distinct pages `n` views touch, pages falling off in popularity as the generator's do. */
function distinct(pages: number, n: number): number {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < pages; i++) sum += 1 / (i + 1) ** 0.9;
  for (let i = 0; i < pages; i++) total += 1 - (1 - 1 / (i + 1) ** 0.9 / sum) ** n;
  return total;
}

/** Each page's share of the views and the chance that `n` views touch it, popularity as in `distinct`. */
function zipf(pages: number, n: number): [number, number][] {
  const weights = Array.from({ length: pages }, (_, i) => 1 / (i + 1) ** 0.9);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => [w / sum, 1 - (1 - w / sum) ** n]);
}

/** Runs `task` with a function that ingests files as one batch into a fresh table and says what it cost. */
async function withTable(
  task: (
    run: (files: string[], rollUp?: boolean) => Promise<{ cost: number; summary: IngestSummary }>,
    rollUp: () => Promise<{
      writes: number;
      reads: number;
      puts: number;
      gets: number;
      series: number;
      unions: number;
      breakdowns: number;
      hours: number;
    }>,
  ) => Promise<void>,
): Promise<void> {
  const dir = join(OUT, `ingest-batches-${Date.now()}`);
  const { store, close } = await openEmbedded(dir);
  const rule = new PageViewRule();
  const audience = new Audience();
  try {
    await task(
      async (files, rollUp = true) => {
        const before = units(store.usage);
        const summary = await ingest(
          store,
          "default",
          files.map((f) => fileSource(f)),
          { format: "auto", rule, audience, raw: true, batchFiles: Number.POSITIVE_INFINITY, rollUp },
        );
        return { cost: units(store.usage) - before, summary };
      },
      async () => {
        const { writeUnits, readUnits } = store.usage;
        const { PutItem = 0, GetItem = 0 } = store.usage.byOperation;
        const done = await rollUpPending(store, "default");
        return {
          writes: store.usage.writeUnits - writeUnits,
          reads: store.usage.readUnits - readUnits,
          puts: (store.usage.byOperation.PutItem ?? 0) - PutItem,
          gets: (store.usage.byOperation.GetItem ?? 0) - GetItem,
          ...done,
        };
      },
    );
  } finally {
    await close();
    await rm(dir, { recursive: true, force: true });
  }
}
