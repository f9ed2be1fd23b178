import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../errors.js";
import { fileSource } from "../readers/sources.js";
import type { Report, Task } from "./pool.js";
import { type LinesTask, type Setup, type TaskKind, threadFor } from "./tasks.js";

/**
 * A thread of a JobPool (pool.ts): reads the files of each batch it is given, one at a time, and
 * answers the batch in one message; parses the blocks of lines it is given (report's large files,
 * lines.ts) and, asked, says what a file's blocks added up to; asked to finish, it posts what it kept. The bytes it reads are
 * told as it reads them, a few times a second at most (progress).
 */
const { kind, setup } = workerData as { kind: TaskKind; setup: Setup };
const port = parentPort as NonNullable<typeof parentPort>;
const thread = threadFor(kind, setup);
let unsent = 0;
let told = 0;
let last = Promise.resolve();

interface Message {
  tasks?: Task[];
  lines?: LinesTask;
  linesRead?: number;
  finish?: true;
}

port.on("message", (message: Message) => {
  last = last.then(() => {
    if (message.tasks) return read(message.tasks);
    if (message.lines) return lines(message.lines);
    if (message.linesRead !== undefined) return linesRead(message.linesRead);
    return finish();
  });
  // A fault of pagetrack's (reading a file fails in its answer): it ends the thread, and the pool fails.
  last = last.catch((error) => {
    setImmediate(() => {
      throw error;
    });
  });
});

async function lines(task: LinesTask): Promise<void> {
  (await thread).lines(task);
  port.postMessage({ took: task.file } satisfies Report);
}

async function linesRead(file: number): Promise<void> {
  port.postMessage({ linesRead: { file, read: (await thread).linesRead(file) } } satisfies Report);
}

async function read(tasks: Task[]): Promise<void> {
  const answers: Report["answers"] = [];
  for (const { id, path, size } of tasks) {
    const onBytes = (bytes: number) => {
      unsent += bytes;
      if (Date.now() - told < 200) return;
      port.postMessage({ bytes: { id, bytes: unsent } } satisfies Report);
      unsent = 0;
      told = Date.now();
    };
    try {
      answers.push({ id, answer: await (await thread).read(fileSource(path, size), onBytes) });
    } catch (error) {
      answers.push({ id, error: describeError(error) });
    }
  }
  const id = tasks[tasks.length - 1].id;
  port.postMessage({ answers, bytes: { id, bytes: unsent } } satisfies Report);
  unsent = 0;
}

async function finish(): Promise<void> {
  port.postMessage({ kept: (await thread).finish() } satisfies Report);
}
