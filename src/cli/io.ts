import type { Readable } from "node:stream";

/** Where a run writes: a stream, a terminal (`isTTY`, `columns` for progress bars) or a test's buffer. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * What one run of the command reads and writes: the process's own streams and environment, or, when
 * a test runs the command in its own process, buffers and an environment of the test's.
 */
export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

/** One run: its streams, and the exit code its command sets. */
export interface Run extends Io {
  exitCode: number;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
