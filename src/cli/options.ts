import { type Command, InvalidArgumentError, Option } from "commander";
import { Audience } from "../audience/audience.js";
import { IpCountry } from "../audience/country.js";
import { UserError } from "../errors.js";
import { FORMATS, type FormatOption } from "../formats/record.js";
import { DEFAULT_RULE, type RuleOptions } from "../pageview/rule.js";
import { isValidZone } from "../query/zone.js";

function collect(value: string, previous: string[] = []): string[] {
  if (!value.startsWith("/"))
    throw new InvalidArgumentError(`"${value}" is not a path; prefixes start with "/", e.g. /blog/`);
  return [...previous, value];
}

function statuses(value: string): number[] {
  const list = value.split(",").map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) {
    throw new InvalidArgumentError(`"${value}" is not a list of HTTP statuses, e.g. 200,304`);
  }
  return list;
}

/** An IANA time zone option value. */
export function zoneOption(value: string): string {
  if (!isValidZone(value))
    throw new InvalidArgumentError(`"${value}" is not an IANA time zone, e.g. Europe/Paris`);
  return value;
}

/** A repeatable host option value: a host name, with a port if need be. */
export function host(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a host name, e.g. example.com (no scheme, no path)`);
  return [...previous, value];
}

/**
 * The options of the page-view rule, of the log format and of the readers' description, shared by
 * `report` and `ingest`.
 */
export function addRuleOptions(command: Command): Command {
  return command
    .addOption(new Option("--format <format>", "log format").choices(["auto", ...FORMATS]).default("auto"))
    .option("--include-bots", "count requests from bots as page views (they are still reported)")
    .option("--prefix <path>", "count only pages under this prefix (repeatable)", collect)
    .option("--exclude <path>", "never count pages under this prefix (repeatable)", collect)
    .addOption(
      new Option("--status <list>", "HTTP statuses that count as a view, comma-separated")
        .argParser(statuses)
        .default(DEFAULT_RULE.statuses, DEFAULT_RULE.statuses.join(",")),
    )
    .option(
      "--own-host <host>",
      "a host of the site: visits referred from it are not entries (repeatable; kept as the site's setting by ingest; the host each request names always is)",
      host,
    )
    .option(
      "--ip-country <file>",
      "an IP-to-country database (CSV, e.g. DB-IP's free IP to Country Lite) for logs without a country",
    );
}

export interface RuleFlags {
  format: FormatOption;
  includeBots?: boolean;
  prefix?: string[];
  exclude?: string[];
  status: number[];
  ownHost?: string[];
  ipCountry?: string;
}

/** How the readers of views are described: the site's own hosts, and countries from an IP database. */
export async function audienceOf(flags: RuleFlags, timeZone?: string): Promise<Audience> {
  return new Audience({
    timeZone,
    ownHosts: flags.ownHost ?? [],
    ipCountry: flags.ipCountry ? await IpCountry.load(flags.ipCountry) : undefined,
  });
}

export function ruleOptions(flags: RuleFlags): RuleOptions {
  return {
    includeBots: flags.includeBots ?? false,
    prefixes: flags.prefix ?? [],
    excludes: flags.exclude ?? [],
    statuses: flags.status,
  };
}

/** A --top value: a whole number of pages, 1 or more (checked in the action: one line, no usage text). */
export function pageCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UserError(
      `--top "${value}" is not a number of pages: give a whole number of 1 or more, e.g. --top 10`,
    );
  return n;
}
