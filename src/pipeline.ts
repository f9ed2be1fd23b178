import { describeError, isUnreadable, UserError } from "./errors.js";
import { parserFor } from "./formats/detect.js";
import type { FormatName, FormatOption, LineParser, LogRecord } from "./formats/record.js";
import { holdsHttpRequest, NotAnAccessLog, notAnAccessLog, READABLE_FORMATS } from "./formats/skip.js";
import { percentDecode } from "./pageview/decode.js";
import type { AgentVerdict, PageViewRule } from "./pageview/rule.js";
import type { PageView } from "./pageview/view.js";
import { decompressed } from "./readers/decompress.js";
import { BINARY_LINE, forEachLine } from "./readers/lines.js";
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
  /** The bytes of every response, as the log records them: what the site served. */
  bytes: number;
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
    bytes: 0,
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
  /** With `error`: the file itself cannot be read (errors.ts, isUnreadable), so reading it again cannot help. */
  unreadable?: boolean;
  /**
   * Set instead of `error` when the file is not a web access log (an FTP log, a load balancer's
   * connection log, a README): one line saying what it is. It counts for nothing, and is no failure.
   */
  skipped?: string;
  /** Skipped for holding no log records: zero bytes, or nothing but headers and blank lines. */
  empty?: boolean;
}

export interface ScanOptions {
  format: FormatOption;
  rule: PageViewRule;
  /** Sees every raw (still compressed) chunk: hashing, progress. */
  tap?: (chunk: Buffer) => void;
  /** Sees the text as it is read, decompressed and decoded: a log's fingerprint (ingest/content.ts). */
  content?: (chunk: Buffer) => void;
  /** Awaited after each chunk of lines: lets a consumer that writes apply backpressure. */
  afterChunk?: () => Promise<void> | void;
  /** Reads only the first bytes of the source (the second read of a file that may grow). */
  limit?: number;
  /** Threads that may parse blocks of this file's lines beside this one (report: jobs/lines.ts). */
  helpers?: LineHelpers;
  /** Sees the bytes of every response the log records, with its time and line (ingest keeps them per hour). */
  served?: Served;
}

export type Served = (time: number, bytes: number, line: number) => void;

/** How a thread makes a parser read a file's lines as the file's own does. */
export interface ParserState {
  format: FormatName;
  /** The lines that set the parser's state, in order: headers, and the first record after them. */
  prelude: string[];
}

/**
 * Threads that parse blocks of a file's lines (LineSink.take), each with recordReader and a parser
 * given the file's prelude. What they count of the page requests stays with their caller.
 */
export interface LineHelpers {
  /** Whether a thread takes these complete lines; false to read them here (every thread is busy). */
  take(block: Buffer, firstLine: number, parser: ParserState): boolean;
  /** Once the file is read: what the lines taken added to its stats, and their first rejected lines. */
  settle(): Promise<{ stats: FileStats; problems: LineProblem[] }>;
}

/**
 * Sees every page request of a file (the page views, and the page requests of bots), and every other
 * request the server's log alone tells of (`isPage` false: a crawler's, a missing page's, a
 * download's, a feed's).
 */
export type ViewHandler = (view: PageView) => void;

export const MAX_PROBLEMS = 20;
/** A file with more header lines than this (a log of many restarts) is read by one thread. */
const MAX_PRELUDE = 100;
/** Undecodable lines before the format is known that make a file binary rather than text. */
const BINARY_LINES = 10;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL = /[\x00-\x08\x0e-\x1f\x7f]/;

