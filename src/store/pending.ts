import { randomUUID } from "node:crypto";
import { hourPeriod } from "./contributions.js";
import { keys, PK, SK } from "./keys.js";
import { periodStart } from "./levels.js";
import { rollUp } from "./rollup.js";
import type { Store } from "./store.js";

/**
 * Hours whose contributions are not all rolled up yet: one marker item per UTC hour in the site's
 * `pending` partition, put (with a fresh token) after the contributions of a batch of files are
 * written and before the files are marked done. A rollup removes a marker only if its token is still
 * the one it read: a batch that marks the hour again meanwhile leaves it for the next rollup. So
 * counting a file and rolling its hours up can happen apart (the deployed function rolls up on a
 * schedule), and a rollup that was killed is finished by the next one.
 */
export async function markPending(store: Store, site: string, hours: Iterable<number>): Promise<void> {
  const token = randomUUID();
  await store.batchWrite(
    [...hours].map((hour) => ({ [PK]: keys.pending(site), [SK]: hourPeriod(hour), token })),
  );
}

/** Rolls up every pending hour of the site, then clears the markers it covered. Returns the hours rolled up. */
export async function rollUpPending(store: Store, site: string): Promise<number> {
  const { items } = await store.withPrefix(keys.pending(site), "", true);
  if (items.length === 0) return 0;
  await rollUp(
    store,
    site,
    items.map((item) => periodStart(item[SK])),
  );
  await Promise.all(
    items.map((item) => store.deleteIf({ [PK]: item[PK], [SK]: item[SK] }, "token", item.token)),
  );
  return items.length;
}
