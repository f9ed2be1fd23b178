import { existsSync } from "node:fs";
import { Argument, type Command, Option } from "commander";
import type { Breakdown, PageTotals, Series } from "../contract/answers.js";
import { toCsv } from "../contract/csv.js";
import { BREAKDOWN_LIMIT, INTERVALS, type Interval, MAX_RANGE_DAYS } from "../contract/rules.js";
import {
  breakdownSpec,
  DIMENSIONS,
  type Dimension,
  MEASURES,
  PAGE_DIMENSIONS,
} from "../counters/registry.js";
import { UserError } from "../errors.js";
import { breakdown, MAX_BREAKDOWN_DAYS } from "../query/breakdown.js";
import { cleanPage, seriesSpan, similarPages } from "../query/pages.js";
import { resolveRange } from "../query/range.js";
import { siteSettings } from "../query/site.js";
import { pageTotals } from "../query/totals.js";
import { viewsOverTime } from "../query/views.js";
import { localTime } from "../query/zone.js";
import type { Store } from "../store/store.js";
import { DEMO_DATA_DIR } from "./defaults.js";
import type { Io } from "./io.js";
import { formatNumber, plural, warn } from "./messages.js";
import { pageCount, wholeOption, zoneOption } from "./options.js";
import { registerServerQueries } from "./requests.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

/**
 * How hints name the command. Always `npx pagetrack`: it runs the project's own copy from a local
 * install (node_modules/.bin) and in a clone of the repository, where a bare `pagetrack` is not on
 * the PATH, and a global install too; guessing how this process was started (npx, npm exec, a
 * global bin, node bin/pagetrack.js) would make the same hint differ from run to run.
 */
const RUN = "npx pagetrack";

/** How a query command prints its answer: a table, the API's JSON, or CSV. */
export interface OutputFlags {
  json: boolean;
  csv: boolean;
}

interface TotalsFlags extends StoreFlags, OutputFlags {
  prefix?: string;
  top?: string;
}

interface ViewsFlags extends StoreFlags, OutputFlags {
  bots: boolean;
  from?: string;
  to?: string;
  interval: Interval;
  tz?: string;
}

interface TopFlags extends StoreFlags, OutputFlags {
  page?: string;
  from?: string;
  to?: string;
  tz?: string;
  limit: number;
}

type Output = "table" | "json" | "csv";

/** The output asked for; `--csv` with `--json` is a usage error. */
export function outputOf(flags: OutputFlags): Output {
  if (flags.json && flags.csv) throw new UserError("--csv and --json cannot be used together: pick one");
  return flags.json ? "json" : flags.csv ? "csv" : "table";
}

export function registerQueries(program: Command, io: Io): void {
  registerTop(program, io);
  registerServerQueries(program, io);
  addStoreOptions(
    program
      .command("totals")
      .description("views and visitors of every page, from one small item per page")
      .option("--prefix <path>", "only pages under this path, e.g. /blog/")
      .option("--top <n>", "only the N most viewed pages (table and CSV)")
      .option("--json", "print the JSON the HTTP API returns for /pagetotals", false)
      .option("--csv", "print CSV: page,views,visitors", false),
  ).action(async (flags: TotalsFlags) => {
    const output = outputOf(flags);
    const top = flags.top === undefined ? undefined : pageCount(flags.top);
    if (top !== undefined && output === "json")
      throw new UserError("--top cuts the table and CSV; --json prints the whole /pagetotals answer");
    await withStore(io, flags, async ({ store, site }) => {
      const totals = await pageTotals(store, site, flags.prefix);
      if (output === "json") return print(io, totals);
      const rows = Object.entries(totals.pages).slice(0, top);
      if (output === "csv")
        return write(
          io,
          toCsv(
            ["page", "views", "visitors"],
            rows.map(([p, n]) => [p, n, totals.visitors[p]]),
          ),
        );
      write(io, totalsTable(totals, rows));
    });
  });

  addStoreOptions(
    program
      .command("views")
      .description("views of a page (or of the whole site) over time")
      .argument("[page]", "a page path such as /blog/x/; the whole site when left out")
      .option(
        "--from <date>",
        "start: YYYY-MM-DD (in --tz) or an ISO 8601 time (default: a range that suits --interval)",
      )
      .option("--to <date>", "end, exclusive for a time, inclusive for a date (default: now)")
      .addOption(new Option("--interval <unit>", "bucket size").choices(INTERVALS).default("day"))
      .option("--tz <zone>", "IANA time zone of days, weeks and months (default: the site's)", zoneOption)
      .option("--bots", "the site's page requests from bots instead of its views", false)
      .option("--json", "print the JSON the HTTP API returns for /pageviews", false)
      .option("--csv", "print CSV: time,views,visitors", false),
  ).action(async (argument: string | undefined, flags: ViewsFlags) => {
    const output = outputOf(flags);
    const page = argument === undefined ? undefined : pageOf(argument);
    await withStore(io, flags, async ({ store, site }) => {
      const { timeZone } = await siteSettings(store, site);
      flags.tz ??= timeZone;
      const { from, to } = resolveRange(flags.from, flags.to, flags.interval, flags.tz);
      const result = await viewsOverTime(store, site, {
        page,
        bots: flags.bots,
        from,
        to,
        interval: flags.interval,
        tz: flags.tz,
        siteTimeZone: timeZone,
      });
      if (output === "json") print(io, result);
      else if (output === "csv")
        write(
          io,
          toCsv(
            ["time", "views", "visitors"],
            result.points.map((p) => [p.t, p.views, p.visitors ?? ""]),
          ),
        );
      else {
        write(io, chart(result));
        const widened = widening(
          result,
          flags.from === undefined ? undefined : from,
          flags.to === undefined ? undefined : to,
        );
        if (widened) write(io, `${widened}\n`);
      }
      // Notes go to stderr, so that the JSON and the CSV stay what they are.
      if (result.total === 0) await explainEmpty(io, store, site, result, flags);
    });
  });
}

