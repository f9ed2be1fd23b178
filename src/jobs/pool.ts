import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { LogSource } from "../readers/sources.js";
import { THREAD_LIMITS } from "../threads.js";
import { SharedLines } from "./lines.js";
import type { LinesRead, Setup, TaskAnswer, TaskKind } from "./tasks.js";

/** Files read at once when `--jobs` is not given: one per core. */
export const DEFAULT_JOBS = availableParallelism();

/** The worker's module: beside this one in dist/; run from src/ (the tests), the one built from it. */
function workerModule(): URL {
  const beside = new URL("./worker.js", import.meta.url);
  return existsSync(beside) ? beside : new URL("../../dist/jobs/worker.js", import.meta.url);
}

/**
 * Files sent to a thread in one message, and answered in one. A message between threads costs a
 * wake-up of the thread it goes to (up to a few hundred microseconds on a virtual machine): more than
 * reading a small file.
 */
const BATCH = 16;

/**
 * Unless `--jobs` says otherwise, local files of fewer bytes than this are read by the main thread
 * alone: each thread starts, compiles and warms its caches anew, which small inputs do not repay (a
 * week of 2,688 small files, 14 MB, took 2.2 s with one thread and 3.1 s with two on two cores).
 */
export const MIN_BYTES = 32 * 1024 * 1024;

/**
 * report: a local file of this many bytes or more is read by the main thread, the threads parsing
 * blocks of its lines beside it (SharedLines): one file is then read by every core.
 */
export const LARGE_FILE = 8 * 1024 * 1024;

/** A file for a thread to read. */
export interface Task {
  id: number;
  path: string;
  size?: number;
}

/** What a thread says: answers of the files it read, and bytes read since it last said. */
export interface Report {
  answers?: { id: number; answer?: unknown; error?: string }[];
  bytes?: { id: number; bytes: number };
  /** What it kept, when asked to finish. */
  kept?: unknown;
  /** report: a block of the lines of this file is parsed. */
  took?: number;
  /** report: what the blocks of a file added up to. */
  linesRead?: { file: number; read: LinesRead };
}

interface Waiting {
  resolve: (answer: unknown) => void;
  reject: (error: Error) => void;
  onBytes?: (bytes: number) => void;
  worker?: Worker;
}

/**
 * Worker threads that read local log files side by side (`--jobs N`): each reads a file whole, as
 * the main thread would (jobs/tasks.ts), and hands back what it learnt. Which thread reads a file
 * changes nothing in what is counted: the caller takes the answers in the files' order.
 */
export class JobPool {
  private readonly workers: Worker[] = [];
  /** Files given to each thread and not answered yet. */
  private readonly given = new Map<Worker, number>();
  private readonly queue: Task[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private readonly finishing = new Map<Worker, (kept: unknown) => void>();
  private readonly sharing = new Map<number, SharedLines>();
  private next = 0;
  private failure: Error | undefined;
  private dispatching = false;

  private constructor(
    readonly kind: TaskKind,
    setup: Setup,
    jobs: number,
    /** report: the files the main thread reads, the threads parsing blocks of their lines. */
    private readonly shared = new Set<string>(),
  ) {
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(workerModule(), {
        workerData: { kind, setup },
        resourceLimits: THREAD_LIMITS,
      });
      worker.on("message", (report: Report) => this.told(worker, report));
      // A thread that dies is a fault of pagetrack's: what was given to any thread fails with it.
      worker.on("error", (error) => this.fail(error));
      this.workers.push(worker);
      this.given.set(worker, 0);
    }
  }

  /**
   * Threads for `jobs` files at once, or undefined when the main thread reads them. Without `jobs`,
   * `defaultJobs` when the local files add up to MIN_BYTES or more, else one.
   */
  static start(
    kind: TaskKind,
    setup: Setup,
    jobs: number | undefined,
    sources: LogSource[],
    defaultJobs = DEFAULT_JOBS,
  ): JobPool | undefined {
    const files = sources.filter(isLocalFile);
    const bytes = files.reduce((sum, file) => sum + (file.size ?? 0), 0);
    const wanted = jobs ?? (bytes >= MIN_BYTES ? defaultJobs : 1);
    // report: a large file, or every file when there are fewer than jobs, is read by the main
    // thread, which parses its lines with the threads (jobs - 1 of them: the main thread is one).
    const shared = files.filter((file) => kind === "report" && (isLarge(file) || wanted > files.length));
    if (wanted > 1 && shared.length > 0)
      return new JobPool(kind, setup, wanted - 1, new Set(shared.map((file) => file.name)));
    const threads = Math.min(wanted, files.length);
    return threads > 1 ? new JobPool(kind, setup, threads) : undefined;
  }

