import type { Command } from "commander";
import { normaliseHost } from "../audience/referrer.js";
import { forgetSiteSettings } from "../query/site.js";
import { changeSiteSettings, readSiteSettings } from "../store/meta.js";
import type { Io } from "./io.js";
import { hostOption, zoneOption } from "./options.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface SiteFlags extends StoreFlags {
  tz?: string;
  ownHost?: string[];
  removeOwnHost?: string[];
  json?: boolean;
}

/**
 * `pagetrack site`: shows or changes the site's settings, which every ingest uses (the deployed
 * function's too): the time zone whose days visitors are counted in, and the site's own hosts.
 */
export function registerSite(program: Command, io: Io): void {
  addStoreOptions(
    program
      .command("site")
      .description("show or change the site's settings: its time zone for visitor days and its own hosts")
      .option(
        "--tz <zone>",
        "IANA time zone whose days visitors are counted in; set it before the first ingest (default UTC)",
        zoneOption,
      )
      .option(
        "--own-host <host>",
        "add a host of the site: referrers from it are not entries (repeatable)",
        hostOption,
      )
      .option("--remove-own-host <host>", "remove a host from the site's own hosts (repeatable)", hostOption)
      .option("--json", "print the settings as JSON (what GET /site answers)"),
  ).action(async (flags: SiteFlags) => {
    await withStore(
      io,
      flags,
      async ({ store, site }) => {
        const changing = flags.tz !== undefined || flags.ownHost || flags.removeOwnHost;
        if (changing) {
          // Kept as they are compared: lower case, without www. and port.
          await changeSiteSettings(store, site, {
            timeZone: flags.tz,
            addHosts: flags.ownHost?.map(normaliseHost),
            removeHosts: flags.removeOwnHost?.map(normaliseHost),
          });
          forgetSiteSettings(store);
        }
        const settings = await readSiteSettings(store, site, true);
        if (flags.json) {
          const { timeZone, ownHosts } = settings;
          io.stdout.write(`${JSON.stringify({ site, timeZone, ownHosts })}\n`);
          return;
        }
        const hosts =
          settings.ownHosts.length > 0
            ? settings.ownHosts.join(", ")
            : "none besides the one each request names";
        io.stdout.write(
          `${[
            `site "${site}"`,
            `  time zone: ${settings.timeZone} (visitor days${settings.fixed ? "; fixed since the site's first ingest" : "; can be changed until the first ingest"})`,
            `  own hosts: ${hosts}`,
            ...(flags.ownHost || flags.removeOwnHost
              ? [
                  "own hosts apply to what is ingested from now on; to recount logs ingested before: npx pagetrack ingest LOGS --force",
                ]
              : []),
          ].join("\n")}\n`,
        );
      },
      true,
    );
  });
}
