import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeriesCounts } from "../aggregate/series.js";
import { describeError } from "../errors.js";
import type { FormatOption } from "../formats/record.js";
import type { PageViewRule } from "../pageview/rule.js";
import { type ScanResult, scanSource } from "../pipeline.js";
import { fileSource, type LogSource } from "../readers/sources.js";
import { ledgerKey, markLedger, readLedger } from "../store/ledger.js";
import { writeCounts } from "../store/rollup.js";
import type { Item, Store } from "../store/store.js";
import { viewItem } from "../store/views.js";

export interface IngestOptions {
  format: FormatOption;
  rule: PageViewRule;
  /** Store a raw item per view (off: counters only). */
  raw: boolean;
  /** Raw view items expire this many days after the view (DynamoDB TTL). */
  retentionDays?: number;
  /** Ingest files the ledger already lists as done. */
  force?: boolean;
  /** Sees every raw byte read (progress). */
  onBytes?: (bytes: number) => void;
}

export type FileOutcome = {
  name: string;
  status: "done" | "duplicate" | "failed";
  fileId?: string;
  /** What the first read found: its stats, the first rejected lines, or why the file is unreadable. */
  scan: ScanResult;
  error?: string;
};

/**
 * Ingests one log file into the table, exactly once however often it is delivered:
 *
 * 1. read it whole (hashing its bytes: the file id), counting page views per page and hour; a file
 *    that cannot be read writes nothing but a failed ledger item;
 * 2. skip it if the ledger says this content is done (a duplicate delivery costs one read);
 * 3. mark it pending, read it again to write its raw views (deterministic keys), write its
 *    contributions and roll the counters up (see store/rollup.ts), mark it done.
 *
 * Killed at any point, a run again redoes the same writes with the same values.
 */
export async function ingestSource(
  store: Store,
  site: string,
  source: LogSource,
  options: IngestOptions,
): Promise<FileOutcome> {
  const spool = options.raw && !source.replayable ? new Spool() : undefined;
  const hash = createHash("sha256");
  let bytes = 0;
  const counts = new SeriesCounts();
  const scan = await scanSource(
    source,
    {
      format: options.format,
      rule: options.rule,
      tap: hashing(hash, options, (chunk) => {
        bytes += chunk.length;
        spool?.write(chunk);
      }),
      onBot: (record) => counts.addBot(record.time),
    },
    (page, record) => counts.add(page, record.time),
  );
  const fileId = bytes > 0 ? hash.digest("hex") : undefined;
  const outcome: FileOutcome = { name: source.name, status: "failed", fileId, scan };
  const key = ledgerKey(site, fileId, source.name);
  try {
    if (scan.error || !fileId) {
      outcome.error = scan.error ?? "empty file";
      await markLedger(store, key, "failed", {
        name: source.name,
        format: scan.format,
        error: outcome.error,
      });
      return outcome;
    }
    if (!options.force && (await readLedger(store, key))?.status === "done") {
      outcome.status = "duplicate";
      return outcome;
    }
    await markLedger(store, key, "pending", { name: source.name, format: scan.format, stats: scan.stats });
    if (options.raw) {
      await writeRawViews(store, site, spool ? fileSource(spool.path) : source, { fileId, bytes }, options);
    }
    await writeCounts(store, site, fileId, counts);
    await markLedger(store, key, "done", { name: source.name, format: scan.format, stats: scan.stats });
    outcome.status = "done";
  } catch (error) {
    outcome.error = describeError(error);
    await markLedger(store, key, "failed", {
      name: source.name,
      format: scan.format,
      error: outcome.error,
    }).catch(() => {});
  } finally {
    spool?.remove();
  }
  return outcome;
}

/**
 * The second read: every view as a raw item, written as it is read with bounded memory. It reads the
 * bytes the first read hashed, no more (a live log may have grown since), and checks their hash.
 */
async function writeRawViews(
  store: Store,
  site: string,
  source: LogSource,
  { fileId, bytes }: { fileId: string; bytes: number },
  options: IngestOptions,
): Promise<void> {
  const retention = options.retentionDays;
  const expiresAt = retention ? (view: number) => view + retention * 86400 : undefined;
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
      tap: hashing(hash, options),
      afterChunk: () => (pending.length >= 500 ? flush() : undefined),
      limit: bytes,
    },
    (page, record, line, bot) => {
      pending.push(viewItem(site, page, record, { fileId, line, bot, expiresAt: expiresAt?.(record.time) }));
    },
  );
  await flush();
  await Promise.all(writing);
  if (scan.error) throw new Error(`second read failed: ${scan.error}`);
  if (hash.digest("hex") !== fileId)
    throw new Error("the file changed while it was being ingested; ingest it again");
}

/** A tap for both reads: hashes the raw bytes and reports progress. */
function hashing(
  hash: Hash,
  options: IngestOptions,
  also?: (chunk: Buffer) => void,
): (chunk: Buffer) => void {
  return (chunk) => {
    hash.update(chunk);
    also?.(chunk);
    options.onBytes?.(chunk.length);
  };
}

/** Bytes that cannot be read twice (stdin, S3 objects) are kept in a temporary file for the second read. */
class Spool {
  readonly path = join(
    tmpdir(),
    `pagetrack-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  private readonly fd = openSync(this.path, "w");
  bytes = 0;

  write(chunk: Buffer): void {
    writeSync(this.fd, chunk);
    this.bytes += chunk.length;
  }

  remove(): void {
    try {
      closeSync(this.fd);
    } catch {}
    rmSync(this.path, { force: true });
  }
}