  /** Threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Files to have under way for no thread to wait for its next ones. */
  get depth(): number {
    return this.workers.length * BATCH * 2;
  }

  /**
   * Whether a thread can read this source: a local file (stdin and S3 objects are read here), but
   * not one whose lines the threads share (sharedLines).
   */
  takes(source: LogSource): boolean {
    return isLocalFile(source) && !this.shared.has(source.name);
  }

  /** report: the threads, to parse the lines of a shared file read by the main thread. */
  sharedLines(source: LogSource): SharedLines | undefined {
    if (!this.shared.has(source.name)) return undefined;
    const lines = new SharedLines(this.next++, this.workers);
    this.sharing.set(lines.file, lines);
    return lines;
  }

  /** Reads one file in a thread; `onBytes` is told of the bytes it reads as it reads them. */
  read<K extends TaskKind>(source: LogSource, onBytes?: (bytes: number) => void): Promise<TaskAnswer<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (a: unknown) => void, reject, onBytes });
      this.queue.push({ id, path: source.name, size: source.size });
      // The files asked for in this turn go out together.
      if (!this.dispatching) {
        this.dispatching = true;
        setImmediate(() => {
          this.dispatching = false;
          this.dispatch();
        });
      }
    });
  }

  /** What each thread kept (report: the periods of the files it counted), once all it was given is read. */
  finish(): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise((resolve) => {
            this.finishing.set(worker, resolve);
            worker.postMessage({ finish: true });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private told(worker: Worker, report: Report): void {
    if (report.bytes) this.waiting.get(report.bytes.id)?.onBytes?.(report.bytes.bytes);
    if (report.took !== undefined) this.sharing.get(report.took)?.took(worker);
    if (report.linesRead) {
      const { file, read } = report.linesRead;
      this.sharing.get(file)?.answered(worker, read);
      return;
    }
    if ("kept" in report) {
      this.finishing.get(worker)?.(report.kept);
      return;
    }
    for (const { id, answer, error } of report.answers ?? []) {
      const task = this.waiting.get(id);
      if (!task) continue;
      this.waiting.delete(id);
      this.given.set(worker, (this.given.get(worker) as number) - 1);
      if (error !== undefined) task.reject(new Error(error));
      else task.resolve(answer);
    }
    this.dispatch();
  }

  /** Gives the next files to the threads with the fewest, a share of them each, BATCH at most. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const [worker, given] = [...this.given].reduce((a, b) => (b[1] < a[1] ? b : a));
      if (given >= 2 * BATCH) return;
      const share = Math.ceil(this.queue.length / this.workers.length);
      const tasks = this.queue.splice(0, Math.min(BATCH, share, 2 * BATCH - given));
      this.given.set(worker, given + tasks.length);
      worker.postMessage({ tasks });
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const task of this.waiting.values()) task.reject(error);
    this.waiting.clear();
    for (const lines of this.sharing.values()) lines.fail(error);
  }
}

function isLarge(source: LogSource): boolean {
  return isLocalFile(source) && (source.size ?? 0) >= LARGE_FILE;
}

function isLocalFile(source: LogSource): boolean {
  return source.replayable === true && !source.name.startsWith("s3://");
}

/**
 * Runs `start` over the items with up to `ahead` of them under way, and yields each answer in the
 * items' order: work side by side, results as if one after the other.
 */
export async function* inOrder<T, R>(
  items: T[],
  ahead: number,
  start: (item: T) => Promise<R>,
): AsyncGenerator<[T, R]> {
  const started: (Promise<R> | undefined)[] = [];
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    while (next < items.length && next < i + Math.max(1, ahead)) {
      const answer = start(items[next++]);
      // Awaited in turn below; marked handled so that a later one failing first is not "unhandled".
      answer.catch(() => {});
      started.push(answer);
    }
    const answer = await (started[i] as Promise<R>);
    started[i] = undefined;
    yield [items[i], answer];
  }
}
