import type { Command } from "commander";
import { changeSiteSettings } from "../store/meta.js";
import type { Io } from "./io.js";
import { zoneOption } from "./options.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

export function registerInit(program: Command, io: Io): void {
  addStoreOptions(
    program
      .command("init")
      .description(
        "create the table if it does not exist (on-demand, encrypted, point-in-time recovery) and turn on TTL for raw views that have a retention",
      )
      .option(
        "--tz <zone>",
        "the site's time zone for visitor days, before its first ingest (also: pagetrack site --tz)",
        zoneOption,
      ),
  ).action(async (flags: StoreFlags & { tz?: string }) => {
    // connect() with `create` makes the table when it is absent, and says nothing when it exists.
    await withStore(
      io,
      flags,
      async ({ store, site, where }) => {
        const ttl = await store.enableTtl();
        if (flags.tz) await changeSiteSettings(store, site, { timeZone: flags.tz });
        io.stdout.write(
          `table "${store.table}" is ready at ${where}\n${
            ttl === "enabled"
              ? "TTL is on: raw views ingested with --retention-days are deleted once they expire\n"
              : "TTL: this engine cannot expire items, so raw views ingested with --retention-days stay (DynamoDB on AWS deletes them)\n"
          }${flags.tz ? `site "${site}" counts visitors in days of ${flags.tz}\n` : ""}`,
        );
      },
      true,
    );
  });
}
