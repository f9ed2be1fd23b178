import type { Command } from "commander";
import type { Connection, ConnectOptions } from "./connect.js";
import { DEFAULT_DATA_DIR, DEFAULT_TABLE } from "./defaults.js";
import type { Io } from "./io.js";
import { siteOption } from "./options.js";

export interface StoreFlags {
  site?: string;
  table?: string;
  endpoint?: string;
  data?: string;
}

/** Where the table is: shared by every command that uses it. */
export function addStoreOptions(command: Command): Command {
  return command
    .option(
      "--site <id>",
      'site id: several sites can share a table (default: $PAGETRACK_SITE if set, else "default")',
      siteOption,
    )
    .option("--table <name>", `table name (default: $TARGET_DYNAMO_TABLE if set, else "${DEFAULT_TABLE}")`)
    .option(
      "--endpoint <url>",
      'DynamoDB endpoint URL, or "aws" (default: $AWS_ENDPOINT_URL_DYNAMODB if set, else the embedded engine)',
    )
    .option("--data <dir>", `data directory of the embedded engine (default: ${DEFAULT_DATA_DIR})`);
}

/** Runs `task` with an open connection and always closes it (stopping the embedded engine if it is ours). */
export async function withStore<T>(
  io: Io,
  flags: StoreFlags,
  task: (connection: Connection) => Promise<T>,
  /** Create the table on an endpoint where it is missing (the embedded engine always does). */
  create = false,
): Promise<T> {
  const options: ConnectOptions = {
    site: flags.site,
    table: flags.table,
    endpoint: flags.endpoint,
    data: flags.data,
    env: io.env,
  };
  // Loaded when a command uses the table: the SDK and the engine are a good part of a start.
  const { connect } = await import("./connect.js");
  const connection = await connect(options, create);
  try {
    return await task(connection);
  } finally {
    await connection.close();
  }
}
