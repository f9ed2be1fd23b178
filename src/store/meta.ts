import { randomBytes } from "node:crypto";
import { UserError } from "../errors.js";
import { keys, PK, SK } from "./keys.js";
import type { Store } from "./store.js";

/** The layout of a site's items this pagetrack writes; 1 was that of pagetrack 0.1. */
const SCHEMA = 2;

/**
 * Makes a site ready for ingestion and returns its secret, the key of its visitor ids: 32 random
 * bytes made once, kept in the site's META item and nowhere else, never logged or answered.
 * Checks, before a site's first ingestion by this version, that its items are in this version's
 * layout: a site counted by pagetrack 0.1 has pages in its INDEX but no META item, and its counters
 * cannot be extended, only counted again into a new table.
 */
export async function prepareSite(store: Store, site: string): Promise<{ secret: Buffer }> {
  const key = { [PK]: keys.meta(site), [SK]: "schema" };
  const meta = await store.get(key, true);
  if (meta?.schema === SCHEMA && meta.secret instanceof Uint8Array)
    return { secret: Buffer.from(meta.secret) };
  if (meta === undefined ? await hasPages(store, site) : meta.schema !== SCHEMA) {
    throw new UserError(
      `site "${site}" of table "${store.table}" was counted by ${meta ? `a pagetrack whose layout is ${meta.schema}` : "pagetrack 0.1"}, whose counters this version cannot extend: ingest your logs again into a new table (--table NAME) or under a new site (--site ID)`,
    );
  }
  // Made at most once: of two first runs at once, both get the secret that was put first.
  const made = await store.update(
    key,
    "SET #schema = if_not_exists(#schema, :schema), #secret = if_not_exists(#secret, :secret)",
    { "#schema": "schema", "#secret": "secret" },
    { ":schema": SCHEMA, ":secret": randomBytes(32) },
  );
  return { secret: Buffer.from(made.secret as Uint8Array) };
}

async function hasPages(store: Store, site: string): Promise<boolean> {
  const page = await store.queryPage({
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": PK },
    ExpressionAttributeValues: { ":pk": keys.index(site) },
    Limit: 1,
  });
  return page.items.length > 0;
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
