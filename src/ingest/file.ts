import { createHash } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tally } from "../aggregate/tally.js";
import type { Audience } from "../audience/audience.js";
import { describeError } from "../errors.js";
import type { FormatName, FormatOption } from "../formats/record.js";
import type { PageViewRule } from "../pageview/rule.js";
import type { PageView } from "../pageview/view.js";
import { type FileStats, type LineProblem, scanSource } from "../pipeline.js";
import { fileSource, type LogSource } from "../readers/sources.js";
import { contributionItems } from "../store/contributions.js";
import { recordFiles } from "../store/ledger.js";
import type { LogState } from "../store/logs.js";
import { rawViewItem } from "../store/raw-views.js";
import type { Item, Store } from "../store/store.js";
import { BLOCK_LINES, type ContentPrint, ContentPrinter, checkAt } from "./content.js";

/** Files with at most this many page views are read once: their views are kept from the first read. */
const VIEWS_KEPT = 2000;

export interface IngestOptions {
  format: FormatOption;
  rule: PageViewRule;
  /** Describes the readers of the views (own hosts, countries): one for the run. */
  audience: Audience;
  /** Store a raw item per view (off: counters only). */
  raw: boolean;
  /** Raw view items expire this many days after the view (DynamoDB TTL). */
  retentionDays?: number;
  /** Ingest files the ledger already lists as done. */
  force?: boolean;
  /** The site's generation to count in (store/meta.ts): set by the driver. */
  generation?: number;
  /** Reads a file first (step 1 below) in another thread, with `--jobs` (undefined: here): set by the driver. */
  readFirst?: (source: LogSource) => Promise<FirstRead> | undefined;
  /** Sees every raw byte read, of a file's first read and of its second one (progress). */
  onBytes?: (bytes: number) => void;
  /**
   * Told, before it starts, that a file (one with more page views than are kept from the first read)
   * is read a second time, and how many bytes that read is: what there is to read grows by as much.
   */
  onReread?: (bytes: number) => void;
  /** Told when a file is read and written, or skipped, or failed (its rollup may still be to come). */
  onFileRead?: (name: string) => void;
}

/** What became of one file: counted (its rollup still to come), already done, or failed. */
export interface FileResult {
  name: string;
  status: "counted" | "duplicate" | "failed" | "skipped";
  /** The hash of its text (ingest/content.ts): the same records under any name, compressed or not. */
  fileId?: string;
  format?: FormatName;
  /** What the file held. */
  stats: FileStats;
  /**
   * Of a log that grew since it was last ingested (or a copy of it renamed or compressed by
   * logrotate): the lines and page views already counted then, which count nothing now.
   */
  earlier?: { lines: number; views: number };
  /** The first rejected lines (all of them are counted in stats.rejected). */
  problems: LineProblem[];
  /** Why the file failed. */
  error?: string;
  /** It failed for what it holds (corrupt, truncated, not a log pagetrack reads): no retry can help. */
  unreadable?: boolean;
  /** Why the file was skipped: it is not a web access log (an FTP log, a README). */
  skipped?: string;
  /**
   * Skipped because it holds no log records: zero bytes, or nothing but headers and blank lines (a
   * log written when there was nothing to log). Nothing to retry: the function reports it and moves on.
   */
  empty?: boolean;
  /** What the file adds to each UTC hour, of the blocks it wrote. */
  tally: Tally;
  /** How far the log is read once this file is done (store/logs.ts), for logs that grow. */
  log?: { head: string; state: LogState };
  /** Some page views do not name the host they were made to (combined logs without a vhost). */
  hostless: boolean;
}

/** Looks up what is stored of a file: whether its text is done, how far its log was read. */
export interface Lookups {
  /** Whether the ledger lists a file id as done (store/ledger.ts: doneLookup). */
  isDone: (fileId: string) => Promise<boolean>;
  /** How far the log with this head was read (store/logs.ts: logLookup). */
  logState: (head: string) => Promise<LogState | undefined>;
}

/**
 * Formats whose files are written once, whole (CDN and load balancer deliveries): a file of theirs
 * shorter than a block never needs the log lookup, which would cost a read and a write per file.
 */
const DELIVERED: ReadonlySet<FormatName> = new Set(["cloudfront", "cloudfront-json", "s3", "alb", "elb"]);

