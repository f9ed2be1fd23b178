import { Tally } from "../aggregate/tally.js";
import { describeError } from "../errors.js";
import type { FormatName } from "../formats/record.js";
import { JobPool } from "../jobs/pool.js";
import { addStats, emptyStats, type FileStats, type LineProblem } from "../pipeline.js";
import type { LogSource } from "../readers/sources.js";
import { doneLookup, type LedgerEntry, recordFiles } from "../store/ledger.js";
import { advanceLog, logLookup } from "../store/logs.js";
import { noteCountryAttribution, prepareSite } from "../store/meta.js";
import { markPending, rollUpPending } from "../store/pending.js";
import type { Store } from "../store/store.js";
import { countFile, type FileResult, type IngestOptions } from "./file.js";

export type { IngestOptions } from "./file.js";

/** How one file ended. */
export interface FileOutcome {
  name: string;
  status: "done" | "duplicate" | "failed" | "skipped";
  fileId?: string;
  format?: FormatName;
  stats: FileStats;
  /** The first rejected lines of a file counted now (all of them are in stats.rejected). */
  problems: LineProblem[];
  error?: string;
  /** It failed for what it holds (corrupt, truncated, not a log pagetrack reads): no retry can help. */
  unreadable?: boolean;
  /** Why it was skipped: it is not a web access log (an FTP log, a README). */
  skipped?: string;
  /** Skipped for holding no log records (zero bytes, or headers only): nothing to retry. */
  empty?: boolean;
  /** A log that grew since it was last ingested: the lines and page views counted then (not now). */
  earlier?: { lines: number; views: number };
}

/** What a run did, file by file summed up. */
export interface IngestSummary {
  files: number;
  ingested: number;
  duplicates: number;
  failed: number;
  /** Files that are not web access logs: named, not counted, and no failure. */
  skippedFiles: number;
  /** The lines of the files ingested now (of a log that grew, `views` are its new page views only). */
  stats: FileStats;
  /** Files that continue a log ingested before: only their new lines were counted. */
  grown: number;
  /** The site's settings this run counted with. */
  site: { timeZone: string; ownHosts: string[] };
  /** Entries counted now, and their largest sources (a hint when the site's own host is among them). */
  entries: number;
  topSources: { value: string; count: number }[];
  /** Some page views counted now do not name the host they were made to. */
  hostless: boolean;
  /** UTC hours whose counters were rolled up. */
  hoursRolledUp: number;
  /** Why the counters of files counted are not all rolled up (the next rollup finishes them). */
  rollupError?: string;
}

export interface BatchOptions {
  /** The site's time zone for visitor days, if its first ingest is now (else the site keeps its own). */
  timeZone?: string;
  /** Files counted before their counters are rolled up together (default 1,000). */
  batchFiles?: number;
  /** ... or seconds since the batch's first file, whichever comes first (default 60). */
  batchSeconds?: number;
  /** Files read at once (default 4, or twice the jobs). */
  concurrency?: number;
  /** Threads that read local files side by side (jobs/pool.ts); without it, `defaultJobs` for enough bytes. */
  jobs?: number;
  /** Threads when `jobs` is not given and the files are many bytes (default 1: this one reads them). */
  defaultJobs?: number;
  /**
   * Roll the counters up after each batch and at the end (default). Off, the hours are left pending
   * for a rollup that runs on its own (the deployed function's schedule).
   */
  rollUp?: boolean;
}

/**
 * Ingests log files into the table, exactly once however often each is delivered: the one driver of
 * `pagetrack ingest`, `pagetrack demo` and the ingest Lambda function.
 *
 * Each file is counted on its own (file.ts: contributions per UTC hour). When a batch of files is
 * counted, its hours are marked pending and its files done; the pending hours are then rolled up
 * together, once (store/pending.ts, store/rollup.ts). So what a file costs does not grow with the
 * files already ingested: a rollup reads each pending hour once, and writes each day, month, year
 * and total once. Outcomes are handed to `onFile` as files end and are not kept: memory does not
 * grow with the number of files.
 */
