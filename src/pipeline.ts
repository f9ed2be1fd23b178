import { describeError, UserError } from "./errors.js";
import { parserFor } from "./formats/detect.js";
import type { FormatName, FormatOption, LineParser } from "./formats/record.js";
import { percentDecode } from "./pageview/decode.js";
import type { PageViewRule } from "./pageview/rule.js";
import type { PageView } from "./pageview/view.js";
import { decompressed } from "./readers/decompress.js";
import { forEachLine } from "./readers/lines.js";
import type { LogSource } from "./readers/sources.js";

/** What happened to the lines of one file. */
export interface FileStats {
  lines: number;
  records: number;
  rejected: number;
  /** Page views counted (bots among them only when bots are included). */
  views: number;
  /** Page requests from bots, counted as views or not. */
  bots: number;
  nonGet: number;
  otherStatus: number;
  nonHtml: number;
  excluded: number;
  /** Page requests that were a CDN's fetches from its origin (among `bots`): see pageview/cdn.ts. */
  cdnFetches: number;
}

export function emptyStats(): FileStats {
  return {
    lines: 0,
    records: 0,
    rejected: 0,
    views: 0,
    bots: 0,
    nonGet: 0,
    otherStatus: 0,
    nonHtml: 0,
    excluded: 0,
    cdnFetches: 0,
  };
}

export function addStats(into: FileStats, from: FileStats): void {
  for (const key of Object.keys(into) as (keyof FileStats)[]) into[key] += from[key];
}

export interface LineProblem {
  line: number;
  reason: string;
}

export interface ScanResult {
  name: string;
  format: FormatName | undefined;
  stats: FileStats;
  /** The first rejected lines (all of them are counted in stats.rejected). */
  problems: LineProblem[];
  /** Set when the file as a whole could not be read: none of its counts may be used. */
  error?: string;
}

export interface ScanOptions {
  format: FormatOption;
  rule: PageViewRule;
  /** Sees every raw (still compressed) chunk: hashing, progress. */
  tap?: (chunk: Buffer) => void;
  /** Awaited after each chunk of lines: lets a consumer that writes apply backpressure. */
  afterChunk?: () => Promise<void> | void;
  /** Reads only the first bytes of the source (the second read of a file that may grow). */
  limit?: number;
}

/** Sees every page request of a file: the page views, and the page requests of bots. */
export type ViewHandler = (view: PageView) => void;

const MAX_PROBLEMS = 20;

/**
 * Runs one source through the pipeline: reader, format parser, page-view rule. Calls `onView` for
 * every page request (`counted` says whether it is a page view). A file-level failure (unreadable,
 * corrupt gzip, unknown format, no records) is returned in `error`; the caller must then discard
 * whatever `onView` was given for this file.
 */
export async function scanSource(
  source: LogSource,
  options: ScanOptions,
  onView: ViewHandler,
): Promise<ScanResult> {
  const stats = emptyStats();
  const problems: LineProblem[] = [];
  const result: ScanResult = { name: source.name, format: undefined, stats, problems };
  const { rule } = options;
  let parser: LineParser | undefined;

  const reject = (line: number, reason: string) => {
    // Before the format is known, a line that is not text means the file is not a log at all.
    if (parser === undefined) throw new UserError(`not a text log file (line ${line}: ${reason})`);
    stats.rejected++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason });
  };
  const sink = {
    reject,
    afterChunk: options.afterChunk,
    line(text: string, line: number) {
      if (parser === undefined) {
        if (text.trim() === "") return;
        parser = parserFor(options.format, text);
        // A comment before the first record (`# nginx access log`): the next line tells the format.
        if (parser === undefined && text.charCodeAt(0) === 35 /* # */) return;
        if (parser === undefined) {
          throw new UserError(
            `unknown log format (line ${line} starts "${printable(text)}"); pagetrack reads CloudFront (W3C or JSON lines), other W3C extended (IIS), S3 access, ALB, Classic ELB and combined logs (--format)`,
          );
        }
        result.format = parser.format;
      }
      const parsed = parser.parse(text);
      if (parsed === null) return;
      if (typeof parsed === "string") return reject(line, parsed);
      stats.records++;
      const verdict = rule.judge(parsed);
      if ("page" in verdict) {
        const agent = rule.agent(parsed.userAgent);
        if (verdict.counted) stats.views++;
        if (verdict.bot) {
          stats.bots++;
          if (agent.cdn) stats.cdnFetches++;
        }
        onView({
          time: parsed.time,
          page: verdict.page,
          bot: verdict.bot,
          counted: verdict.counted,
          referrer: parsed.referrer === "-" ? "" : percentDecode(parsed.referrer),
          userAgent: agent.decoded,
          clientIp: parsed.clientIp,
          host: parsed.host,
          query: parsed.query ?? queryOf(parsed.path),
          country: parsed.country,
          requestId: parsed.requestId,
          line,
        });
        return;
      }
      switch (verdict.reason) {
        case "method":
          stats.nonGet++;
          break;
        case "status":
          stats.otherStatus++;
          break;
        case "notPage":
          stats.nonHtml++;
          break;
        case "excluded":
          stats.excluded++;
          break;
      }
    },
  };

  try {
    stats.lines = await forEachLine(
      decompressed(await source.open(options.limit), options.tap, source.name),
      sink,
    );
    if (stats.records === 0 && stats.rejected === 0) {
      result.error = stats.lines === 0 ? "empty file" : "no log records (only headers or blank lines)";
    }
  } catch (error) {
    result.error = describeError(error);
  }
  return result;
}

function queryOf(path: string): string {
  const q = path.indexOf("?");
  return q === -1 ? "" : path.slice(q + 1);
}

function printable(text: string): string {
  const shown = text.slice(0, 40).replace(/[^\x20-\x7e]/g, "?");
  return text.length > 40 ? `${shown}...` : shown;
}