/**
 * The part of ingestion that is per file, and whose cost is the file's own:
 *
 * 1. read it whole, fingerprinting its text (ingest/content.ts) and tallying every counter per
 *    block of lines and UTC hour; a file that cannot be read writes nothing but a failed ledger item;
 * 2. skip it if the ledger says this text is done (a duplicate delivery costs half a read);
 * 3. find how far its log was read before (a log that grows: only the blocks from there on are
 *    written again);
 * 4. write its raw views (deterministic keys; a large file is read again for them, with bounded
 *    memory), then its contributions: one item per block and UTC hour with every counter, keyed by
 *    the log, the block and how much of the block it covers (store/contributions.ts).
 *
 * The counters are rolled up afterwards, once for a batch of files (driver.ts). Killed at any point,
 * a run again redoes the same writes with the same values.
 */
export async function countFile(
  store: Store,
  site: string,
  source: LogSource,
  options: IngestOptions,
  lookups: Lookups,
): Promise<FileResult> {
  const read = await (options.readFirst?.(source) ?? readFirst(source, options));
  const { scan, print } = read;
  const fileId = read.bytes > 0 ? print.id : undefined;
  const result: FileResult = {
    name: source.name,
    status: "failed",
    fileId,
    format: scan.format,
    stats: scan.stats,
    problems: scan.problems,
    tally: new Tally("hour"),
    hostless: read.hostless,
  };
  try {
    if (scan.error) {
      result.error = scan.error;
      if (scan.unreadable) result.unreadable = true;
      await recordFiles(store, site, [
        { status: "failed", fileId, name: source.name, format: scan.format, error: result.error },
      ]);
      return result;
    }
    if (scan.skipped || !fileId) {
      // Not a web log, or nothing logged yet: nothing to count, nothing to retry, nothing to record.
      const empty = scan.empty || !fileId;
      return {
        ...result,
        status: "skipped",
        skipped: scan.skipped ?? "empty file",
        ...(empty ? { empty } : {}),
      };
    }
    if (!options.force && (await lookups.isDone(fileId))) {
      // Its lines were reported when it was counted.
      return { ...result, status: "duplicate", problems: [] };
    }
    const from = await continuation(print, scan.format, options, lookups);
    if (from.older) {
      // An older copy of a log counted further: every line of it is counted.
      return { ...result, status: "duplicate", problems: [] };
    }
    await writeCounts(store, site, source, read, from, options, result);
    result.status = "counted";
  } catch (error) {
    result.error = describeError(error);
    await recordFiles(store, site, [
      { status: "failed", fileId, name: source.name, format: scan.format, error: result.error },
    ]).catch(() => {});
  } finally {
    read.spool?.remove();
  }
  return result;
}

/** What the first read of a file learns: its records tallied per block, its fingerprint, its views. */
export interface FirstRead {
  scan: Awaited<ReturnType<typeof scanSource>>;
  print: ContentPrint;
  /** Raw bytes read, and their SHA-256 (the second read checks it reads the same bytes). */
  bytes: number;
  rawHash: string;
  /** What each block of BLOCK_LINES lines adds to each UTC hour (a tally's periods: plain data). */
  blocks: Map<number, Tally["periods"]>;
  /** The counted page views of a small file, kept for its raw items; undefined for a larger one. */
  views: PageView[] | undefined;
  /** The time of the file's last page view: a backfill whose views have all expired writes none. */
  latest: number;
  hostless: boolean;
  /** The bytes of a source that cannot be read twice, for the second read. */
  spool: Spool | undefined;
}

/**
 * Reads a file once, whole: step 1 above. What it gives is plain data, so that another thread can
 * read the file (`--jobs`, jobs/worker.ts).
 */
