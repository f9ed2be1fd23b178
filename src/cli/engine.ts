import type { Command } from "commander";
import { DEFAULT_DATA_DIR, DEFAULT_TABLE } from "./defaults.js";
import type { Io } from "./io.js";

/**
 * `pagetrack engine`: keeps the embedded engine of a data directory running and prints how to reach
 * it, so that any DynamoDB tool (the AWS CLI, NoSQL Workbench, a script) can read the table.
 */
export function registerEngine(program: Command, io: Io): void {
  program
    .command("engine")
    .description("run the embedded engine and print its DynamoDB endpoint, for the AWS CLI and other tools")
    .option("--data <dir>", "data directory of the embedded engine", DEFAULT_DATA_DIR)
    .action(async (flags: { data: string }) => {
      const { openEmbedded, waitsOf } = await import("./connect.js");
      const { engine, close } = await openEmbedded(flags.data, DEFAULT_TABLE, waitsOf(io.env));
      try {
        const endpoint = await engine.endpoint();
        io.stdout.write(
          [
            `The embedded engine of ${engine.dir} answers at ${endpoint} (table "${DEFAULT_TABLE}").`,
            "Any credentials and region do; for example:",
            "",
            "  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=local",
            `  aws dynamodb query --endpoint-url ${endpoint} --table-name ${DEFAULT_TABLE} \\`,
            `    --key-condition-expression "UserPages = :p" --expression-attribute-values '{":p":{"S":"default#INDEX"}}'`,
            "",
            engine.owner
              ? "It runs while this command does (Ctrl-C to stop)."
              : "Another pagetrack process runs it: the address changes when that process stops. Ctrl-C to stop.",
            "",
          ].join("\n"),
        );
        // The engine's thread does not keep the process alive: a timer does, until a signal.
        const alive = setInterval(() => {}, 60_000);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        clearInterval(alive);
      } finally {
        await close();
      }
    });
}
