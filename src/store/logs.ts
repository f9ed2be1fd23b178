import { gathered } from "./async.js";
import { itemId, type Key, keys, PK, SK } from "./keys.js";
import type { Store } from "./store.js";

/**
 * How far a log was read, as log shippers remember it, but in the table: one item per log in the
 * site's `logs` partition, keyed by the fingerprint of the log's head (ingest/content.ts), holding
 * the lines counted so far and the hash of the text up to the last block boundary before them. A
 * file with the same head that holds those lines and more is the log grown (or renamed, or
 * compressed by logrotate): its blocks before that boundary are counted already.
 *
 * Only an optimisation: counts never depend on it (each block's contribution is the block's largest
 * version, store/contributions.ts), so a lost or stale item only costs writes.
 */
export interface LogState {
  /** Complete lines counted. */
  lines: number;
  /** SHA-256 of the text up to the last block boundary at or before `lines` ("" for none). */
  check: string;
}

function logKey(site: string, head: string): Key {
  return { [PK]: keys.logs(site), [SK]: head };
}

/** Looks up how far logs were read. Logs looked up at about the same time share one request. */
export function logLookup(store: Store, site: string): (head: string) => Promise<LogState | undefined> {
  return gathered(async (heads: string[]) => {
    const found = await store.batchGet(
      [...new Set(heads)].map((head) => logKey(site, head)),
      false,
    );
    return heads.map((head) => {
      const item = found.get(itemId(logKey(site, head)));
      return item && typeof item.lines === "number"
        ? { lines: item.lines, check: String(item.check ?? "") }
        : undefined;
    });
  }, 100);
}

/**
 * Records that a log is counted up to the file's lines: only forward (a conditional update), so
 * that of two runs at once, or an older copy read later, the longest read stays.
 */
export async function advanceLog(
  store: Store,
  site: string,
  head: string,
  state: LogState & { name: string },
): Promise<void> {
  await store.updateIf(
    logKey(site, head),
    "SET #lines = :lines, #check = :check, #name = :name, #at = :at",
    "attribute_not_exists(#lines) OR #lines < :lines",
    { "#lines": "lines", "#check": "check", "#name": "name", "#at": "at" },
    {
      ":lines": state.lines,
      ":check": state.check,
      ":name": state.name,
      ":at": new Date().toISOString(),
    },
  );
}