/** A page argument, cleaned as the logs' paths are (`/x/index.html` is `/x/`, `%C3%A9` is `é`). */
function pageOf(argument: string): string {
  const page = /^https?:\/\//i.test(argument) || argument.startsWith("/") ? cleanPage(argument) : undefined;
  if (page === undefined)
    throw new UserError(`page "${argument}" is not a path; pages start with "/" (or give the page's URL)`);
  return page;
}

/**
 * Says why a series is empty: where the views of the page (or the site) are when it has some
 * outside the range, with the options to see them; that a page has never had views, with pages
 * like it; or that the site has none yet. One small item read, only when the answer is empty.
 */
async function explainEmpty(
  io: Io,
  store: Store,
  site: string,
  result: Series,
  flags: ViewsFlags,
): Promise<void> {
  const page = result.page ?? undefined;
  const span = await seriesSpan(store, site, { page, bots: flags.bots });
  if (span) {
    const what = flags.bots
      ? "the site's page requests from bots"
      : page
        ? "this page's views"
        : "this site's views";
    const first = localDate(span.first, result.tz);
    const last = localDate(span.last, result.tz);
    const days = daysBetween(first, last);
    // The interval asked for if the whole span fits it, else the first longer one that it fits.
    const fits = (i: Interval) => days <= MAX_RANGE_DAYS[i];
    const interval = fits(flags.interval)
      ? flags.interval
      : (INTERVALS.slice(INTERVALS.indexOf(flags.interval) + 1).find(fits) ?? "month");
    const from = days <= MAX_RANGE_DAYS[interval] ? first : addDays(last, 1 - MAX_RANGE_DAYS[interval]);
    const more = interval === flags.interval ? "" : ` --interval ${interval}`;
    warn(
      io,
      `no ${flags.bots ? "page requests from bots" : "views"} in this range; ${what} run from ${first} to ${last}: try --from ${from} --to ${last}${more}`,
    );
    return;
  }
  if (page) return unknownPage(io, store, site, page, flags);
  if (!flags.bots) warn(io, noViewsYet(flags, io.env));
}

/** Says that a page has never had views, with pages like it (a typo, a missing slash). */
async function unknownPage(
  io: Io,
  store: Store,
  site: string,
  page: string,
  flags: StoreFlags,
): Promise<void> {
  const like = await similarPages(store, site, page);
  if (like.length > 0) warn(io, `no page ${page} has views; pages like it: ${like.join(", ")}`);
  else if (await seriesSpan(store, site, {}))
    warn(io, `no page ${page} has views; \`${RUN} totals\` lists the pages that have`);
  else warn(io, noViewsYet(flags, io.env));
}

