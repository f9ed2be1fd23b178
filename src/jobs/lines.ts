import type { Worker } from "node:worker_threads";
import type { Tally } from "../aggregate/tally.js";
import { addStats, emptyStats, type LineHelpers, type ParserState } from "../pipeline.js";
import type { LinesRead, LinesTask } from "./tasks.js";

/** Blocks a thread may have under way: one being parsed, one waiting, so that it never idles. */
const AHEAD = 2;

/**
 * The threads of a report's JobPool parsing blocks of one large file's lines while the main thread
 * reads (decompresses, splits) it and parses the blocks no thread is free for. Each thread keeps what
 * the blocks it parsed add to the file, and hands it over when the file is read: the file's stats and
 * first rejected lines, and the tally its caller discards if the file fails. Whoever parses a block,
 * the file's counts are the same.
 */
export class SharedLines implements LineHelpers {
  private readonly given = new Map<Worker, number>();
  private readonly answers = new Map<
    Worker,
    { resolve: (read: LinesRead) => void; reject: (e: Error) => void }
  >();
  private settled: Promise<LinesRead[]> | undefined;
  /** Blocks the threads took. */
  blocks = 0;

  constructor(
    readonly file: number,
    private readonly workers: Worker[],
  ) {}

  take(block: Buffer, firstLine: number, parser: ParserState): boolean {
    if (this.settled) return false;
    let worker: Worker | undefined;
    let least = AHEAD;
    for (const w of this.workers) {
      const given = this.given.get(w) ?? 0;
      if (given < least) [worker, least] = [w, given];
    }
    if (worker === undefined) return false;
    this.given.set(worker, least + 1);
    this.blocks++;
    // A copy of its own, handed over rather than copied again.
    const bytes = new Uint8Array(block);
    const task: LinesTask = { file: this.file, bytes, firstLine, parser };
    worker.postMessage({ lines: task }, [bytes.buffer]);
    return true;
  }

  /** A thread has parsed one more block. */
  took(worker: Worker): void {
    this.given.set(worker, (this.given.get(worker) ?? 1) - 1);
  }

  /** A thread's answer to linesRead. */
  answered(worker: Worker, read: LinesRead): void {
    this.answers.get(worker)?.resolve(read);
  }

  /** A thread died: the file cannot be counted. */
  fail(error: Error): void {
    for (const { reject } of this.answers.values()) reject(error);
  }

  async settle(): Promise<Pick<LinesRead, "stats" | "problems">> {
    const reads = await this.reads();
    const stats = emptyStats();
    for (const read of reads) addStats(stats, read.stats);
    return { stats, problems: reads.flatMap((read) => read.problems) };
  }

  /** What the blocks added to the file's tally, and whether a page view of them named no host. */
  async counts(): Promise<{ periods: Tally["periods"][]; hostless: boolean }> {
    const reads = await this.reads();
    return { periods: reads.map((read) => read.periods), hostless: reads.some((read) => read.hostless) };
  }

  /** Each thread given blocks answers once it has parsed them all (a thread reads its messages in order). */
  private reads(): Promise<LinesRead[]> {
    this.settled ??= Promise.all(
      [...this.given.keys()].map(
        (worker) =>
          new Promise<LinesRead>((resolve, reject) => {
            this.answers.set(worker, { resolve, reject });
            worker.postMessage({ linesRead: this.file });
          }),
      ),
    );
    return this.settled;
  }
}
