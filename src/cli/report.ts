import type { Command } from "commander";
import {
  type CrawlerCounts,
  crawlersOf,
  type FeedCounts,
  feedsOf,
  type NotFoundCounts,
  notFoundOf,
} from "../aggregate/server.js";
import { Tally } from "../aggregate/tally.js";
import { UNKNOWN } from "../audience/agent.js";
import { toCsv } from "../contract/csv.js";
import {
  breakdownSpec,
  type Cells,
  DIMENSIONS,
  type Dimension,
  ENTRIES,
  ENTRY_NOTE,
  SITE_KEY,
} from "../counters/registry.js";
import { splitUnionKey, unionKey } from "../counters/union.js";
import { UserError } from "../errors.js";
import { utcDay } from "../formats/time.js";
import { inOrder, JobPool } from "../jobs/pool.js";
import { reportRead } from "../jobs/tasks.js";
import { PageViewRule } from "../pageview/rule.js";
import { addStats, emptyStats, type FileStats } from "../pipeline.js";
import { expandPaths, type LogSource } from "../readers/sources.js";
import type { Io, Run } from "./io.js";
import {
  formatBytes,
  formatNumber,
  hintsOf,
  type Problem,
  plural,
  problemsOf,
  reportProblems,
  warn,
} from "./messages.js";
import { addRuleOptions, audienceOf, pageCount, type RuleFlags, ruleOptions, zoneOption } from "./options.js";
import { progressBar } from "./progress.js";

interface ReportFlags extends RuleFlags {
  tz?: string;
  json?: boolean;
  csv?: boolean;
  daily?: boolean;
  /** Pages shown: 20 in the table unless given, every page in CSV unless given. */
  top?: string;
}

interface ReportSettings extends Omit<ReportFlags, "top"> {
  top?: number;
}

/** The table lists this many pages unless --top says otherwise. */
const TOP_PAGES = 20;

export interface ReportJson {
  summary: FileStats & {
    files: number;
    failedFiles: number;
    /** Files that are not web access logs, among `files`. */
    skippedFiles: number;
    pages: number;
    entries: number;
    visitors: number;
  };
  pages: Record<string, number>;
  /** Each page's visitors: the sum of its days' distinct (client IP, user agent) pairs. */
  visitors: Record<string, number>;
  /** Every value of every dimension, largest first; `download`: each file's downloads. */
  breakdowns: Record<Dimension, Record<string, number>>;
  /** Every crawler's requests (docs/page-views.md, "Beyond page views"). */
  crawlers: Record<string, CrawlerCounts>;
  /** Every missing path's requests, by where the link to it was. */
  notFound: Record<string, NotFoundCounts>;
  /** Every feed's subscribers, on the last day it was fetched. */
  feeds: Record<string, FeedCounts>;
  /** Who to credit for the countries, when an IP-to-country database named them. */
  countryAttribution?: string;
  daily?: Record<string, Record<string, number>>;
  /** The whole site's visitors per UTC day. */
  dailyVisitors?: Record<string, number>;
  /**
   * What could not be counted: rejected lines (the first 20 of each file; `summary.rejected` counts
   * them all) and files that count for nothing (`summary.failedFiles`).
   */
  problems: Problem[];
  /** What the counts suggest about the logs (also on stderr): e.g. that they are a CDN's origin logs. */
  hints: string[];
  /** Files that are not web access logs (an FTP log, a README): named, counted for nothing, no problem. */
  skipped: { file: string; reason: string }[];
}

export function registerReport(program: Command, run: Run): void {
  addRuleOptions(
    program
      .command("report")
      .description("count page views in log files, without a database (like GoAccess)")
      .argument("<paths...>", "log files or directories (gzip or plain), or - for stdin")
      .option("--json", "print JSON")
      .option(
        "--csv",
        "print the pages as CSV for a spreadsheet: page,views,visitors (with --daily: day,page,views,visitors)",
      )
      .option("--daily", "add a table of UTC days (with --json or --csv: each page's views per day too)")
      .option(
        "--tz <zone>",
        "the site's time zone: the days visitors are counted in, as `pagetrack site --tz` sets for ingest (default UTC)",
        zoneOption,
      )
      .option("--top <n>", `pages to list (default: ${TOP_PAGES} in the table, every page in CSV)`),
  ).action(async (paths: string[], flags: ReportFlags) => {
    // Usage errors before any file is read.
    if (flags.json && flags.csv) throw new UserError("--csv and --json cannot be used together: pick one");
    const top = flags.top === undefined ? undefined : pageCount(flags.top);
    run.exitCode = await report(paths, { ...flags, top }, run);
  });
}