/**
 * Runs one source through the pipeline: reader, format parser, page-view rule. Calls `onView` for
 * every page request (`counted` says whether it is a page view). A file-level failure (unreadable,
 * corrupt gzip, a web log in an unknown format, no records) is returned in `error`, a file that is no
 * web access log (an FTP log, a README) in `skipped`; the caller must then discard whatever `onView`
 * was given for this file.
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

  // Lines that could not be decoded before the format is known: a few are rejected like any other
  // line (a Big5 path in the first request), a run of them means the file is not text.
  let undecodable = 0;
  const notText = (line: number, reason: string) =>
    new UserError(`not a text log file (line ${line}: ${reason})`);
  const reject = (line: number, reason: string) => {
    if (parser === undefined && (reason === BINARY_LINE || ++undecodable >= BINARY_LINES))
      throw notText(line, reason);
    stats.rejected++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason });
  };
  // Once the format is known: each line parsed, judged and counted.
  let records: (text: string, line: number) => void = () => {};
  // The lines that made the parser what it is (headers, the first record after them), for a thread
  // to read its blocks alike (LineHelpers).
  let prelude: string[] | undefined = [];
  let afterHeader = true;
  const sink = {
    reject,
    afterChunk: options.afterChunk,
    line(text: string, line: number) {
      // Lines of spaces and tabs are blank lines: the cheap test first, this runs for every line.
      const first = text.charCodeAt(0);
      if ((first === 32 || first === 9 || text.length === 0) && text.trim() === "") return;
      if (parser === undefined) {
        // Control characters (NUL, ESC, ...) in what should be the first record: a binary file.
        if (CONTROL.test(text)) throw notText(line, "binary data (control characters)");
        if (options.format === "auto") {
          const other = notAnAccessLog(text);
          if (other !== undefined) throw new NotAnAccessLog(other);
        }
        parser = parserFor(options.format, text);
        // A comment before the first record (`# nginx access log`): the next line tells the format.
        if (parser === undefined && first === 35 /* # */) return;
        if (parser === undefined) {
          const starts = `line ${line} starts "${printable(text)}"`;
          // A web log in a layout no reader knows is a failure; any other text is no log at all.
          if (holdsHttpRequest(text))
            throw new UserError(
              `unknown log format (${starts}); pagetrack reads ${READABLE_FORMATS} (--format)`,
            );
          throw new NotAnAccessLog(`not a log pagetrack reads (${starts}; it reads ${READABLE_FORMATS})`);
        }
        result.format = parser.format;
        records = recordReader(parser, rule, stats, reject, onView, options.served);
      }
      if (prelude !== undefined && (first === 35 || afterHeader)) {
        prelude.push(text);
        afterHeader = first === 35;
        if (prelude.length > MAX_PRELUDE) prelude = undefined;
      }
      records(text, line);
    },
    take(block: Buffer, firstLine: number): boolean {
      // Lines a thread can parse as well as this one: once the format and its headers are known, and
      // without a header among them (headers change how the lines after them read).
      const { helpers } = options;
      if (!helpers || parser === undefined || parser.ordered || prelude === undefined) return false;
      if (block[0] === 35 || block.includes("\n#")) return false;
      return helpers.take(block, firstLine, { format: parser.format, prelude });
    },
  };

  try {
    const text = decompressed(await source.open(options.limit), options.tap, source.name);
    stats.lines = await forEachLine(options.content ? tapped(text, options.content) : text, sink);
    if (options.helpers) {
      const taken = await options.helpers.settle();
      addStats(stats, taken.stats);
      // The first rejected lines of the file: the first of each part's, in line order.
      problems.push(...taken.problems);
      problems.sort((a, b) => a.line - b.line).splice(MAX_PROBLEMS);
    }
    if (stats.records === 0 && stats.rejected === 0) {
      // A log written when there was nothing to log (a new log after logrotate): nothing to count,
      // and nothing wrong.
      result.skipped = stats.lines === 0 ? "empty file" : "no log records (only headers or blank lines)";
      result.empty = true;
    }
  } catch (error) {
    if (error instanceof NotAnAccessLog) {
      result.skipped = error.reason;
      Object.assign(stats, emptyStats());
      problems.length = 0;
    } else {
      result.error = describeError(error);
      if (isUnreadable(error)) result.unreadable = true;
    }
  }
  return result;
}

/**
 * What becomes of each line of a file once its format is known: parsed, judged by the page-view rule,
 * counted in `stats`, a page request handed to `onView`. Threads given a file's lines by LineHelpers
 * read them with one of their own.
 */
export function recordReader(
  parser: LineParser,
  rule: PageViewRule,
  stats: FileStats,
  reject: (line: number, reason: string) => void,
  onView: ViewHandler,
  served?: Served,
): (text: string, line: number) => void {
  return (text, line) => {
    const first = text.charCodeAt(0);
    if ((first === 32 || first === 9 || text.length === 0) && text.trim() === "") return;
    const parsed = parser.parse(text);
    if (parsed === null) return;
    if (typeof parsed === "string") return reject(line, parsed);
    stats.records++;
    stats.bytes += parsed.bytes;
    if (served !== undefined && parsed.bytes > 0) served(parsed.time, parsed.bytes, line);
    const verdict = rule.judge(parsed);
    if ("page" in verdict) {
      const agent = rule.agent(parsed.userAgent);
      if (verdict.counted) stats.views++;
      if (verdict.bot) {
        stats.bots++;
        if (agent.cdn) stats.cdnFetches++;
      }
      const view = viewOf(parsed, verdict.page, agent, line);
      view.bot = verdict.bot;
      view.counted = verdict.counted;
      view.isPage = true;
      // A feed read as a page (a log without content types, a feed at /feed/) is a feed fetch too.
      if (rule.isFeed(verdict.page, parsed.contentType)) view.feed = { reader: agent.reader };
      onView(view);
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
    const server = rule.server(parsed);
    if (server === undefined) return;
    const view = viewOf(parsed, server.path, server.agent, line);
    view.bot = server.agent.bot;
    if (server.notFound) view.notFound = true;
    if (server.download) view.download = true;
    if (server.feed) view.feed = { reader: server.agent.reader };
    onView(view);
  };
}

/** A request as it is handed on: a page request's fields, not yet judged (no page view, no bot). */
function viewOf(record: LogRecord, page: string, agent: AgentVerdict, line: number): PageView {
  return {
    time: record.time,
    page,
    bot: false,
    counted: false,
    referrer: record.referrer === "-" ? "" : percentDecode(record.referrer),
    userAgent: agent.decoded,
    clientIp: record.clientIp,
    host: record.host,
    query: record.query ?? queryOf(record.path),
    country: record.country,
    requestId: record.requestId,
    line,
    isPage: false,
    bytes: record.bytes,
    crawler: agent.crawler,
    // Every view has the same fields, set or not: the code that counts them sees one shape.
    notFound: undefined,
    download: undefined,
    feed: undefined,
  };
}

async function* tapped(text: AsyncIterable<Buffer>, tap: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of text) {
    tap(chunk);
    yield chunk;
  }
}

function queryOf(path: string): string {
  const q = path.indexOf("?");
  return q === -1 ? "" : path.slice(q + 1);
}

function printable(text: string): string {
  const shown = text.slice(0, 40).replace(/[^\x20-\x7e]/g, "?");
  return text.length > 40 ? `${shown}...` : shown;
}
