import { type Period, Tally } from "../aggregate/tally.js";
import { Audience, type AudienceSettings } from "../audience/audience.js";
import { createParser } from "../formats/detect.js";
import type { FormatOption } from "../formats/record.js";
import { type FirstRead, readFirst } from "../ingest/file.js";
import { PageViewRule, type RuleOptions } from "../pageview/rule.js";
import {
  emptyStats,
  type FileStats,
  type LineProblem,
  MAX_PROBLEMS,
  type ParserState,
  recordReader,
  type ScanResult,
  scanSource,
} from "../pipeline.js";
import { splitLines } from "../readers/lines.js";
import type { LogSource } from "../readers/sources.js";
import type { SharedLines } from "./lines.js";

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
  helpers?: SharedLines,
): Promise<ReportRead> {
  const counts = new Tally(context.period, context.audience);
  let hostless = false;
  const scan = await scanSource(
    source,
    {
      format: context.format,
      rule: context.rule,
      tap: onBytes && ((chunk) => onBytes(chunk.length)),
      helpers,
    },
    (view) => {
      counts.add(view);
      if (view.host === undefined) hostless = true;
    },
  );
  if (helpers) {
    // What the threads counted of the lines they parsed (asked for even if the file failed: they
    // let go of it then).
    const taken = await helpers.counts();
    for (const periods of taken.periods) counts.merge({ periods });
    hostless ||= taken.hostless;
  }
  // A file that failed or is no log counts for nothing.
  const counted = !scan.error && !scan.skipped;
  return { scan, periods: counted ? counts.periods : undefined, hostless };
}

/** A block of a large file's lines, for a thread to parse beside the one reading the file. */
export interface LinesTask {
  file: number;
  bytes: Uint8Array;
  firstLine: number;
  parser: ParserState;
}

/** What a thread made of the blocks of one file it was given. */
export interface LinesRead {
  stats: FileStats;
  problems: LineProblem[];
  periods: Tally["periods"];
  hostless: boolean;
}

/** What a thread does with its files, and what it gives at the end. */
export interface Thread {
  read(source: LogSource, onBytes: (bytes: number) => void): Promise<ReportRead | FirstRead>;
  /** report: parses a block of a file's lines (a large file the main thread reads). */
  lines(task: LinesTask): void;
  /** report: what the blocks of that file added up to, once they are all parsed. */
  linesRead(file: number): LinesRead;
  /** report: the periods of every file it counted; ingest: nothing. */
  finish(): Tally["periods"] | undefined;
}

export async function threadFor(kind: TaskKind, setup: Setup): Promise<Thread> {
  const context = await contextOf(setup);
  const reportOnly = () => {
    throw new Error("only report's threads parse blocks of lines");
  };
  if (kind === "ingest")
    return {
      read: (source, onBytes) => readFirst(source, { ...context, onBytes }),
      lines: reportOnly,
      linesRead: reportOnly,
      finish: () => undefined,
    };
  const totals = new Tally(context.period, context.audience);
  const files = new Map<number, FileLines>();
  return {
    async read(source, onBytes) {
      const { periods, ...read } = await reportRead(source, context, onBytes);
      if (periods) totals.merge({ periods });
      return read;
    },
    lines(task) {
      let file = files.get(task.file);
      if (file === undefined || file.prelude !== task.parser.prelude.length) {
        file = fileLines(task.parser, context, file);
        files.set(task.file, file);
      }
      splitLines(
        Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.length),
        task.firstLine,
        file,
      );
    },
    linesRead(id) {
      const file = files.get(id);
      files.delete(id);
      if (file === undefined)
        return { stats: emptyStats(), problems: [], periods: new Map(), hostless: false };
      const { stats, problems, tally, hostless } = file.read;
      return { stats, problems, periods: tally.periods, hostless: hostless.seen };
    },
    finish: () => totals.periods,
  };
}

/** A thread's reading of the blocks of one file: a parser made as the file's, and what they added up to. */
interface FileLines {
  /** Lines of the prelude the parser was given: a longer one (new headers) makes a new parser. */
  prelude: number;
  line(text: string, line: number): void;
  reject(line: number, reason: string): void;
  read: { stats: FileStats; problems: LineProblem[]; tally: Tally; hostless: { seen: boolean } };
}

function fileLines(state: ParserState, context: ReadContext, before?: FileLines): FileLines {
  const parser = createParser(state.format);
  for (const line of state.prelude) parser.parse(line);
  // The counts go on across parsers: the blocks after new headers add to the same file.
  const read = before?.read ?? {
    stats: emptyStats(),
    problems: [],
    tally: new Tally(context.period, context.audience),
    hostless: { seen: false },
  };
  const reject = (line: number, reason: string) => {
    read.stats.rejected++;
    if (read.problems.length < MAX_PROBLEMS) read.problems.push({ line, reason });
  };
  const line = recordReader(parser, context.rule, read.stats, reject, (view) => {
    read.tally.add(view);
    if (view.host === undefined) read.hostless.seen = true;
  });
  return { prelude: state.prelude.length, line, reject, read };
}