async function report(paths: string[], flags: ReportSettings, io: Io): Promise<number> {
  const read = await readLogs(paths, flags, io);
  const json = reportJson(read);
  const days = [...read.totals.periods].sort((a, b) => a[0] - b[0]);
  if (flags.daily) addDaily(json, read.totals, days);
  let text: string;
  if (flags.json) text = `${JSON.stringify(json)}\n`;
  else if (flags.csv) text = csv(json, flags.top, flags.daily ? days : undefined);
  else if (read.summary.records === 0) {
    // A table of zeros would bury the problem: only what to give instead.
    warn(io, nothingRead(json.summary.files, read.problems.length > 0));
    text = "";
  } else {
    text = table(json, flags.top ?? TOP_PAGES);
    if (read.hostless && !flags.ownHost && json.summary.entries > 0)
      text +=
        "\nThese logs do not name the site's host: give it with --own-host HOST, so that page views reached from the site's own pages are not counted as entries.\n";
  }
  io.stdout.write(text);
  return read.problems.length > 0 ? 2 : 0;
}

/** What reading every log of a report made of them. */
interface ReportRead {
  totals: Tally;
  summary: FileStats;
  /** Files named, found, failed and skipped. */
  files: number;
  failed: number;
  skipped: ReportJson["skipped"];
  problems: Problem[];
  hints: string[];
  countryAttribution?: string;
  /** Logs that do not name the host asked for cannot tell a visit from the site's own pages. */
  hostless: boolean;
}

/** Reads every log once, counting into one tally; a file that fails or is skipped is named and left out. */
async function readLogs(paths: string[], flags: ReportSettings, io: Io): Promise<ReportRead> {
  const { sources, errors, skipped: skippedPaths } = await expandPaths(paths, io);
  let failed = errors.length;
  for (const e of errors) warn(io, `${e.name}: ${e.error}`);
  const skipped: ReportJson["skipped"] = [];
  const skip = (file: string, reason: string) => {
    warn(io, `${file}: skipped: ${reason}`);
    skipped.push({ file, reason });
  };
  for (const s of skippedPaths) skip(s.name, s.reason);
  const problems: Problem[] = errors.map((e) => ({ file: e.name, error: e.error }));
  const rule = new PageViewRule(ruleOptions(flags));
  const audience = await audienceOf(flags, flags.tz);
  const totals = new Tally(flags.daily ? "day" : "all", audience);
  const summary = emptyStats();
  const totalBytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  const progress = progressBar("Reading", totalBytes, {
    quiet: flags.json || flags.csv,
    unit: "bytes",
    files: sources.length,
    stream: io.stderr,
  });
  const onBytes = (bytes: number) => progress.advance(bytes);
  const context = { format: flags.format, rule, audience, period: totals.period };
  // With --jobs, threads read the files side by side, each keeping a tally of its own. Files are
  // taken here in their order (messages, problems), and a sum of tallies does not depend on the
  // order it is made in: the report is the same whatever the number of jobs.
  const pool = JobPool.start(
    "report",
    { format: flags.format, rule: rule.options, audience: audience.settings, period: totals.period },
    flags.jobs,
    sources,
  );
  const read = (source: LogSource) =>
    pool?.takes(source)
      ? pool.read<"report">(source, onBytes)
      : reportRead(source, context, onBytes, pool?.sharedLines(source));
  let hostless = false;
  try {
    for await (const [source, { scan: result, ...counts }] of inOrder(sources, pool?.depth ?? 1, read)) {
      progress.fileDone();
      if (result.skipped) {
        skip(source.name, result.skipped);
        continue;
      }
      reportProblems(io, result);
      problems.push(...problemsOf(result));
      if (result.error) {
        failed++;
        continue;
      }
      if (counts.periods) totals.merge({ periods: counts.periods });
      if (counts.hostless) hostless = true;
      addStats(summary, result.stats);
    }
    // The threads' tallies: each kept the files it counted.
    for (const periods of (await pool?.finish()) ?? [])
      totals.merge({ periods: periods as Tally["periods"] });
  } finally {
    await pool?.close();
  }
  progress.stop();
  const hints = hintsOf(summary, rule.includesBots);
  for (const hint of hints) warn(io, hint);
  return {
    totals,
    summary,
    files: sources.length + errors.length + skippedPaths.length,
    failed,
    skipped,
    problems,
    hints,
    countryAttribution: audience.countryAttribution,
    hostless,
  };
}