/** An empty site: how to fill it, or where the demo's views are when the demo ran here. */
function noViewsYet(flags: StoreFlags, env: NodeJS.ProcessEnv): string {
  const demo = !flags.data && !flags.endpoint && !env.AWS_ENDPOINT_URL_DYNAMODB && existsSync(DEMO_DATA_DIR);
  return demo
    ? `this site has no views yet; the demo's are in ${DEMO_DATA_DIR}: add --data ${DEMO_DATA_DIR}`
    : `this site has no views yet: count your logs with \`${RUN} ingest LOGS\``;
}

/**
 * The line that says a range was widened to whole buckets, when the --from or --to given fell
 * inside one: dates (the last one included) for days, weeks and months, times for hours.
 */
function widening(result: Series, from: number | undefined, to: number | undefined): string | undefined {
  const start = Date.parse(result.from) / 1000;
  const end = Date.parse(result.to) / 1000;
  if (!((from !== undefined && start < from) || (to !== undefined && end > to))) return undefined;
  if (result.interval === "hour") {
    const time = (t: number) => isoMinutes(t, result.tz);
    return `range widened to whole hours: ${time(start)} to ${time(end)}`;
  }
  return `range widened to whole ${result.interval}s: ${localDate(start, result.tz)} to ${localDate(end - 1, result.tz)}`;
}

function registerTop(program: Command, io: Io): void {
  addStoreOptions(
    program
      .command("top")
      .description(
        "the largest values of an audience dimension: where readers came from, what they read with",
      )
      .addArgument(new Argument("<dimension>", "what to break the views down by").choices(DIMENSIONS))
      .option("--page <path>", `one page's audience (${PAGE_DIMENSIONS.join(", ")}), e.g. /blog/x/`)
      .option("--from <date>", "start: YYYY-MM-DD (in --tz) or an ISO 8601 time (default: 30 days ago)")
      .option("--to <date>", "end, exclusive for a time, inclusive for a date (default: now)")
      .option("--tz <zone>", "IANA time zone of the dates (default: the site's)", zoneOption)
      .option(
        "--limit <n>",
        `values to list (1 to ${BREAKDOWN_LIMIT.max})`,
        wholeOption(1, BREAKDOWN_LIMIT.max),
        BREAKDOWN_LIMIT.default,
      )
      .option("--json", "print the JSON the HTTP API returns for /breakdown", false)
      .option("--csv", "print CSV: value,count,share (the share of the total, 0 to 1)", false),
  ).action(async (dimension: Dimension, flags: TopFlags) => {
    const output = outputOf(flags);
    await withStore(io, flags, async ({ store, site }) => {
      flags.tz ??= (await siteSettings(store, site)).timeZone;
      const range = resolveRange(flags.from, flags.to, "day", flags.tz);
      const page = flags.page === undefined ? undefined : pageOf(flags.page);
      const result = await breakdown(store, site, {
        dimension,
        limit: flags.limit,
        tz: flags.tz,
        page,
        ...range,
      });
      if (output === "json") print(io, result);
      else if (output === "csv")
        write(
          io,
          toCsv(
            ["value", "count", "share", ...(dimension === "crawler" ? ["category"] : [])],
            result.values.map((v) => [
              v.value,
              v.count,
              Number((v.count / result.total).toFixed(4)),
              ...(v.category ? [v.category] : []),
            ]),
          ),
        );
      else write(io, ranked(result));
      if (result.total > 0) return;
      // Nothing counted: a page that never had views is named as `views` names it.
      if (page && !(await seriesSpan(store, site, { page })))
        return unknownPage(io, store, site, page, flags);
      // When the site's views all lie outside the range, say where they are.
      const span = await seriesSpan(store, site, {});
      if (span && (span.last < range.from || span.first >= range.to)) {
        const first = localDate(span.first, flags.tz as string);
        const last = localDate(span.last, flags.tz as string);
        const from =
          daysBetween(first, last) <= MAX_BREAKDOWN_DAYS ? first : addDays(last, 1 - MAX_BREAKDOWN_DAYS);
        warn(
          io,
          `no page views in this range; this site's views run from ${first} to ${last}: try --from ${from} --to ${last}`,
        );
      } else if (!span) warn(io, noViewsYet(flags, io.env));
    });
  });
}

