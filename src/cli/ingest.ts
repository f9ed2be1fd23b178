import type { Command } from "commander";
import { retentionDays } from "../contract/params.js";
import { type IngestSummary, ingest } from "../ingest/driver.js";
import { DEFAULT_JOBS } from "../jobs/pool.js";
import { PageViewRule } from "../pageview/rule.js";
import { expandPaths } from "../readers/sources.js";
import type { Usage } from "../store/store.js";
import { ownHostHint } from "./hints.js";
import type { Io, Run } from "./io.js";
import { formatNumber, hintsOf, type Problem, plural, problemsOf, reportProblems, warn } from "./messages.js";
import { addRuleOptions, audienceOf, optionOf, type RuleFlags, ruleOptions } from "./options.js";
import { progressBar } from "./progress.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface IngestFlags extends RuleFlags, StoreFlags {
  raw: boolean;
  retentionDays?: number;
  force?: boolean;
  json?: boolean;
}

/** What `ingest --json` prints. */
export interface IngestJson extends IngestSummary {
  usage: Usage;
  /**
   * The problems found by this run: rejected lines (the first 20 of each file; `stats.rejected`
   * counts them all) and files that count for nothing. A file skipped as already done has none.
   */
  problems: Problem[];
  /** What the counts suggest about the logs (also on stderr): e.g. that they are a CDN's origin logs. */
  hints: string[];
  /** Files and folders that are not web access logs, and what they are (also on stderr), as in report --json. */
  skipped: { file: string; reason: string }[];
}

export function registerIngest(program: Command, run: Run): void {
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
          optionOf(retentionDays),
        )
        .option(
          "--force",
          "count files the ledger lists as done again, with the site's settings as they are now (own hosts); page views are unchanged",
        )
        .option("--json", "print the summary as JSON"),
    ),
  ).action(async (paths: string[], flags: IngestFlags) => {
    run.exitCode = await ingestPaths(paths, flags, run);
  });
}

async function ingestPaths(paths: string[], flags: IngestFlags, io: Io): Promise<number> {
  const { sources, errors, skipped: skippedPaths } = await expandPaths(paths, io);
  for (const e of errors) warn(io, `${e.name}: ${e.error}`);
  // Not logs (an FTP log, a README, a .git folder): named once, counted for nothing, no failure.
  const skipped = skippedPaths.map((s) => ({ file: s.name, reason: s.reason }));
  for (const s of skipped) warn(io, `${s.file}: skipped: ${s.reason}`);
  const problems: Problem[] = errors.map((e) => ({ file: e.name, error: e.error }));
  const rule = new PageViewRule(ruleOptions(flags));
  const audience = await audienceOf(flags);
  return withStore(io, flags, async ({ store, site, engine }) => {
    const totalBytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
    const progress = progressBar("Ingesting", totalBytes, {
      quiet: flags.json,
      unit: "bytes",
      files: sources.length,
      stream: io.stderr,
    });
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
        jobs: flags.jobs,
        // The embedded engine has a thread of its own.
        defaultJobs: Math.max(1, DEFAULT_JOBS - (engine ? 1 : 0)),
        onBytes: (n) => progress.advance(n),
        onReread: (n) => progress.grow(n),
        onFileRead: () => progress.fileDone(),
      },
      (outcome) => {
        // A file skipped as already done had its problems reported by the run that counted it: only
        // what this run found makes the exit code 2.
        if (outcome.status === "duplicate") return;
        if (outcome.skipped) {
          warn(io, `${outcome.name}: skipped: ${outcome.skipped}`);
          skipped.push({ file: outcome.name, reason: outcome.skipped });
          return;
        }
        reportProblems(io, outcome);
        problems.push(...problemsOf(outcome));
      },
    );
    progress.stop();
    const hints = hintsOf(summary.stats, rule.includesBots);
    const ownHost = ownHostHint(
      new Map(summary.topSources.map((s) => [s.value, s.count])),
      summary.hostless,
      summary.site.ownHosts,
      "npx pagetrack ingest LOGS --force to recount the logs ingested",
    );
    if (ownHost) hints.push(ownHost);
    for (const hint of hints) warn(io, hint);
    let failed = problems.length > 0;
    if (summary.rollupError) {
      warn(
        io,
        `the counts of the files ingested are stored but not all added up yet (${summary.rollupError}); run the same command again to finish`,
      );
      failed = true;
    }
    const json: IngestJson = {
      ...summary,
      files: summary.files + errors.length,
      failed: summary.failed + errors.length,
      usage: store.usage,
      problems,
      hints,
      skippedFiles: skipped.length,
      skipped,
    };
    if (flags.json) io.stdout.write(`${JSON.stringify(json)}\n`);
    else io.stdout.write(describe(json));
    return failed ? 2 : 0;
  });
}

function describe(s: IngestJson): string {
  const other = s.stats.nonHtml + s.stats.nonGet + s.stats.otherStatus + s.stats.excluded;
  const lines = [
    `${formatNumber(s.ingested)} of ${plural(s.files, "file")} ingested` +
      (s.grown ? ` (${formatNumber(s.grown)} grown since last time: only their new lines counted)` : "") +
      (s.duplicates ? `, ${formatNumber(s.duplicates)} already done (skipped)` : "") +
      (s.skippedFiles ? `, ${formatNumber(s.skippedFiles)} skipped (no web log in them)` : "") +
      (s.failed ? `, ${formatNumber(s.failed)} failed` : ""),
    s.grown
      ? `${plural(s.stats.views, "new page view")} counted (a grown log's earlier lines were counted before); the files held ${plural(s.stats.records, "request")} in all, not counted: ${formatNumber(s.stats.bots)} from bots, ${plural(other, "other request")}, ${plural(s.stats.rejected, "rejected line")}`
      : `${plural(s.stats.views, "page view")} counted from ${plural(s.stats.records, "request")}; not counted: ${formatNumber(s.stats.bots)} from bots, ${plural(other, "other request")}, ${plural(s.stats.rejected, "rejected line")}`,
    `DynamoDB: ${plural(s.usage.writeRequests, "write request")} (${formatNumber(Math.round(s.usage.writeUnits))} WCU), ${plural(s.usage.readRequests, "read")} (${formatNumber(Math.round(s.usage.readUnits))} RCU)`,
  ];
  return `${lines.join("\n")}\n`;
}
