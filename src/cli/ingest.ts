import { type Command, InvalidArgumentError } from "commander";
import { type IngestSummary, ingest } from "../ingest/driver.js";
import { PageViewRule } from "../pageview/rule.js";
import { expandPaths } from "../readers/sources.js";
import type { Usage } from "../store/store.js";
import { formatNumber, reportProblems, warn } from "./messages.js";
import { addRuleOptions, audienceOf, type RuleFlags, ruleOptions } from "./options.js";
import { progressBar } from "./progress.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface IngestFlags extends RuleFlags, StoreFlags {
  raw: boolean;
  retentionDays?: number;
  force: boolean;
  json: boolean;
}

/** What `ingest --json` prints. */
export interface IngestJson extends IngestSummary {
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
    process.exitCode = await ingestPaths(paths, flags);
  });
}

async function ingestPaths(paths: string[], flags: IngestFlags): Promise<number> {
  const { sources, errors } = await expandPaths(paths);
  for (const e of errors) warn(`${e.name}: ${e.error}`);
  const rule = new PageViewRule(ruleOptions(flags));
  const audience = await audienceOf(flags);
  return withStore(flags, async ({ store, site }) => {
    const totalBytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
    const progress = progressBar("Ingesting", totalBytes, { quiet: flags.json, unit: "bytes" });
    let problems = errors.length > 0;
    const summary = await ingest(
      store,
      site,
      sources,
      {
        format: flags.format,
        rule,
        audience,
        raw: flags.raw,
        retentionDays: flags.retentionDays,
        force: flags.force,
        onBytes: (n) => progress.advance(n),
      },
      (outcome) => {
        // A duplicate's lines were reported when it was counted.
        if (outcome.status !== "duplicate" && reportProblems(outcome)) problems = true;
      },
    );
    progress.stop();
    if (summary.rollupError) {
      warn(
        `the counts of the files ingested are stored but not all added up yet (${summary.rollupError}); run the same command again to finish`,
      );
      problems = true;
    }
    const json: IngestJson = {
      ...summary,
      files: summary.files + errors.length,
      failed: summary.failed + errors.length,
      usage: store.usage,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(json)}\n`);
    else process.stdout.write(describe(json));
    return problems ? 2 : 0;
  });
}

function describe(s: IngestJson): string {
  const lines = [
    `${formatNumber(s.ingested)} of ${formatNumber(s.files)} files ingested` +
      (s.duplicates ? `, ${formatNumber(s.duplicates)} already done (skipped)` : "") +
      (s.failed ? `, ${formatNumber(s.failed)} failed` : ""),
    `${formatNumber(s.stats.views)} page views counted from ${formatNumber(s.stats.records)} requests; not counted: ${formatNumber(s.stats.bots)} from bots, ${formatNumber(s.stats.nonHtml + s.stats.nonGet + s.stats.otherStatus + s.stats.excluded)} other requests, ${formatNumber(s.stats.rejected)} rejected lines`,
    `DynamoDB: ${formatNumber(s.usage.writeRequests)} write requests (${formatNumber(Math.round(s.usage.writeUnits))} WCU), ${formatNumber(s.usage.readRequests)} reads (${formatNumber(Math.round(s.usage.readUnits))} RCU)`,
  ];
  return `${lines.join("\n")}\n`;
}
