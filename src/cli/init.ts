import type { Command } from "commander";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

export function registerInit(program: Command): void {
  addStoreOptions(
    program
      .command("init")
      .description(
        "create the table if it does not exist (on-demand, point-in-time recovery, TTL for raw views)",
      ),
  ).action(async (flags: StoreFlags) => {
    // connect() with `create` makes the table when it is absent, and says nothing when it exists.
    await withStore(
      flags,
      async ({ store, where }) => {
        process.stdout.write(`table "${store.table}" is ready at ${where}\n`);
      },
      true,
    );
  });
}
