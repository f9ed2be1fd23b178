import { type Command, InvalidArgumentError, Option } from "commander";
import { UserError } from "../errors.js";
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

export function registerQueries(program: Command): void {
  addStoreOptions(
    program
      .command("totals")
      .description("views of every page, from one small item per page")
      .option("--prefix <path>", "only pages under this path, e.g. /blog/")
      .option("--json", "print the JSON the HTTP API returns for /pagetotals", false),
  ).action(async (flags: TotalsFlags) => {
    await withStore(flags, async ({ store, site }) => {
      const totals = await pageTotals(store, site, flags.prefix);
      if (flags.json) return print(totals);
      const rows = Object.entries(totals.pages);
      const width = Math.max(5, ...rows.map(([, n]) => formatNumber(n).length));
      const lines = [
        `${"Views".padStart(width)}  Page`,
        ...rows.map(([p, n]) => `${formatNumber(n).padStart(width)}  ${p}`),
      ];
      lines.push(
        "",
        `${formatNumber(totals.total)} views on ${formatNumber(rows.length)} pages${totals.since ? ` since ${totals.since}` : ""}`,
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
  const width = Math.max(1, ...result.points.map((p) => formatNumber(p.views).length));
  const label = (t: string) =>
    result.interval === "hour" ? t.slice(0, 16).replace("T", " ") : t.slice(0, 10);
  const lines = result.points.map(
    (p) =>
      `${label(p.t)}  ${formatNumber(p.views).padStart(width)}  ${"█".repeat(Math.round((p.views / max) * 40))}`,
  );
  lines.push(
    `${formatNumber(result.total)} views of ${result.page ?? "the whole site"}, per ${result.interval} (${result.tz})`,
  );
  return `${lines.join("\n")}\n`;
}
