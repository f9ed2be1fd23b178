import { randomBytes } from "node:crypto";
import { UserError } from "../errors.js";
import { keys, PK, SK } from "./keys.js";
import { SiteTable } from "./site-table.js";
import type { Store } from "./store.js";

/**
 * The layout of a site's items this pagetrack writes: 1 had no META item, 2 counted files by their
 * bytes and visitors in UTC days, 3 counts logs by their head in blocks and visitors in the site's days.
 */
const SCHEMA = 3;

/** What the owner sets for a site, kept in its META item so that every ingest (the Lambda's too) uses it. */
export interface SiteSettings {
  /** The IANA zone whose days visitors are counted in: fixed at the site's first ingest. */
  timeZone: string;
  /** Hosts of the site besides the one each request names: referrers from them are not entries. */
  ownHosts: string[];
}

/** What ingestion needs of a site: its settings, the key of its visitor ids, the generation to count in. */
export interface PreparedSite extends SiteSettings {
  /** 32 random bytes made once, kept in the META item and nowhere else, never logged or answered. */
  secret: Buffer;
  /** Grows with every forced recount: its contributions outrank those counted before (store/contributions.ts). */
  generation: number;
}

/** A site counted in an earlier layout, which this version cannot add to. */
export class EarlierLayoutError extends UserError {}

const META = (site: string) => ({ [PK]: keys.meta(site), [SK]: "schema" });

/**
 * Makes a site ready for ingestion and returns what ingestion needs of it. The first ingest fixes
 * the site's time zone (the one set before, else `timeZone`, else UTC) and makes its secret; own
 * hosts given are added to the site's; a forced recount takes a new generation. Checks, before a
 * site's first ingestion by this version, that its items are in this version's layout: a site
 * counted by an earlier layout cannot be extended, only counted again into a new table.
 */
export async function prepareSite(
  store: Store,
  site: string,
  given: { ownHosts?: string[]; timeZone?: string; recount?: boolean } = {},
): Promise<PreparedSite> {
  const meta = await store.get(META(site), true);
  const ownHosts = (given.ownHosts ?? []).map((h) => h.toLowerCase());
  const known = new Set(hostsOf(meta));
  const ready =
    meta?.schema === SCHEMA &&
    meta.secret instanceof Uint8Array &&
    typeof meta.timeZone === "string" &&
    meta.firstIngest !== undefined;
  if (ready && !given.recount && ownHosts.every((h) => known.has(h))) return preparedOf(meta);
  if (
    meta === undefined ? await hasPages(store, site) : meta.schema !== undefined && meta.schema !== SCHEMA
  ) {
    throw new EarlierLayoutError(
      `site "${site}" of table "${store.table}" was counted by an earlier pagetrack (table layout ${meta ? meta.schema : 1}, this one writes ${SCHEMA}), whose counters this version cannot extend: ingest your logs again into a new table (--table NAME) or under a new site (--site ID)`,
    );
  }
  // Made at most once: of two first runs at once, both get the secret and zone that were put first.
  const names: Record<string, string> = {
    "#schema": "schema",
    "#secret": "secret",
    "#tz": "timeZone",
    "#first": "firstIngest",
  };
  const values: Record<string, unknown> = {
    ":schema": SCHEMA,
    ":secret": randomBytes(32),
    ":tz": given.timeZone ?? "UTC",
    ":first": new Date().toISOString(),
  };
  const adds: string[] = [];
  if (ownHosts.length > 0) {
    names["#hosts"] = "ownHosts";
    values[":hosts"] = new Set(ownHosts);
    adds.push("#hosts :hosts");
  }
  if (given.recount) {
    names["#gen"] = "generation";
    values[":one"] = 1;
    adds.push("#gen :one");
  }
  const made = await store.update(
    META(site),
    "SET #schema = if_not_exists(#schema, :schema), #secret = if_not_exists(#secret, :secret), " +
      "#tz = if_not_exists(#tz, :tz), #first = if_not_exists(#first, :first)" +
      (adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""),
    names,
    values,
  );
  return preparedOf(made);
}

function preparedOf(meta: Record<string, unknown>): PreparedSite {
  return {
    secret: Buffer.from(meta.secret as Uint8Array),
    timeZone: meta.timeZone as string,
    ownHosts: hostsOf(meta),
    generation: typeof meta.generation === "number" ? meta.generation : 0,
  };
}

function hostsOf(meta: Record<string, unknown> | undefined): string[] {
  const hosts = meta?.ownHosts;
  return hosts instanceof Set ? [...hosts].map(String).sort() : [];
}

/** The site's settings as they stand (UTC and no own hosts for a site never set up). */
export async function readSiteSettings(
  store: Store,
  site: string,
  consistent = false,
): Promise<SiteSettings & { fixed: boolean }> {
  const meta = await store.get(META(site), consistent);
  return {
    timeZone: typeof meta?.timeZone === "string" ? meta.timeZone : "UTC",
    ownHosts: hostsOf(meta),
    fixed: meta?.firstIngest !== undefined,
  };
}

/**
 * Changes a site's settings. Own hosts can be added and removed at any time (they apply to what is
 * ingested next; `ingest --force` recounts what was). The time zone can be set until the site's
 * first ingest only: visitor days already counted cannot be cut anew.
 */
export async function changeSiteSettings(
  store: Store,
  site: string,
  change: { timeZone?: string; addHosts?: string[]; removeHosts?: string[] },
): Promise<SiteSettings> {
  if (change.timeZone !== undefined) {
    const set = await store.updateIf(
      META(site),
      "SET #tz = :tz",
      "attribute_not_exists(#first) OR #tz = :tz",
      { "#tz": "timeZone", "#first": "firstIngest" },
      { ":tz": change.timeZone },
    );
    if (!set) {
      const now = await readSiteSettings(store, site);
      throw new UserError(
        `site "${site}" counts visitors in days of ${now.timeZone} since its first ingest, and days already counted cannot be cut anew; to count in ${change.timeZone}, ingest the logs again under a new site (--site ID) or into a new table (--table NAME), set up first with: npx pagetrack site --tz ${change.timeZone}`,
      );
    }
  }
  for (const [verb, hosts] of [
    ["ADD", change.addHosts],
    ["DELETE", change.removeHosts],
  ] as const) {
    if (!hosts || hosts.length === 0) continue;
    await store.update(
      META(site),
      `${verb} #hosts :hosts`,
      { "#hosts": "ownHosts" },
      { ":hosts": new Set(hosts.map((h) => h.toLowerCase())) },
    );
  }
  const { timeZone, ownHosts } = await readSiteSettings(store, site, true);
  return { timeZone, ownHosts };
}

function hasPages(store: Store, site: string): Promise<boolean> {
  return new SiteTable(store, site).hasPages();
}

/** Records who to credit for the countries an IP-to-country database gave the site's views. */
export async function noteCountryAttribution(store: Store, site: string, attribution: string): Promise<void> {
  await store.update(
    { [PK]: keys.meta(site), [SK]: "schema" },
    "SET #a = :a",
    { "#a": "countryAttribution" },
    { ":a": attribution },
  );
}

export async function readCountryAttribution(store: Store, site: string): Promise<string | undefined> {
  const meta = await store.get({ [PK]: keys.meta(site), [SK]: "schema" }, false);
  return typeof meta?.countryAttribution === "string" ? meta.countryAttribution : undefined;
}
