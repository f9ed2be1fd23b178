import { type Period, Tally } from "../aggregate/tally.js";
import { Audience, type AudienceSettings } from "../audience/audience.js";
import type { FormatOption } from "../formats/record.js";
import { type FirstRead, readFirst } from "../ingest/file.js";
import { PageViewRule, type RuleOptions } from "../pageview/rule.js";
import { type ScanResult, scanSource } from "../pipeline.js";
import type { LogSource } from "../readers/sources.js";

/** What a thread does with each file: tally it for `report`, or read it first for `ingest`. */
export type TaskKind = "report" | "ingest";

/** What every thread is told once, as plain data: how the main thread reads and describes. */
export interface Setup {
  format: FormatOption;
  rule: RuleOptions;
  audience: AudienceSettings;
  /** report: how finely its tallies keep time. */
  period?: Period;
  /** ingest: whether raw views are kept. */
  raw?: boolean;
}

/**
 * What `report` learns of one file: the scan, and its tally's periods (plain data) when they count
 * (the file was read, and is a log). A thread keeps the periods of its files and gives them once, at
 * the end (a tally per file would cost more to send than to make).
 */
export interface ReportRead {
  scan: ScanResult;
  periods?: Tally["periods"];
  /** Some page views do not name the host they were made to. */
  hostless: boolean;
}

export type TaskAnswer<K extends TaskKind> = K extends "report" ? ReportRead : FirstRead;

/** How a thread reads: the same rule, format and description of readers as the main thread's. */
export interface ReadContext {
  format: FormatOption;
  rule: PageViewRule;
  audience: Audience;
  period: Period;
  raw: boolean;
}

export async function contextOf(setup: Setup): Promise<ReadContext> {
  return {
    format: setup.format,
    rule: new PageViewRule(setup.rule),
    audience: await Audience.fromSettings(setup.audience),
    period: setup.period ?? "all",
    raw: setup.raw ?? false,
  };
}

/** One file of a report: every page request tallied by the report's period. */
export async function reportRead(
  source: LogSource,
  context: Omit<ReadContext, "raw">,
  onBytes?: (bytes: number) => void,
): Promise<ReportRead> {
  const counts = new Tally(context.period, context.audience);
  let hostless = false;
  const scan = await scanSource(
    source,
    { format: context.format, rule: context.rule, tap: onBytes && ((chunk) => onBytes(chunk.length)) },
    (view) => {
      counts.add(view);
      if (view.host === undefined) hostless = true;
    },
  );
  // A file that failed or is no log counts for nothing.
  const counted = !scan.error && !scan.skipped;
  return { scan, periods: counted ? counts.periods : undefined, hostless };
}

/** What a thread does with its files, and what it gives at the end. */
export interface Thread {
  read(source: LogSource, onBytes: (bytes: number) => void): Promise<ReportRead | FirstRead>;
  /** report: the periods of every file it counted; ingest: nothing. */
  finish(): Tally["periods"] | undefined;
}

export async function threadFor(kind: TaskKind, setup: Setup): Promise<Thread> {
  const context = await contextOf(setup);
  if (kind === "ingest")
    return { read: (source, onBytes) => readFirst(source, { ...context, onBytes }), finish: () => undefined };
  const totals = new Tally(context.period, context.audience);
  return {
    async read(source, onBytes) {
      const { periods, ...read } = await reportRead(source, context, onBytes);
      if (periods) totals.merge({ periods });
      return read;
    },
    finish: () => totals.periods,
  };
}
