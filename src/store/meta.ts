import { UserError } from "../errors.js";
import { keys, PK, SK } from "./keys.js";
import type { Store } from "./store.js";

/** The layout of a site's items this pagetrack writes; 1 was that of pagetrack 0.1. */
const SCHEMA = 2;

/**
 * Checks, before a site's first ingestion by this version, that its items are in this version's
 * layout, and records that they are. A site counted by pagetrack 0.1 has pages in its INDEX but no
 * schema item: its counters cannot be extended, only counted again into a new table.
 */
export async function checkSchema(store: Store, site: string): Promise<void> {
  const key = { [PK]: keys.meta(site), [SK]: "schema" };
  const meta = await store.get(key, false);
  if (meta?.schema === SCHEMA) return;
  if (meta === undefined) {
    const old = await store.queryPage({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": PK },
      ExpressionAttributeValues: { ":pk": keys.index(site) },
      Limit: 1,
    });
    if (old.items.length === 0) {
      await store.update(key, "SET #s = if_not_exists(#s, :s)", { "#s": "schema" }, { ":s": SCHEMA });
      return;
    }
  }
  throw new UserError(
    `site "${site}" of table "${store.table}" was counted by ${meta ? `a pagetrack whose layout is ${meta.schema}` : "pagetrack 0.1"}, whose counters this version cannot extend: ingest your logs again into a new table (--table NAME) or under a new site (--site ID)`,
  );
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
