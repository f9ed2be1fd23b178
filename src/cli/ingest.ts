import { type Command, InvalidArgumentError } from "commander";
import { ingestSource } from "../ingest/ingest.js";
import { PageViewRule } from "../pageview/rule.js";
import { addStats, emptyStats, type FileStats } from "../pipeline.js";
import { expandPaths } from "../readers/sources.js";
import { limiter } from "../store/async.js";
import type { Usage } from "../store/store.js";
import { formatNumber, reportProblems, warn } from "./messages.js";
import { addRuleOptions, type RuleFlags, ruleOptions } from "./options.js";
import { progressBar } from "./progress.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface IngestFlags extends RuleFlags, StoreFlags {
  raw: boolean;
  retentionDays?: number;
  force: boolean;
  json: boolean;
}

export interface IngestSummary {
  files: number;
  ingested: number;
  duplicates: number;
  failed: number;
  stats: FileStats;
  usage: Usage;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`"${value}" is not a whole number of days`);
  return n;
}

export function registerIngest(program: Command): void {
  addStoreOptions(
    addRuleOptions(
      program
        .command("ingest")
        .description(
          "count the page views of log files into the table, exactly once however often a file is given",
        )
        .argument("<paths...>", "log files, directories, - for stdin, or s3://bucket/prefix")
        .option("--no-raw", "store counters only, no item per view")
        .option(
          "--retention-days <n>",
          "raw view items expire after this many days (DynamoDB TTL)",
          positiveInteger,
        )
        .option("--force", "ingest files the ledger lists as done again (counts are unchanged)", false)
        .option("--json", "print the summary as JSON", false),
    ),
  ).action(async (paths: string[], flags: IngestFlags) => {
    process.exitCode = await ingest(paths, flags);
  });
}

async function ingest(paths: string[], flags: IngestFlags): Promise<number> {
  const { sources, errors } = await expandPaths(paths);
  for (const e of errors) warn(`${e.name}: ${e.error}`);
  const rule = new PageViewRule(ruleOptions(flags));
  return withStore(flags, async ({ store, site }) => {
    const totalBytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0) * (flags.raw ? 2 : 1);
    const progress = progressBar("Ingesting", totalBytes, { quiet: flags.json, unit: "bytes" });
    // A few files at a time keep both the parser and the table busy; stdin can only be read once anyway.
    const threeFilesAtATime = limiter(3);
    const outcomes = await Promise.all(
      sources.map((source) =>
        threeFilesAtATime(() =>
          ingestSource(store, site, source, {
            format: flags.format,
            rule,
            raw: flags.raw,
            retentionDays: flags.retentionDays,
            force: flags.force,
            onBytes: (n) => progress.advance(n),
          }),
        ),
      ),
    );
    progress.stop();
    let problems = errors.length > 0;
    const summary: IngestSummary = {
      files: sources.length + errors.length,
      ingested: 0,
      duplicates: 0,
      failed: errors.length,
      stats: emptyStats(),
      usage: store.usage,
    };
    for (const o of outcomes) {
      // The first read's problems, or the error that stopped the file (reading it or writing it).
      if (reportProblems({ ...o.scan, error: o.error })) problems = true;
      if (o.status === "done") summary.ingested++;
      if (o.status === "duplicate") summary.duplicates++;
      if (o.status === "failed") summary.failed++;
      if (o.status === "done") addStats(summary.stats, o.scan.stats);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(describe(summary));
    return problems ? 2 : 0;
  });
}

function describe(s: IngestSummary): string {
  const lines = [
    `${formatNumber(s.ingested)} of ${formatNumber(s.files)} files ingested` +
      (s.duplicates ? `, ${formatNumber(s.duplicates)} already done (skipped)` : "") +
      (s.failed ? `, ${formatNumber(s.failed)} failed` : ""),
    `${formatNumber(s.stats.views)} page views counted from ${formatNumber(s.stats.records)} requests; not counted: ${formatNumber(s.stats.bots)} from bots, ${formatNumber(s.stats.nonHtml + s.stats.nonGet + s.stats.otherStatus + s.stats.excluded)} other requests, ${formatNumber(s.stats.rejected)} rejected lines`,
    `DynamoDB: ${formatNumber(s.usage.writeRequests)} write requests (${formatNumber(Math.round(s.usage.writeUnits))} WCU), ${formatNumber(s.usage.readRequests)} reads (${formatNumber(Math.round(s.usage.readUnits))} RCU)`,
  ];
  return `${lines.join("\n")}\n`;
}
