import type { Command } from "commander";
import type { Io } from "./io.js";
import { checkPort, port } from "./port.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface ServeFlags extends StoreFlags {
  port: number;
  host: string;
}

export function registerServe(program: Command, io: Io): void {
  addStoreOptions(
    program
      .command("serve")
      .description("serve the HTTP API (and the dashboard) on this machine")
      .option("--port <n>", "port", port, 8080)
      .option("--host <host>", "address to listen on", "127.0.0.1"),
  ).action(async (flags: ServeFlags) => {
    await checkPort(flags.port, flags.host);
    // The HTTP server is loaded only to serve.
    const { serveUntilStopped, startedBy } = await import("./server.js");
    const starters = startedBy();
    await withStore(io, flags, (connection) => serveUntilStopped(io, connection, flags, starters));
  });
}
