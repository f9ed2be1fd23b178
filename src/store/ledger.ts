import { type Key, keys, PK, SK } from "./keys.js";
import type { Item, Store } from "./store.js";

/**
 * One item per ingested file in the `<site>#ledger` partition: keyed by the file's content hash
 * (`file#<sha256>`), or by its name when not a byte of it could be read (`source#<name>`). It makes
 * duplicate deliveries cheap to skip and shows what failed and why; the counts never depend on it.
 */
function ledgerKey(site: string, fileId: string | undefined, name: string): Key {
  return { [PK]: keys.ledger(site), [SK]: fileId ? `file#${fileId}` : `source#${name}` };
}

/**
 * Whether a file's content is already counted. An eventually consistent read (half the price): one
 * that misses a very recent `done` only makes the file be counted again, which changes nothing.
 */
export async function isDone(store: Store, site: string, fileId: string): Promise<boolean> {
  return (await store.get(ledgerKey(site, fileId, ""), false))?.status === "done";
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
  await store.batchWrite(
    entries.map(({ fileId, ...entry }): Item => ({ ...ledgerKey(site, fileId, entry.name), ...entry, at })),
  );
}