export async function readFirst(
  source: LogSource,
  options: Pick<IngestOptions, "format" | "rule" | "audience" | "raw" | "onBytes">,
): Promise<FirstRead> {
  const spool = options.raw && !source.replayable ? new Spool() : undefined;
  const rawHash = createHash("sha256");
  const printer = new ContentPrinter();
  const blocks = new Map<number, Tally>();
  const blockOf = (line: number): Tally => {
    const block = Math.floor((line - 1) / BLOCK_LINES);
    let tally = blocks.get(block);
    if (tally === undefined) {
      tally = new Tally("hour", options.audience);
      blocks.set(block, tally);
    }
    return tally;
  };
  const read: Omit<FirstRead, "scan" | "print" | "rawHash" | "blocks"> = {
    bytes: 0,
    views: options.raw ? [] : undefined,
    latest: Number.NEGATIVE_INFINITY,
    hostless: false,
    spool,
  };
  const scan = await scanSource(
    source,
    {
      format: options.format,
      rule: options.rule,
      tap: (chunk) => {
        rawHash.update(chunk);
        read.bytes += chunk.length;
        spool?.write(chunk);
        options.onBytes?.(chunk.length);
      },
      content: (chunk) => printer.update(chunk),
      served: (time, bytes, line) => blockOf(line).addServed(time, bytes),
    },
    (view) => {
      const tally = blockOf(view.line);
      tally.add(view);
      if (view.host === undefined) read.hostless = true;
      if (view.counted && view.time > read.latest) read.latest = view.time;
      if (read.views && view.counted) {
        if (read.views.length < VIEWS_KEPT) read.views.push(view);
        else read.views = undefined;
      }
    },
  );
  return {
    ...read,
    scan,
    print: printer.finish(),
    rawHash: rawHash.digest("hex"),
    blocks: new Map([...blocks].map(([block, tally]) => [block, tally.periods])),
  };
}

/**
 * Writes a file's raw views and then its contributions from the block where its log continues
 * (step 4 above), filling in what `result` reports of them.
 */
async function writeCounts(
  store: Store,
  site: string,
  source: LogSource,
  read: FirstRead,
  from: Continuation,
  options: IngestOptions,
  result: FileResult,
): Promise<void> {
  const { print, views } = read;
  const seen = from.lines;
  const contributions: Item[] = [];
  for (const [block, periods] of read.blocks) {
    if (block < from.block) continue;
    result.tally.merge({ periods });
    const version = {
      log: from.log,
      block,
      halfLines: halfLinesOf(print, block),
      generation: options.generation ?? 0,
    };
    contributions.push(...contributionItems(site, version, periods));
  }
  if (seen > 0) result.earlier = { lines: seen, views: 0 };
  if (print.head !== undefined && from.track)
    result.log = {
      head: print.head,
      state: { lines: print.lines, check: checkAt(print, print.lines) ?? "" },
    };
  // Raw views already past their retention (a backfill of old logs) are not written: TTL would only
  // delete them. They are counted all the same.
  const now = Math.floor(Date.now() / 1000);
  if (views) {
    // Raw views first, so that a file that fails to write them has added nothing to the counts;
    // a small file's views and contributions go in one request.
    const items = views
      .filter((view) => view.line > seen && !expired(view.time, options, now))
      .map((view) => rawViewItem(site, view, from.log, expiry(view.time, options)));
    if (result.earlier) result.earlier.views = views.filter((view) => view.line <= seen).length;
    if (items.length + contributions.length <= 25) await store.batchWrite([...items, ...contributions]);
    else {
      await store.batchWrite(items);
      await store.batchWrite(contributions);
    }
    return;
  }
  if (options.raw && !expired(read.latest, options, now)) {
    options.onReread?.(read.bytes);
    const earlierViews = await writeRawViews(
      store,
      site,
      read.spool ? fileSource(read.spool.path) : source,
      { log: from.log, after: seen, now, hash: read.rawHash, bytes: read.bytes },
      options,
    );
    if (result.earlier) result.earlier.views = earlierViews;
  }
  await store.batchWrite(contributions);
}

/** Where a file's counting starts: the log it belongs to, and what of it an earlier read counted. */
interface Continuation {
  /** The log its contributions and raw views are keyed by. */
  log: string;
  /** The first block to write. */
  block: number;
  /** Lines counted before: their raw views are written already. */
  lines: number;
  /** An older copy of a log counted further. */
  older?: true;
  /** Its log's state is kept (store/logs.ts). */
  track: boolean;
}

/**
 * How a file continues the log its head names. Counts never depend on it: every block's largest
 * version is what counts, so the same lines written again change nothing. It spares writing again
 * the blocks and raw views of a log that grew, and tells apart a different log that merely starts
 * with the same first record (its text differs before the last block boundary read).
 */