export async function ingest(
  store: Store,
  site: string,
  sources: Iterable<LogSource> | AsyncIterable<LogSource>,
  options: IngestOptions & BatchOptions,
  onFile: (outcome: FileOutcome) => void = () => {},
): Promise<IngestSummary> {
  const prepared = await prepareSite(store, site, {
    ownHosts: options.audience.ownHosts,
    timeZone: options.timeZone,
    recount: options.force,
  });
  // Visitor ids are keyed by the site's secret, their days are the site's (audience/audience.ts).
  options = {
    ...options,
    audience: options.audience.forSite(prepared),
    generation: prepared.generation,
  };
  const attribution = options.audience.countryAttribution;
  if (attribution) await noteCountryAttribution(store, site, attribution);
  const summary: IngestSummary = {
    files: 0,
    ingested: 0,
    duplicates: 0,
    failed: 0,
    skippedFiles: 0,
    stats: emptyStats(),
    grown: 0,
    site: { timeZone: prepared.timeZone, ownHosts: prepared.ownHosts },
    entries: 0,
    topSources: [],
    hostless: false,
    hoursRolledUp: 0,
  };
  const rollUp = options.rollUp ?? true;
  // Rollups of batches may overlap one another and the counting of later files; they are safe so.
  const rollUpNow = async () => {
    try {
      summary.hoursRolledUp += (await rollUpPending(store, site)).hours;
    } catch (error) {
      summary.rollupError = describeError(error);
    }
  };
  const end = (outcome: FileOutcome) => {
    summary.files++;
    if (outcome.status === "done") {
      summary.ingested++;
      addStats(summary.stats, outcome.stats);
      if (outcome.earlier) {
        summary.grown++;
        summary.stats.views -= outcome.earlier.views;
      }
    } else if (outcome.status === "duplicate") summary.duplicates++;
    else if (outcome.status === "skipped") summary.skippedFiles++;
    else summary.failed++;
    onFile(outcome);
  };
  const entrySources = new Map<string, number>();
  const lookups = { isDone: doneLookup(store, site), logState: logLookup(store, site) };
  const batchFiles = options.batchFiles ?? 1000;
  const batchMs = (options.batchSeconds ?? 60) * 1000;
  let batch = new Batch();
  const finishing: Promise<void>[] = [];
  const finish = () => {
    const full = batch;
    batch = new Batch();
    if (full.files.length === 0) return;
    finishing.push(
      full.finish(store, site).then(async (outcomes) => {
        outcomes.forEach(end);
        if (rollUp) await rollUpNow();
      }),
    );
  };

  const pool = Array.isArray(sources)
    ? JobPool.start(
        "ingest",
        {
          format: options.format,
          rule: options.rule.options,
          audience: options.audience.settings,
          raw: options.raw,
        },
        options.jobs,
        sources,
        options.defaultJobs ?? 1,
      )
    : undefined;
  if (pool) {
    const onBytes = options.onBytes;
    options.readFirst = (source) => (pool.takes(source) ? pool.read<"ingest">(source, onBytes) : undefined);
  }
  // Two files a thread: what a file holds between its reading and its writing is what memory grows by.
  const atOnce = options.concurrency ?? Math.max(4, 2 * (pool?.size ?? 0));
  try {
    await eachAtOnce(atOnce, sources, async (source) => {
      const result = await countFile(store, site, source, options, lookups);
      options.onFileRead?.(result.name);
      if (result.status !== "counted") return end(outcomeOf(result, result.status));
      if (result.hostless) summary.hostless = true;
      for (const [key, n] of result.tally.totals("source"))
        entrySources.set(key, (entrySources.get(key) ?? 0) + n);
      batch.add(result);
      if (batch.files.length >= batchFiles || Date.now() - batch.started >= batchMs) finish();
    });
  } finally {
    await pool?.close();
  }
  finish();
  await Promise.all(finishing);
  for (const n of entrySources.values()) summary.entries += n;
  summary.topSources = [...entrySources]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_SOURCES)
    .map(([value, count]) => ({ value, count }));
  // Hours left pending by a run that was killed, or by another process, are finished too.
  if (rollUp && summary.ingested === 0) await rollUpNow();
  return summary;
}

/** Sources a run's summary names. */
const TOP_SOURCES = 10;

/** Files counted, not yet marked done. */
class Batch {
  /** When its first file was counted. */
  started = 0;
  readonly files: Counted[] = [];
  /** What the batch's files add to each UTC hour (their keys: the readers are described already). */
  private readonly added = new Tally("hour");

  add({ tally, ...file }: FileResult): void {
    if (this.files.length === 0) this.started = Date.now();
    this.files.push(file);
    this.added.merge(tally);
  }

  /** Marks the batch's hours pending, then its files done; if the marking fails, they fail with it. */
  async finish(store: Store, site: string): Promise<FileOutcome[]> {
    try {
      await markPending(store, site, this.added.periods);
    } catch (error) {
      const reason = describeError(error);
      await recordFiles(
        store,
        site,
        this.files.map((f) => ledgerEntry(f, "failed", reason)),
      ).catch(() => {});
      return this.files.map((f) => outcomeOf(f, "failed", reason));
    }
    try {
      await recordFiles(
        store,
        site,
        this.files.map((f) => ledgerEntry(f, "done")),
      );
    } catch (error) {
      // Counted all the same: only the ledger items, which make a later delivery cheap, are missing.
      const reason = `counted, but not recorded as done: ${describeError(error)}`;
      return this.files.map((f) => outcomeOf(f, "failed", reason));
    }
    // How far each log that grows is read: the next read of it starts there. Only an optimisation
    // (counts never depend on it), so a failure here costs the next read a little more.
    await Promise.all(
      this.files.map((f) =>
        f.log ? advanceLog(store, site, f.log.head, { ...f.log.state, name: f.name }) : undefined,
      ),
    ).catch(() => {});
    return this.files.map((f) => outcomeOf(f, "done"));
  }
}

type Counted = Omit<FileResult, "tally">;

function ledgerEntry(file: Counted, status: "done" | "failed", error?: string): LedgerEntry {
  const { fileId, name, format, stats } = file;
  return { status, fileId, name, format, stats: { ...stats }, error };
}

function outcomeOf(file: Counted, status: FileOutcome["status"], error = file.error): FileOutcome {
  const { name, fileId, format, stats, problems, empty, earlier, skipped, unreadable } = file;
  return {
    name,
    status,
    fileId,
    format,
    stats,
    problems,
    error,
    ...(empty ? { empty } : {}),
    ...(earlier ? { earlier } : {}),
    ...(skipped ? { skipped } : {}),
    ...(unreadable && status === "failed" ? { unreadable } : {}),
  };
}

/** Runs `work` on every item, `n` at a time, taking items from the iterable only as workers free up. */
async function eachAtOnce<T>(
  n: number,
  items: Iterable<T> | AsyncIterable<T>,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  const worker = async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: n }, worker));
}
