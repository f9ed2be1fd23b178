import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { generateHourlyLogs } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { check, median, OUT, PAGETRACK, row, type Timed, timed } from "./lib.js";

/** A week of a small site as CloudFront delivers it, 16 files an hour. */
const WEEK = { requests: 100_000, start: "2024-05-01", days: 7, posts: 194, seed: 3, filesPerHour: 16 };

/** The week's files, and the same lines in one gzipped file (each file's text in turn), made once. */
async function week(): Promise<{ logs: string; one: string; files: number; expected: Expected }> {
  const dir = join(OUT, "week-16-per-hour");
  const manifest = join(dir, "manifest.json");
  const logs = join(dir, "logs");
  const one = join(dir, "one.log.gz");
  if (existsSync(manifest)) return { logs, one, ...JSON.parse(await readFile(manifest, "utf8")) };
  await rm(dir, { recursive: true, force: true });
  console.log("generating a week of logs at 16 files an hour ...");
  const { files, expected } = await generateHourlyLogs(logs, WEEK);
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(one));
  for (const file of files)
    for await (const chunk of createReadStream(file).pipe(createGunzip()))
      if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once("drain", resolve));
  gzip.end();
  await written;
  await writeFile(manifest, JSON.stringify({ files: files.length, expected }));
  return { logs, one, files: files.length, expected };
}

/** The week's files six times over, in six folders (a larger archive, for threads), made once. */
async function sixWeeks(logs: string): Promise<string> {
  const dir = join(OUT, "six-weeks-16-per-hour");
  if (existsSync(`${dir}.done`)) return dir;
  await rm(dir, { recursive: true, force: true });
  for (let i = 1; i <= 6; i++) await cp(logs, join(dir, `copy-${i}`), { recursive: true });
  await writeFile(`${dir}.done`, "");
  return dir;
}

/**
 * What thousands of small files cost beside the same lines in one file: `report` (with one job and
 * with the default, one per core) and `ingest` into the embedded engine, side by side, runs
 * interleaved so that a noisy moment hits each alike.
 */
export async function benchFiles(runs = 3): Promise<boolean> {
  const { logs, one, files, expected } = await week();
  const cores = availableParallelism();
  const report = (path: string, jobs: number) => `'${PAGETRACK}' report --json --jobs ${jobs} '${path}'`;
  const reports: Record<string, Timed[]> = { one: [], files1: [], files: [] };
  for (let run = 0; run < runs; run++) {
    reports.one.push(await timed(report(one, 1)));
    reports.files1.push(await timed(report(logs, 1)));
    reports.files.push(await timed(report(logs, cores)));
  }
  const seconds = (list: Timed[]) => median(list.map((t) => t.seconds));
  const peak = (list: Timed[]) => Math.max(...list.map((t) => t.peakMb));
  const ingest = async (path: string) => {
    const data = join(OUT, `ingest-files-${Date.now()}`);
    await mkdir(data, { recursive: true });
    try {
      return await timed(`'${PAGETRACK}' ingest --json --data '${data}' '${path}'`);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  };
  // Interleaved too, twice each (the median of two is their mean).
  const ingests = { one: [] as Timed[], files: [] as Timed[] };
  for (let run = 0; run < 2; run++) {
    ingests.one.push(await ingest(one));
    ingests.files.push(await ingest(logs));
  }
  const ingestOne = { seconds: seconds(ingests.one), peakMb: peak(ingests.one) };
  const ingestFiles = { seconds: seconds(ingests.files), peakMb: peak(ingests.files) };
  const ingested = JSON.parse(ingests.files[0].stdout).stats.views;
  console.log(
    `\nmany small files: ${WEEK.requests.toLocaleString("en-US")} lines over ${WEEK.days} days as ${files.toLocaleString("en-US")} files (16 an hour) and as one file; ${cores} cores`,
  );
  const widths = [34, 10, 12];
  console.log(row(["", "seconds", "peak RSS MB"], widths));
  const lines: [string, number, number][] = [
    ["report, one file", seconds(reports.one), peak(reports.one)],
    ["report, the files, --jobs 1", seconds(reports.files1), peak(reports.files1)],
    [`report, the files, --jobs ${cores}`, seconds(reports.files), peak(reports.files)],
    ["ingest, one file", ingestOne.seconds, ingestOne.peakMb],
    ["ingest, the files", ingestFiles.seconds, ingestFiles.peakMb],
  ];
  for (const [label, s, mb] of lines) console.log(row([label, s.toFixed(2), mb.toFixed(0)], widths));
  const speedUp = seconds(reports.files1) / seconds(reports.files);
  console.log(`  report of the files with ${cores} jobs: ${speedUp.toFixed(2)}x the speed of one job`);
  // Threads pay on larger archives: the week six times over, as --jobs' default takes it.
  const archive = await sixWeeks(logs);
  const large: Record<string, Timed[]> = { one: [], all: [] };
  for (let run = 0; run < runs; run++) {
    large.one.push(await timed(report(archive, 1)));
    large.all.push(await timed(`'${PAGETRACK}' report --json '${archive}'`));
  }
  console.log(
    `  the week six times over (${(6 * files).toLocaleString("en-US")} files): ${seconds(large.one).toFixed(2)} s with one job, ${seconds(large.all).toFixed(2)} s by default (${cores} jobs): ${(seconds(large.one) / seconds(large.all)).toFixed(2)}x; peak RSS ${peak(large.all).toFixed(0)} MB`,
  );
  const same = reports.files1[0].stdout === reports.files[0].stdout;
  const views = JSON.parse(reports.files[0].stdout).summary.views;
  const reportRatio = Math.min(seconds(reports.files), seconds(reports.files1)) / seconds(reports.one);
  const ingestRatio = ingestFiles.seconds / ingestOne.seconds;
  return [
    check(
      "counts",
      views === expected.views && ingested === expected.views && same,
      `${views} reported, ${ingested} ingested, ${expected.views} expected; the report the same with 1 and ${cores} jobs: ${same}`,
    ),
    check(
      "report per file",
      reportRatio <= 1.5,
      `${reportRatio.toFixed(2)}x one file's time (target <= 1.5x)`,
    ),
    check("ingest per file", ingestRatio <= 2, `${ingestRatio.toFixed(2)}x one file's time (target <= 2x)`),
    check(
      "ingest peak RSS",
      ingestFiles.peakMb < 300,
      `${ingestFiles.peakMb.toFixed(0)} MB (target < 300 MB)`,
    ),
  ].every(Boolean);
}