/** The report as `--json` prints it: the pages largest first, every breakdown, what was left out. */
function reportJson(read: ReportRead): ReportJson {
  const { totals } = read;
  const ranked = ranking(totals.totals("page"));
  const breakdowns = Object.fromEntries(
    DIMENSIONS.map((d) => [d, Object.fromEntries(ranking(totals.totals(d)))]),
  ) as ReportJson["breakdowns"];
  const pageVisitors = totals.totals("pageVisitors");
  return {
    summary: {
      ...read.summary,
      files: read.files,
      failedFiles: read.failed,
      skippedFiles: read.skipped.length,
      pages: ranked.length,
      entries: Object.values(breakdowns.entry).reduce((a, b) => a + b, 0),
      visitors: totals.totals("visitors").get(SITE_KEY) ?? 0,
    },
    pages: Object.fromEntries(ranked),
    visitors: Object.fromEntries(ranked.map(([page]) => [page, pageVisitors.get(page) ?? 0])),
    breakdowns,
    crawlers: crawlersOf(totals),
    notFound: notFoundOf(totals),
    feeds: feedsOf(totals),
    ...(read.countryAttribution ? { countryAttribution: read.countryAttribution } : {}),
    problems: read.problems,
    hints: read.hints,
    skipped: read.skipped,
  };
}

/** `--daily`: each page's views and the site's visitors per day (visitor days in the site's zone). */
function addDaily(json: ReportJson, totals: Tally, days: [number, Cells][]): void {
  const daily = new Map(Object.keys(json.pages).map((page) => [page, {} as Record<string, number>]));
  for (const [start, cells] of days) {
    const day = utcDay(start);
    for (const [page, cell] of cells.get("page") ?? [])
      (daily.get(page) as Record<string, number>)[day] = cell.n;
  }
  json.daily = Object.fromEntries(daily);
  json.dailyVisitors = {};
  for (const [dayKey, n] of [...totals.unionDays("visitors")].sort()) {
    const [day, key] = splitUnionKey(dayKey);
    if (key === SITE_KEY) json.dailyVisitors[day] = n;
  }
}

/** The hint of a run that read no request, below its problems if it had any. */
function nothingRead(files: number, problems: boolean): string {
  return `no request read from ${plural(files, "file")}${problems ? " (see above)" : ""}: give access logs (files, directories, gzip or plain, or - for stdin), with --format FORMAT if their format is not recognised`;
}

/**
 * The pages as CSV, largest first: `page,views,visitors`; with the days of a daily tally,
 * `day,page,views,visitors`, a row per page and UTC day it has views on, days in order and the
 * pages of a day largest first. `top` keeps the largest pages only (of all days).
 */
function csv(report: ReportJson, top: number | undefined, days?: [number, Cells][]): string {
  const pages = Object.entries(report.pages).slice(0, top);
  if (!days)
    return toCsv(
      ["page", "views", "visitors"],
      pages.map(([page, n]) => [page, n, report.visitors[page]]),
    );
  const kept = new Set(pages.map(([page]) => page));
  const rows: (string | number)[][] = [];
  for (const [start, cells] of days) {
    const visitors = cells.get("pageVisitors");
    const day = utcDay(start);
    for (const [page, n] of ranking(new Map([...(cells.get("page") ?? [])].map(([p, c]) => [p, c.n]))))
      if (kept.has(page)) rows.push([day, page, n, visitors?.get(unionKey(day, page))?.n ?? 0]);
  }
  return toCsv(["day", "page", "views", "visitors"], rows);
}

