import { type Command, InvalidArgumentError, Option } from "commander";
import { Audience } from "../audience/audience.js";
import { IpCountry } from "../audience/country.js";
import { host, isNot, type Piece, path, site, statuses, whole, zone } from "../contract/params.js";
import { UserError } from "../errors.js";
import { FORMATS, type FormatOption } from "../formats/record.js";
import { DEFAULT_JOBS } from "../jobs/pool.js";
import { DEFAULT_RULE, type RuleOptions } from "../pageview/rule.js";

/** An option's parser from a piece of src/contract/params.ts: a bad value is a usage error that says what to give. */
export function optionOf<T>(piece: Piece<T>): (value: string) => T {
  return (value) => {
    const parsed = piece.parse(value);
    if (parsed === undefined) throw new InvalidArgumentError(isNot(piece, value));
    return parsed;
  };
}

/** A repeatable option's parser: each value is checked and added to the ones before. */
export function repeatableOf<T>(piece: Piece<T>): (value: string, previous?: T[]) => T[] {
  const one = optionOf(piece);
  return (value, previous = []) => [...previous, one(value)];
}

/** An IANA time zone option value. */
export const zoneOption = optionOf(zone);

/** A repeatable host option value: a host name, with a port if need be. */
export const hostOption = repeatableOf(host);

/** A `--site` value: a site id. */
export const siteOption = optionOf(site);

/** A whole number option value from min to max. */
export const wholeOption = (min: number, max: number) => optionOf(whole(min, max));

/**
 * The options of the page-view rule, of the log format and of the readers' description, shared by
 * `report` and `ingest`.
 */
export function addRuleOptions(command: Command): Command {
  return command
    .addOption(new Option("--format <format>", "log format").choices(["auto", ...FORMATS]).default("auto"))
    .option("--include-bots", "count requests from bots as page views (they are still reported)")
    .option("--prefix <path>", "count only pages under this prefix (repeatable)", repeatableOf(path))
    .option("--exclude <path>", "never count pages under this prefix (repeatable)", repeatableOf(path))
    .addOption(
      new Option("--status <list>", "HTTP statuses that count as a view, comma-separated")
        .argParser(optionOf(statuses))
        .default(DEFAULT_RULE.statuses, DEFAULT_RULE.statuses.join(",")),
    )
    .option(
      "--own-host <host>",
      "a host of the site: visits referred from it are not entries (repeatable; kept as the site's setting by ingest; the host each request names always is)",
      hostOption,
    )
    .option(
      "--ip-country <file>",
      "an IP-to-country database (CSV, e.g. DB-IP's free IP to Country Lite) for logs without a country",
    )
    .addOption(
      new Option(
        "--jobs <n>",
        `local files read at once, each by a thread of its own (default: one per core, ${DEFAULT_JOBS} here, for files of 32 MB or more in all, else 1; ingest into the embedded engine: one fewer, its engine has a thread of its own)`,
      ).argParser(wholeOption(1, 256)),
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
  jobs?: number;
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
