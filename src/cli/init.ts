import type { Command } from "commander";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

export function registerInit(program: Command): void {
  addStoreOptions(
    program
      .command("init")
      .description(
        "create the table if it does not exist (on-demand, encrypted, point-in-time recovery) and turn on TTL for raw views that have a retention",
      ),
  ).action(async (flags: StoreFlags) => {
    // connect() with `create` makes the table when it is absent, and says nothing when it exists.
    await withStore(
      flags,
      async ({ store, where }) => {
        const ttl = await store.enableTtl();
        process.stdout.write(
          `table "${store.table}" is ready at ${where}\n${
            ttl === "enabled"
              ? "TTL is on: raw views ingested with --retention-days are deleted once they expire\n"
              : "TTL: this engine cannot expire items, so raw views ingested with --retention-days stay (DynamoDB on AWS deletes them)\n"
          }`,
        );
      },
      true,
    );
  });
}