/** Values by count, most first; ties by value so that the output is stable. */
function ranking(pages: Map<string, number>): [string, number][] {
  return [...pages].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function table(report: ReportJson, top: number): string {
  const s = report.summary;
  const pages = Object.entries(report.pages);
  const width = Math.max(5, ...pages.slice(0, top).map(([, n]) => formatNumber(n).length));
  const lines = [`${"Views".padStart(width)}  Visitors  Page`];
  for (const [page, n] of pages.slice(0, top))
    lines.push(
      `${formatNumber(n).padStart(width)}  ${formatNumber(report.visitors[page]).padStart(8)}  ${page}`,
    );
  if (pages.length > top)
    lines.push(`${"".padStart(width)}  (${plural(pages.length - top, "more page", "more pages")})`);
  if (pages.length === 0) lines.push(`${"".padStart(width)}  (no page views)`);
  if (report.daily) lines.push("", ...dayTable(report));
  const row = (label: string, n: number) => `  ${label.padEnd(30)}${formatNumber(n).padStart(12)}`;
  lines.push(
    "",
    `${plural(s.views, "page view")} by ${plural(s.visitors, "visitor")} (a reader counts once a day) on ${plural(s.pages, "page")}, from ${plural(s.records, "request")} in ${formatNumber(s.files - s.failedFiles)} of ${plural(s.files, "file")}`,
    `${plural(s.entries, ENTRIES)} (${ENTRY_NOTE})`,
    `${formatBytes(s.bytes)} served`,
    "Not counted:",
    row("bots", s.bots),
    row("not HTML pages", s.nonHtml),
    row("not GET", s.nonGet),
    row("other statuses", s.otherStatus),
    row("outside --prefix / --exclude", s.excluded),
    row("rejected lines", s.rejected),
  );
  if (s.failedFiles > 0) lines.push(row("files that could not be read", s.failedFiles));
  if (s.skippedFiles > 0) lines.push(row("files skipped: not web logs", s.skippedFiles));
  for (const dimension of DIMENSIONS) lines.push("", ...topValues(report, dimension));
  lines.push("", ...feedsTable(report));
  if (report.countryAttribution) lines.push(`  (${report.countryAttribution})`);
  return `${lines.join("\n")}\n`;
}

/**
 * The site's page views and visitors per UTC day, a row a day from the first day with views to the
 * last: a day without views shows zeros, a longer gap (more than a week) is one line.
 */
function dayTable(report: ReportJson): string[] {
  const views = new Map<string, number>();
  for (const days of Object.values(report.daily ?? {}))
    for (const [day, n] of Object.entries(days)) views.set(day, (views.get(day) ?? 0) + n);
  const visitors = report.dailyVisitors ?? {};
  const known = [...new Set([...views.keys(), ...Object.keys(visitors)])].sort();
  const width = Math.max(5, ...known.map((d) => formatNumber(views.get(d) ?? 0).length));
  const lines = [`Day (UTC)   ${"Views".padStart(width)}  Visitors`];
  const row = (day: string) =>
    `${day}  ${formatNumber(views.get(day) ?? 0).padStart(width)}  ${formatNumber(visitors[day] ?? 0).padStart(8)}`;
  let previous: number | undefined;
  for (const day of known) {
    const t = Date.parse(`${day}T00:00:00Z`);
    if (previous !== undefined) {
      const empty = Math.round((t - previous) / 86400000) - 1;
      if (empty > 7) lines.push(`  (${plural(empty, "day")} without page views)`);
      else
        for (let d = previous + 86400000; d < t; d += 86400000)
          lines.push(row(new Date(d).toISOString().slice(0, 10)));
    }
    lines.push(row(day));
    previous = t;
  }
  if (known.length === 0) lines.push("  (no page views)");
  return lines;
}

/** A dimension's five largest values with their share of its total, as `top` and the dashboard show them. */
function topValues(report: ReportJson, dimension: Dimension): string[] {
  const spec = breakdownSpec(dimension);
  const values = Object.entries(report.breakdowns[dimension]);
  const of = values.reduce((sum, [, n]) => sum + n, 0);
  const title = `${spec.title} (of ${plural(of, spec.total)})`;
  if (values.length === 0) return [title, "  (none)"];
  if (spec.unknown && values.length === 1 && values[0][0] === UNKNOWN)
    return [title, `  (unknown: ${spec.unknown})`];
  const width = Math.max(...values.slice(0, 5).map(([, n]) => formatNumber(n).length));
  // A crawler with its category, so that AI crawlers stand out.
  const named = (value: string) =>
    dimension === "crawler" ? `${value} (${report.crawlers[value]?.category ?? "other"})` : value;
  const lines = values
    .slice(0, 5)
    .map(
      ([value, n]) => `  ${formatNumber(n).padStart(width)}  ${percent(n, of).padStart(6)}  ${named(value)}`,
    );
  if (values.length > 5)
    lines.push(`  ${"".padStart(width)}          (${formatNumber(values.length - 5)} more)`);
  return [title, ...lines];
}

/** Each feed's subscribers on the last day it was fetched. */
function feedsTable(report: ReportJson): string[] {
  const feeds = Object.entries(report.feeds);
  const title = "Feed subscribers (on the last day each feed was fetched)";
  if (feeds.length === 0) return [title, "  (none)"];
  const width = Math.max(...feeds.map(([, f]) => formatNumber(f.subscribers).length));
  return [
    title,
    ...feeds.map(([feed, f]) => `  ${formatNumber(f.subscribers).padStart(width)}  ${feed}  (${f.day})`),
  ];
}

function percent(n: number, of: number): string {
  return of === 0 ? "" : `${((n / of) * 100).toFixed(1)}%`;
}
