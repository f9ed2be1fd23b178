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
import type { Item, Store } from "../store/store.js";
import { rawViewItem } from "../store/views.js";

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
  status: "counted" | "duplicate" | "failed";
  fileId?: string;
  format?: FormatName;
  /** What the file held. */
  stats: FileStats;
  /** The first rejected lines (all of them are counted in stats.rejected). */
  problems: LineProblem[];
  /** Why the file failed. */
  error?: string;
  /**
   * Failed only because it holds no log records: zero bytes, or nothing but headers and blank lines
   * (a log written when there was nothing to log). Nothing to retry: the function reports it and
   * moves on.
   */
  empty?: boolean;
  /** What the file adds to each UTC hour. */
  tally: Tally;
}

/**
 * The part of ingestion that is per file, and whose cost is the file's own:
 *
 * 1. read it whole (hashing its bytes: the file id), tallying every counter per UTC hour; a file
 *    that cannot be read writes nothing but a failed ledger item;
 * 2. skip it if the ledger says this content is done (a duplicate delivery costs half a read);
 * 3. write its raw views (deterministic keys; a large file is read again for them, with bounded
 *    memory), then its contributions: one
 *    item per UTC hour with every counter, keyed by the file id.
 *
 * The counters are rolled up afterwards, once for a batch of files (driver.ts). Killed at any point,
 * a run again redoes the same writes with the same values.
 */
export async function countFile(
  store: Store,
  site: string,
  source: LogSource,
  options: IngestOptions,
  /** Whether the ledger lists a file id as done (store/ledger.ts: doneLookup). */
  isDone: (fileId: string) => Promise<boolean>,
): Promise<FileResult> {
  const spool = options.raw && !source.replayable ? new Spool() : undefined;
  const hash = createHash("sha256");
  let bytes = 0;
  const tally = new Tally("hour", options.audience);
  // The views of a small file are kept from the first read; a larger one is read a second time.
  let views: PageView[] | undefined = options.raw ? [] : undefined;
  // The time of the file's last page view: a backfill whose views have all expired writes none.
  let latest = Number.NEGATIVE_INFINITY;
  const scan = await scanSource(
    source,
    {
      format: options.format,
      rule: options.rule,
      tap: (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        spool?.write(chunk);
        options.onBytes?.(chunk.length);
      },
    },
    (view) => {
      tally.add(view);
      if (view.counted && view.time > latest) latest = view.time;
      if (views && view.counted) {
        if (views.length < VIEWS_KEPT) views.push(view);
        else views = undefined;
      }
    },
  );
  const fileId = bytes > 0 ? hash.digest("hex") : undefined;
  const result: FileResult = {
    name: source.name,
    status: "failed",
    fileId,
    format: scan.format,
    stats: scan.stats,
    problems: scan.problems,
    tally,
  };
  try {
    if (scan.error || !fileId) {
      result.error = scan.error ?? "empty file";
      result.empty = isEmptyLog(scan);
      await recordFiles(store, site, [
        { status: "failed", fileId, name: source.name, format: scan.format, error: result.error },
      ]);
      return result;
    }
    if (!options.force && (await isDone(fileId))) {
      // Its lines were reported when it was counted.
      return { ...result, status: "duplicate", problems: [] };
    }
    const contributions = contributionItems(site, fileId, tally.periods);
    // Raw views already past their retention (a backfill of old logs) are not written: TTL would only
    // delete them. They are counted all the same.
    const now = Math.floor(Date.now() / 1000);
    const rawNeeded = options.raw && !expired(latest, options, now);
    if (views) {
      // Raw views first, so that a file that fails to write them has added nothing to the counts;
      // a small file's views and contributions go in one request.
      const raw = views
        .filter((view) => !expired(view.time, options, now))
        .map((view) => rawViewItem(site, view, fileId, expiry(view.time, options)));
      if (raw.length + contributions.length <= 25) await store.batchWrite([...raw, ...contributions]);
      else {
        await store.batchWrite(raw);
        await store.batchWrite(contributions);
      }
    } else {
      if (rawNeeded) {
        options.onReread?.(bytes);
        await writeRawViews(
          store,
          site,
          spool ? fileSource(spool.path) : source,
          { fileId, bytes, now },
          options,
        );
      }
      await store.batchWrite(contributions);
    }
    result.status = "counted";
  } catch (error) {
    result.error = describeError(error);
    await recordFiles(store, site, [
      { status: "failed", fileId, name: source.name, format: scan.format, error: result.error },
    ]).catch(() => {});
  } finally {
    spool?.remove();
  }
  return result;
}

/**
 * The second read: every view as a raw item, written as it is read with bounded memory. It reads the
 * bytes the first read hashed, no more (a live log may have grown since), and checks their hash.
 */
async function writeRawViews(
  store: Store,
  site: string,
  source: LogSource,
  { fileId, bytes, now }: { fileId: string; bytes: number; now: number },
  options: IngestOptions,
): Promise<void> {
  const hash = createHash("sha256");
  let pending: Item[] = [];
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
      if (view.counted && !expired(view.time, options, now))
        pending.push(rawViewItem(site, view, fileId, expiry(view.time, options)));
    },
  );
  await flush();
  await Promise.all(writing);
  if (scan.error) throw new Error(`second read failed: ${scan.error}`);
  if (hash.digest("hex") !== fileId)
    throw new Error("the file changed while it was being ingested; ingest it again");
}

/** Whether a file failed only for holding no records (pipeline.ts names these two cases so). */
function isEmptyLog(scan: { error?: string; stats: FileStats }): boolean {
  if (scan.stats.records > 0 || scan.stats.rejected > 0) return false;
  return scan.error === "empty file" || scan.error?.startsWith("no log records") === true;
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
