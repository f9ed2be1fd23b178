import { type Command, InvalidArgumentError, Option } from "commander";
import { FORMATS, type FormatOption } from "../formats/record.js";
import { DEFAULT_RULE, type RuleOptions } from "../pageview/rule.js";

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

/** The options of the page-view rule and of the log format, shared by `report` and `ingest`. */
export function addRuleOptions(command: Command): Command {
  return command
    .addOption(new Option("--format <format>", "log format").choices(["auto", ...FORMATS]).default("auto"))
    .option("--include-bots", "count requests from bots as page views (they are still reported)", false)
    .option("--prefix <path>", "count only pages under this prefix (repeatable)", collect)
    .option("--exclude <path>", "never count pages under this prefix (repeatable)", collect)
    .option("--status <list>", "HTTP statuses that count as a view", statuses, DEFAULT_RULE.statuses);
}

export interface RuleFlags {
  format: FormatOption;
  includeBots: boolean;
  prefix?: string[];
  exclude?: string[];
  status: number[];
}

export function ruleOptions(flags: RuleFlags): RuleOptions {
  return {
    includeBots: flags.includeBots,
    prefixes: flags.prefix ?? [],
    excludes: flags.exclude ?? [],
    statuses: flags.status,
  };
}
