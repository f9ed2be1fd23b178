import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../errors.js";
import { fileSource } from "../readers/sources.js";
import { type Setup, type TaskKind, threadFor } from "./tasks.js";

/**
 * A thread of a JobPool (pool.ts): reads the local files it is given, one at a time, and posts back
 * what it learnt of each; asked to finish, it posts what it kept. The bytes it reads are posted as
 * it reads them, a few times a second at most (progress), and with each answer.
 */
const { kind, setup } = workerData as { kind: TaskKind; setup: Setup };
const port = parentPort as NonNullable<typeof parentPort>;
const thread = threadFor(kind, setup);
/** Bytes read and not yet told, and when they were last told. */
let unsent = 0;
let told = 0;
let last = Promise.resolve();

port.on("message", (task: { id: number; path?: string; size?: number }) => {
  last = last.then(() => run(task));
});

async function run({ id, path, size }: { id: number; path?: string; size?: number }): Promise<void> {
  try {
    const onBytes = (bytes: number) => {
      unsent += bytes;
      if (Date.now() - told < 200) return;
      port.postMessage({ id, bytes: unsent });
      unsent = 0;
      told = Date.now();
    };
    const answer =
      path === undefined
        ? (await thread).finish()
        : await (await thread).read(fileSource(path, size), onBytes);
    port.postMessage({ id, answer, bytes: unsent });
    unsent = 0;
  } catch (error) {
    port.postMessage({ id, error: describeError(error) });
  }
}
