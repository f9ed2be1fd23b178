import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { LogSource } from "../readers/sources.js";
import { THREAD_LIMITS } from "../threads.js";
import type { Setup, TaskAnswer, TaskKind } from "./tasks.js";

/** Files read at once when `--jobs` is not given: one per core. */
export const DEFAULT_JOBS = availableParallelism();

/** The worker's module: beside this one in dist/; run from src/ (the tests), the one built from it. */
function workerModule(): URL {
  const beside = new URL("./worker.js", import.meta.url);
  return existsSync(beside) ? beside : new URL("../../dist/jobs/worker.js", import.meta.url);
}

/** Files given to a thread ahead of its answers (it reads them one at a time). */
const GIVEN = 4;

interface Waiting {
  resolve: (answer: unknown) => void;
  reject: (error: Error) => void;
  onBytes?: (bytes: number) => void;
}

/**
 * Worker threads that read local log files side by side (`--jobs N`): each reads a file whole, as
 * the main thread would (jobs/tasks.ts), and hands back what it counted. Which thread reads a file
 * changes nothing in what is counted: the caller merges the answers in the files' order.
 */
export class JobPool {
  private readonly workers: Worker[] = [];
  /** Tasks given to each thread and not answered yet: a few, so that none waits for the next. */
  private readonly given = new Map<Worker, number>();
  private readonly queue: { id: number; path: string; size?: number }[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;
  private failure: Error | undefined;

  private constructor(
    readonly kind: TaskKind,
    setup: Setup,
    jobs: number,
  ) {
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(workerModule(), {
        workerData: { kind, setup },
        resourceLimits: THREAD_LIMITS,
      });
      worker.on("message", (message: { id: number; bytes?: number; answer?: unknown; error?: string }) => {
        const task = this.waiting.get(message.id);
        if (!task) return;
        if (message.bytes) task.onBytes?.(message.bytes);
        if (!("answer" in message || "error" in message)) return;
        this.waiting.delete(message.id);
        if (message.error !== undefined) task.reject(new Error(message.error));
        else task.resolve(message.answer);
        this.release(worker);
      });
      // A thread that dies is a fault of pagetrack's: what was given to any thread fails with it.
      worker.on("error", (error) => this.fail(error));
      this.workers.push(worker);
      this.given.set(worker, 0);
    }
  }

  /** Threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Files to have under way for no thread to wait for its next one. */
  get depth(): number {
    return this.workers.length * GIVEN * 2;
  }

  /** Threads for `jobs` files at once, or undefined when one (the main thread) reads them. */
  static start(kind: TaskKind, setup: Setup, jobs: number, sources: LogSource[]): JobPool | undefined {
    const files = sources.filter(isLocalFile).length;
    return jobs > 1 && files > 1 ? new JobPool(kind, setup, Math.min(jobs, files)) : undefined;
  }

  /** Whether a thread can read this source: a local file (stdin and S3 objects are read here). */
  takes(source: LogSource): boolean {
    return isLocalFile(source);
  }

  /** Reads one file in a thread; `onBytes` is told of the bytes it reads as it reads them. */
  read<K extends TaskKind>(source: LogSource, onBytes?: (bytes: number) => void): Promise<TaskAnswer<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (a: unknown) => void, reject, onBytes });
      this.queue.push({ id, path: source.name, size: source.size });
      this.dispatch();
    });
  }

  /** What each thread kept (report: the periods of the files it counted), once all it was given is read. */
  finish(): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise((resolve, reject) => {
            const id = this.next++;
            this.waiting.set(id, { resolve, reject });
            this.given.set(worker, (this.given.get(worker) as number) + 1);
            worker.postMessage({ id });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private release(worker: Worker): void {
    this.given.set(worker, (this.given.get(worker) as number) - 1);
    this.dispatch();
  }

  /** Gives the next files to the threads with the fewest. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const [worker, given] = [...this.given].reduce((a, b) => (b[1] < a[1] ? b : a));
      if (given >= GIVEN) return;
      this.given.set(worker, given + 1);
      worker.postMessage(this.queue.shift());
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const task of this.waiting.values()) task.reject(error);
    this.waiting.clear();
  }
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
