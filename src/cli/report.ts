import type { Command } from "commander";
import { Tally } from "../aggregate/tally.js";
import { UNKNOWN } from "../audience/agent.js";
import { DIMENSIONS, type Dimension, SITE_KEY } from "../counters/registry.js";
import { utcDay } from "../formats/time.js";
import { PageViewRule } from "../pageview/rule.js";
import { addStats, emptyStats, type FileStats, scanSource } from "../pipeline.js";
import { expandPaths } from "../readers/sources.js";
import { formatNumber, reportProblems, warn } from "./messages.js";
import { addRuleOptions, audienceOf, type RuleFlags, ruleOptions } from "./options.js";
import { progressBar } from "./progress.js";

interface ReportFlags extends RuleFlags {
  json: boolean;
  daily: boolean;
  top: number;
}

export interface ReportJson {
  summary: FileStats & {
    files: number;
    failedFiles: number;
    pages: number;
    entries: number;
    visitors: number;
  };
  pages: Record<string, number>;
  /** Each page's visitors: the sum of its days' distinct (client IP, user agent) pairs. */
  visitors: Record<string, number>;
  /** Every value of every audience dimension, largest first. */
  breakdowns: Record<Dimension, Record<string, number>>;
  /** Who to credit for the countries, when an IP-to-country database named them. */
  countryAttribution?: string;
  daily?: Record<string, Record<string, number>>;
  /** The whole site's visitors per UTC day. */
  dailyVisitors?: Record<string, number>;
}

export function registerReport(program: Command): void {
  addRuleOptions(
    program
      .command("report")
      .description("count page views in log files, without a database (like GoAccess)")
      .argument("<paths...>", "log files or directories (gzip or plain), or - for stdin")
      .option("--json", "print JSON", false)
      .option("--daily", "add views per page and UTC day", false)
      .option("--top <n>", "pages to list in the table", (v) => Number.parseInt(v, 10), 20),
  ).action(async (paths: string[], flags: ReportFlags) => {
    process.exitCode = await report(paths, flags);
  });
}