/** A breakdown as a table: count, share of the total (the sum of every value), value. */
function ranked(result: Breakdown): string {
  const spec = breakdownSpec(result.dimension);
  const width = Math.max(7, ...result.values.map((v) => formatNumber(v.count).length));
  const share = (n: number) => (result.total > 0 ? `${((n / result.total) * 100).toFixed(1)}%` : "");
  const n = result.values.length;
  const shown =
    n === 0
      ? `no ${spec.values.many}`
      : n === 1
        ? `the largest ${spec.values.one}`
        : `the ${formatNumber(n)} largest ${spec.values.many}`;
  const lines = [
    `${MEASURES[spec.counts].header.padStart(width)}   Share  ${spec.label}`,
    ...result.values.map(
      (v) =>
        `${formatNumber(v.count).padStart(width)}  ${share(v.count).padStart(6)}  ${v.value}${v.category ? ` (${v.category})` : ""}`,
    ),
    "",
    `${result.page ? `${result.page}, ` : ""}${result.from} to ${result.to}: ${plural(result.total, spec.total)}; ${shown} shown`,
  ];
  if (n === 0) lines.splice(1, 0, `${"".padStart(width)}          (none in this range)`);
  const { note } = MEASURES[spec.counts];
  if (note) lines.push(`(${note})`);
  if (result.attribution) lines.push(`(${result.attribution})`);
  return `${lines.join("\n")}\n`;
}

export function print(io: Io, value: unknown): void {
  write(io, `${JSON.stringify(value)}\n`);
}

export function write(io: Io, text: string): void {
  io.stdout.write(text);
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
function localDate(epoch: number, tz: string): string {
  const l = localTime(epoch, tz);
  return `${l.year}-${String(l.month).padStart(2, "0")}-${String(l.day).padStart(2, "0")}`;
}

/** `YYYY-MM-DD HH:MM` in a time zone. */
function isoMinutes(epoch: number, tz: string): string {
  const l = localTime(epoch, tz);
  return `${localDate(epoch, tz)} ${String(l.hour).padStart(2, "0")}:${String(l.minute).padStart(2, "0")}`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/** Days from one date to another, both included. */
function daysBetween(first: string, last: string): number {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86400000) + 1;
}

/** Every page's views and visitors, most viewed first, and the site's sums below. */
function totalsTable(totals: PageTotals, rows: [string, number][]): string {
  const width = Math.max(5, ...rows.map(([, n]) => formatNumber(n).length));
  const lines = [
    `${"Views".padStart(width)}  Visitors  Page`,
    ...rows.map(
      ([p, n]) => `${formatNumber(n).padStart(width)}  ${formatNumber(totals.visitors[p]).padStart(8)}  ${p}`,
    ),
  ];
  const pages = Object.keys(totals.pages).length;
  const shown =
    rows.length >= pages
      ? ""
      : rows.length === 1
        ? " (the most viewed shown)"
        : ` (the ${formatNumber(rows.length)} most viewed shown)`;
  lines.push(
    "",
    `${plural(totals.total, "view")} on ${plural(pages, "page")}${shown}${totals.since ? ` since ${totals.since}` : ""}; ${plural(totals.siteVisitors, "visitor")} of the whole site (a reader counts once a day)`,
  );
  if (pages === 0)
    lines.splice(1, 0, `${"".padStart(width)}  (no page views yet: run \`${RUN} ingest LOGS\`)`);
  return `${lines.join("\n")}\n`;
}

function chart(result: Series): string {
  const max = Math.max(1, ...result.points.map((p) => p.views));
  const width = Math.max(5, ...result.points.map((p) => formatNumber(p.views).length));
  const label = (t: string) =>
    result.interval === "hour" ? t.slice(0, 16).replace("T", " ") : t.slice(0, 10);
  const pad = result.interval === "hour" ? 16 : 10;
  const visitors = (p: { visitors?: number }) =>
    p.visitors === undefined ? "" : `  ${formatNumber(p.visitors).padStart(8)}`;
  const lines = [
    `${"".padEnd(pad)}  ${"Views".padStart(width)}${result.visitors === undefined ? "" : "  Visitors"}`,
    ...result.points.map(
      (p) =>
        `${label(p.t)}  ${formatNumber(p.views).padStart(width)}${visitors(p)}  ${"█".repeat(Math.round((p.views / max) * 40))}`,
    ),
  ];
  const by = result.visitors === undefined ? "" : ` by ${plural(result.visitors, "visitor")}`;
  lines.push(
    `${plural(result.total, "view")} of ${result.page ?? "the whole site"}${by}, per ${result.interval} (${result.tz})`,
  );
  return `${lines.join("\n")}\n`;
}
