import { gathered } from "./async.js";
import { itemId, type Key, keys, PK, SK } from "./keys.js";
import type { Item, Store } from "./store.js";

/**
 * One item per ingested file in the `<site>#ledger` partition: keyed by the hash of its text
 * (`file#<sha256>`, ingest/content.ts: the same records compressed or not, LF or CRLF), or by its name when not a byte of it could be read (`source#<name>`). It makes
 * duplicate deliveries cheap to skip and shows what failed and why; the counts never depend on it.
 */
function ledgerKey(site: string, fileId: string | undefined, name: string): Key {
  return { [PK]: keys.ledger(site), [SK]: fileId ? `file#${fileId}` : `source#${name}` };
}

/**
 * Tells whether a file's content is already counted. Files looked up at about the same time share
 * one request. Eventually consistent reads (half the price): one that misses a very recent `done`
 * only makes the file be counted again, which changes nothing.
 */
export function doneLookup(store: Store, site: string): (fileId: string) => Promise<boolean> {
  return gathered(async (fileIds: string[]) => {
    // The same bytes may come under two names at once; BatchGetItem refuses a key twice.
    const found = await store.batchGet(
      [...new Set(fileIds)].map((id) => ledgerKey(site, id, "")),
      false,
    );
    return fileIds.map((id) => found.get(itemId(ledgerKey(site, id, "")))?.status === "done");
  }, 100);
}

export interface LedgerEntry {
  status: "done" | "failed";
  fileId?: string;
  /** The name it came under this time. */
  name: string;
  format?: string;
  /** What the file held: lines, records, views, ... */
  stats?: Record<string, number>;
  error?: string;
}

/** Records files as done (counted, their hours pending or rolled up) or failed (with why), many at a time. */
export async function recordFiles(store: Store, site: string, entries: LedgerEntry[]): Promise<void> {
  const at = new Date().toISOString();
  // The same bytes under two names are one file, and BatchWriteItem refuses a key twice.
  const items = new Map<string, Item>();
  for (const { fileId, ...entry } of entries) {
    const key = ledgerKey(site, fileId, entry.name);
    items.set(itemId(key), { ...key, ...entry, at });
  }
  await store.batchWrite([...items.values()]);
}
