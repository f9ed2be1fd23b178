import { Command, CommanderError } from "commander";
import { describeError, UserError } from "../errors.js";
import { registerDemo } from "./demo.js";
import { registerEngine } from "./engine.js";
import { registerIngest } from "./ingest.js";
import { registerInit } from "./init.js";
import { registerQueries } from "./query.js";
import { registerReport } from "./report.js";
import { registerServe } from "./serve.js";
import { registerSite } from "./site.js";

export function buildProgram(): Command {
  const program = new Command("pagetrack")
    .description("Exact, cookie-less page views from your CDN and web server access logs")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)");
  registerReport(program);
  registerInit(program);
  registerIngest(program);
  registerQueries(program);
  registerSite(program);
  registerServe(program);
  registerDemo(program);
  registerEngine(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // The AWS SDK warns on every run under Node.js 20, which pagetrack supports.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      return;
    }
    process.stderr.write(`pagetrack: ${describeError(error)}\n`);
    process.exitCode = error instanceof UserError ? error.exitCode : 1;
    if (!(error instanceof UserError) && process.env.PAGETRACK_DEBUG) console.error(error);
  }
}