async function continuation(
  print: ContentPrint,
  format: FormatName | undefined,
  options: IngestOptions,
  lookups: Lookups,
): Promise<Continuation> {
  const log = (print.head ?? print.id).slice(0, 32);
  const start: Continuation = { log, block: 0, lines: 0, track: false };
  if (print.head === undefined) return start;
  const grows = print.lines >= BLOCK_LINES || format === undefined || !DELIVERED.has(format);
  if (!grows) return start;
  if (options.force) return { ...start, track: true };
  const state = await lookups.logState(print.head);
  if (state === undefined) return { ...start, track: true };
  if (print.lines < state.lines || (print.lines === state.lines && !print.partial))
    return { ...start, older: true };
  if (checkAt(print, state.lines) !== state.check) {
    // Another log with the same first record: counted on its own, by its whole text.
    return { log: print.id.slice(0, 32), block: 0, lines: 0, track: false };
  }
  return { log, block: Math.floor(state.lines / BLOCK_LINES), lines: state.lines, track: true };
}

/** How much of a block a file covers, in half lines: a last line with no newline yet is half a line. */
function halfLinesOf(print: ContentPrint, block: number): number {
  const start = block * BLOCK_LINES;
  const complete = Math.max(0, Math.min(print.lines, start + BLOCK_LINES) - start);
  const partial = print.partial && Math.floor(print.lines / BLOCK_LINES) === block ? 1 : 0;
  return 2 * complete + partial;
}

/**
 * The second read: every view after the lines counted before as a raw item, written as it is read
 * with bounded memory. It reads the bytes the first read hashed, no more (a live log may have grown
 * since), and checks their hash. Returns the page views of the lines counted before.
 */
async function writeRawViews(
  store: Store,
  site: string,
  source: LogSource,
  {
    log,
    after,
    now,
    hash: expected,
    bytes,
  }: { log: string; after: number; now: number; hash: string; bytes: number },
  options: IngestOptions,
): Promise<number> {
  const hash = createHash("sha256");
  let pending: Item[] = [];
  let earlier = 0;
  const writing: Promise<void>[] = [];
  const flush = async () => {
    if (pending.length > 0) {
      const write = store.batchWrite(pending);
      write.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
      writing.push(write);
    }
    pending = [];
    while (writing.length > 4) await writing.shift();
  };
  const scan = await scanSource(
    source,
    {
      format: options.format,
      rule: options.rule,
      tap: (chunk) => {
        hash.update(chunk);
        options.onBytes?.(chunk.length);
      },
      afterChunk: () => (pending.length >= 500 ? flush() : undefined),
      limit: bytes,
    },
    (view) => {
      if (!view.counted) return;
      if (view.line <= after) earlier++;
      else if (!expired(view.time, options, now))
        pending.push(rawViewItem(site, view, log, expiry(view.time, options)));
    },
  );
  await flush();
  await Promise.all(writing);
  if (scan.error) throw new Error(`second read failed: ${scan.error}`);
  if (hash.digest("hex") !== expected)
    throw new Error("the file changed while it was being ingested; ingest it again");
  return earlier;
}

/** When a raw view expires (DynamoDB TTL), if raw views have a retention. */
function expiry(time: number, options: IngestOptions): number | undefined {
  return options.retentionDays ? time + options.retentionDays * 86400 : undefined;
}

/**
 * Whether a raw view of this time would already be expired when written: DynamoDB's TTL deletes
 * items whose `expiresAt` is before now, so writing one is a paid write for nothing.
 */
function expired(time: number, options: IngestOptions, now: number): boolean {
  const at = expiry(time, options);
  return at !== undefined && at <= now;
}

/** Bytes that cannot be read twice (stdin, S3 objects) are kept in a temporary file for the second read. */
class Spool {
  readonly path = join(
    tmpdir(),
    `pagetrack-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  private readonly fd = openSync(this.path, "w");

  write(chunk: Buffer): void {
    writeSync(this.fd, chunk);
  }

  remove(): void {
    try {
      closeSync(this.fd);
    } catch {}
    rmSync(this.path, { force: true });
  }
}
