import { inspect } from "node:util";
import { Command, CommanderError } from "commander";
import { describeError, UserError } from "../errors.js";
import { registerDemo } from "./demo.js";
import { registerEngine } from "./engine.js";
import { registerIngest } from "./ingest.js";
import { registerInit } from "./init.js";
import { type Io, processIo, type Run } from "./io.js";
import { registerQueries } from "./query.js";
import { registerReport } from "./report.js";
import { registerServe } from "./serve.js";
import { registerSite } from "./site.js";

/** The command, built anew for each run: commander keeps the options it parsed on its objects. */
export function buildProgram(run: Run): Command {
  const program = new Command("pagetrack")
    .description("Exact, cookie-less page views from your CDN and web server access logs")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    // Before the commands are added, which inherit both: a usage error throws (main() turns it into
    // the exit code) rather than exiting the process, and help and errors go to the run's streams.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => run.stdout.write(text),
      writeErr: (text) => run.stderr.write(text),
      getOutHelpWidth: () => run.stdout.columns ?? 80,
      getErrHelpWidth: () => run.stderr.columns ?? 80,
    });
  registerReport(program, run);
  registerInit(program, run);
  registerIngest(program, run);
  registerQueries(program, run);
  registerSite(program, run);
  registerServe(program, run);
  registerDemo(program, run);
  registerEngine(program, run);
  return program;
}

/**
 * Runs the command on `argv` (as process.argv: node, the script, then the arguments) and returns its
 * exit code. `io` defaults to the process's own streams and environment; tests give their own.
 */
export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const run: Run = { ...processIo(), ...io, exitCode: 0 };
  // The AWS SDK warns on every run under Node.js 20, which pagetrack supports.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const program = buildProgram(run);
  try {
    await program.parseAsync(argv);
    return run.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    run.stderr.write(`pagetrack: ${describeError(error)}\n`);
    if (!(error instanceof UserError) && run.env.PAGETRACK_DEBUG) run.stderr.write(`${inspect(error)}\n`);
    return error instanceof UserError ? error.exitCode : 1;
  }
}