async function report(paths: string[], flags: ReportFlags): Promise<number> {
  const { sources, errors } = await expandPaths(paths);
  let failed = errors.length;
  for (const e of errors) warn(`${e.name}: ${e.error}`);
  const rule = new PageViewRule(ruleOptions(flags));
  const audience = await audienceOf(flags);
  const totals = new Tally(flags.daily ? "day" : "all", audience);
  const summary = emptyStats();
  const totalBytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  const progress = progressBar("Reading", totalBytes, { quiet: flags.json, unit: "bytes" });
  let problems = false;
  // Logs that do not name the host asked for cannot tell a visit from the site's own pages.
  let hostless = false;
  for (const source of sources) {
    const counts = new Tally(totals.period, audience);
    const result = await scanSource(
      source,
      { format: flags.format, rule, tap: (chunk) => progress.advance(chunk.length) },
      (view) => {
        counts.add(view);
        if (view.host === undefined) hostless = true;
      },
    );
    if (reportProblems(result)) problems = true;
    if (result.error) {
      failed++;
      continue;
    }
    totals.merge(counts);
    addStats(summary, result.stats);
  }
  progress.stop();

  const ranked = ranking(totals.totals("page"));
  const breakdowns = Object.fromEntries(
    DIMENSIONS.map((d) => [d, Object.fromEntries(ranking(totals.totals(d)))]),
  ) as ReportJson["breakdowns"];
  const entries = Object.values(breakdowns.entry).reduce((a, b) => a + b, 0);
  const pageVisitors = totals.totals("pageVisitors");
  const json: ReportJson = {
    summary: {
      ...summary,
      files: sources.length + errors.length,
      failedFiles: failed,
      pages: ranked.length,
      entries,
      visitors: totals.totals("visitors").get(SITE_KEY) ?? 0,
    },
    pages: Object.fromEntries(ranked),
    visitors: Object.fromEntries(ranked.map(([page]) => [page, pageVisitors.get(page) ?? 0])),
    breakdowns,
    ...(audience.countryAttribution ? { countryAttribution: audience.countryAttribution } : {}),
  };
  if (flags.daily) {
    const daily = new Map(ranked.map(([page]) => [page, {} as Record<string, number>]));
    for (const [start, cells] of [...totals.periods].sort((a, b) => a[0] - b[0])) {
      const day = utcDay(start);
      for (const [page, cell] of cells.get("page") ?? [])
        (daily.get(page) as Record<string, number>)[day] = cell.n;
    }
    json.daily = Object.fromEntries(daily);
    json.dailyVisitors = {};
    for (const [start, cells] of [...totals.periods].sort((a, b) => a[0] - b[0])) {
      const site = cells.get("visitors")?.get(SITE_KEY);
      if (site) json.dailyVisitors[utcDay(start)] = site.n;
    }
  }
  let text = flags.json ? `${JSON.stringify(json)}\n` : table(json, flags.top);
  if (!flags.json && hostless && !flags.ownHost)
    text +=
      "\nThese logs do not name the site's host: give it with --own-host HOST, so that visits from its own pages are not counted as entries.\n";
  process.stdout.write(text);
  return problems || failed > 0 ? 2 : 0;
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
    lines.push(`${"".padStart(width)}  (${formatNumber(pages.length - top)} more pages)`);
  if (pages.length === 0) lines.push(`${"".padStart(width)}  (no page views)`);
  const row = (label: string, n: number) => `  ${label.padEnd(30)}${formatNumber(n).padStart(12)}`;
  lines.push(
    "",
    `${formatNumber(s.views)} page views by ${formatNumber(s.visitors)} visitors (a reader counts once a day) on ${formatNumber(s.pages)} pages, from ${formatNumber(s.records)} requests in ${formatNumber(s.files - s.failedFiles)} of ${formatNumber(s.files)} files`,
    "Not counted:",
    row("bots", s.bots),
    row("not HTML pages", s.nonHtml),
    row("not GET", s.nonGet),
    row("other statuses", s.otherStatus),
    row("outside --prefix / --exclude", s.excluded),
    row("rejected lines", s.rejected),
  );
  if (s.failedFiles > 0) lines.push(row("files that could not be read", s.failedFiles));
  for (const dimension of DIMENSIONS) lines.push("", ...topValues(report, dimension));
  if (report.countryAttribution) lines.push(`  (${report.countryAttribution})`);
  return `${lines.join("\n")}\n`;
}

const TITLES: Record<Dimension, string> = {
  source: "Sources",
  campaign: "Campaigns",
  entry: "Entry pages",
  browser: "Browsers",
  os: "Operating systems",
  device: "Devices",
  country: "Countries",
};

/** A dimension's five largest values with their share: of the entries, or of the views. */
function topValues(report: ReportJson, dimension: Dimension): string[] {
  const values = Object.entries(report.breakdowns[dimension]);
  const entries = dimension === "source" || dimension === "campaign" || dimension === "entry";
  const of = entries ? report.summary.entries : report.summary.views;
  const title = `${TITLES[dimension]} (of ${formatNumber(of)} ${entries ? "entries" : "page views"})`;
  if (values.length === 0) return [title, "  (none)"];
  if (dimension === "country" && values.length === 1 && values[0][0] === UNKNOWN)
    return [title, "  (unknown: the logs name no country; see --ip-country)"];
  const width = Math.max(...values.slice(0, 5).map(([, n]) => formatNumber(n).length));
  const lines = values
    .slice(0, 5)
    .map(([value, n]) => `  ${formatNumber(n).padStart(width)}  ${percent(n, of).padStart(6)}  ${value}`);
  if (values.length > 5)
    lines.push(`  ${"".padStart(width)}          (${formatNumber(values.length - 5)} more)`);
  return [title, ...lines];
}

function percent(n: number, of: number): string {
  return of === 0 ? "" : `${((n / of) * 100).toFixed(1)}%`;
}
