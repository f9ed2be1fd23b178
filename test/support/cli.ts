import { spawn } from "node:child_process";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "../../src/cli/main.js";
import { ROOT } from "./paths.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: Buffer | string;
  /** A working directory of the run's own: the command then runs as a process started there. */
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the `pagetrack` command in this process, as `main()` with its output captured: what a user
 * would see, without the second or so each Node process costs to start. Runs with a `cwd` of their
 * own are processes (`spawnCli`).
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (options.cwd !== undefined) return spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  const code = await main([process.execPath, "pagetrack", ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}

/**
 * Runs the built `bin/pagetrack.js` as a process of its own: for what only a process shows (bin/
 * itself, signals, kills, the process's time zone, a terminal) and for several at once on one data
 * directory, each holding or using the engine as separate processes do.
 */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/pagetrack.js"), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input);
  });
}
