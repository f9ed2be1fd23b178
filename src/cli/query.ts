import { Argument, type Command, InvalidArgumentError, Option } from "commander";
import { DIMENSIONS, type Dimension } from "../counters/registry.js";
import { UserError } from "../errors.js";
import { type BreakdownResult, breakdown } from "../query/breakdown.js";
import { resolveRange } from "../query/range.js";
import { pageTotals } from "../query/totals.js";
import { INTERVALS, type Interval, type ViewsResult, viewsOverTime } from "../query/views.js";
import { isValidZone } from "../query/zone.js";
import { formatNumber } from "./messages.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface TotalsFlags extends StoreFlags {
  prefix?: string;
  json: boolean;
}

interface ViewsFlags extends StoreFlags {
  bots: boolean;
  from?: string;
  to?: string;
  interval: Interval;
  tz: string;
  json: boolean;
}

interface TopFlags extends StoreFlags {
  from?: string;
  to?: string;
  tz: string;
  limit: number;
  json: boolean;
}

export function registerQueries(program: Command): void {
  registerTop(program);
  addStoreOptions(
    program
      .command("totals")
      .description("views and visitors of every page, from one small item per page")
      .option("--prefix <path>", "only pages under this path, e.g. /blog/")
      .option("--json", "print the JSON the HTTP API returns for /pagetotals", false),
  ).action(async (flags: TotalsFlags) => {
    await withStore(flags, async ({ store, site }) => {
      const totals = await pageTotals(store, site, flags.prefix);
      if (flags.json) return print(totals);
      const rows = Object.entries(totals.pages);
      const width = Math.max(5, ...rows.map(([, n]) => formatNumber(n).length));
      const lines = [
        `${"Views".padStart(width)}  Visitors  Page`,
        ...rows.map(
          ([p, n]) =>
            `${formatNumber(n).padStart(width)}  ${formatNumber(totals.visitors[p]).padStart(8)}  ${p}`,
        ),
      ];
      lines.push(
        "",
        `${formatNumber(totals.total)} views on ${formatNumber(rows.length)} pages${totals.since ? ` since ${totals.since}` : ""}; ${formatNumber(totals.siteVisitors)} visitors of the whole site (a reader counts once a day)`,
      );
      if (rows.length === 0)
        lines.splice(1, 0, `${"".padStart(width)}  (no page views yet: run \`pagetrack ingest LOGS\`)`);
      process.stdout.write(`${lines.join("\n")}\n`);
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
      .option("--tz <zone>", "IANA time zone of days, weeks and months", zone, "UTC")
      .option("--bots", "the site's page requests from bots instead of its views", false)
      .option("--json", "print the JSON the HTTP API returns for /pageviews", false),
  ).action(async (page: string | undefined, flags: ViewsFlags) => {
    if (page !== undefined && !page.startsWith("/"))
      throw new UserError(`page "${page}" is not a path; pages start with "/"`);
    const { from, to } = resolveRange(flags.from, flags.to, flags.interval, flags.tz);
    await withStore(flags, async ({ store, site }) => {
      const result = await viewsOverTime(store, site, {
        page,
        bots: flags.bots,
        from,
        to,
        interval: flags.interval,
        tz: flags.tz,
      });
      if (flags.json) return print(result);
      process.stdout.write(chart(result));
    });
  });
}

const NAMES: Record<Dimension, [string, string]> = {
  source: ["Source", "sources"],
  campaign: ["Campaign", "campaigns"],
  entry: ["Entry page", "entry pages"],
  browser: ["Browser", "browsers"],
  os: ["OS", "operating systems"],
  device: ["Device", "devices"],
  country: ["Country", "countries"],
};

function registerTop(program: Command): void {
  addStoreOptions(
    program
      .command("top")
      .description(
        "the largest values of an audience dimension: where readers came from, what they read with",
      )
      .addArgument(new Argument("<dimension>", "what to break the views down by").choices(DIMENSIONS))
      .option("--from <date>", "start: YYYY-MM-DD (in --tz) or an ISO 8601 time (default: 30 days ago)")
      .option("--to <date>", "end, exclusive for a time, inclusive for a date (default: now)")
      .option("--tz <zone>", "IANA time zone of the dates", zone, "UTC")
      .option("--limit <n>", "values to list (1 to 1000)", whole(1, 1000), 10)
      .option("--json", "print the JSON the HTTP API returns for /breakdown", false),
  ).action(async (dimension: Dimension, flags: TopFlags) => {
    const range = resolveRange(flags.from, flags.to, "day", flags.tz);
    await withStore(flags, async ({ store, site }) => {
      const result = await breakdown(store, site, { dimension, limit: flags.limit, tz: flags.tz, ...range });
      if (flags.json) return print(result);
      process.stdout.write(ranked(result));
    });
  });
}

/** A breakdown as a table: count, share of the total, value. */
function ranked(result: BreakdownResult): string {
  const [label, plural] = NAMES[result.dimension];
  const width = Math.max(7, ...result.values.map((v) => formatNumber(v.count).length));
  const share = (n: number) => (result.total > 0 ? `${((n / result.total) * 100).toFixed(1)}%` : "");
  const entries = ["source", "campaign", "entry"].includes(result.dimension);
  const lines = [
    `${(entries ? "Entries" : "Views").padStart(width)}   Share  ${label}`,
    ...result.values.map(
      (v) => `${formatNumber(v.count).padStart(width)}  ${share(v.count).padStart(6)}  ${v.value}`,
    ),
    "",
    `${formatNumber(result.total)} ${entries ? "entries" : "page views"} from ${result.from} to ${result.to}; ${result.values.length < 1 ? "no" : `the ${formatNumber(result.values.length)} largest`} ${plural} shown`,
  ];
  if (result.values.length === 0) lines.splice(1, 0, `${"".padStart(width)}          (none in this range)`);
  if (result.attribution) lines.push(`(${result.attribution})`);
  return `${lines.join("\n")}\n`;
}

function whole(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`"${value}" is not a whole number from ${min} to ${max}`);
    return n;
  };
}

function zone(value: string): string {
  if (!isValidZone(value))
    throw new InvalidArgumentError(`"${value}" is not an IANA time zone, e.g. Europe/Paris`);
  return value;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function chart(result: ViewsResult): string {
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
  const by = result.visitors === undefined ? "" : ` by ${formatNumber(result.visitors)} visitors`;
  lines.push(
    `${formatNumber(result.total)} views of ${result.page ?? "the whole site"}${by}, per ${result.interval} (${result.tz})`,
  );
  return `${lines.join("\n")}\n`;
}
