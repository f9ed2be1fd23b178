import { type Key, keys, PK, SK } from "./keys.js";
import type { Store } from "./store.js";

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
  name: string;
  format?: string;
  /** What the file held: lines, records, views, ... */
  stats?: Record<string, number>;
  error?: string;
}

/** Records a file as done (its counts are rolled up) or failed (with why), adding the name it came under. */
export async function recordFile(store: Store, site: string, entry: LedgerEntry): Promise<void> {
  const names: Record<string, string> = {
    "#status": "status",
    "#at": `${entry.status}At`,
    "#names": "names",
  };
  const values: Record<string, unknown> = {
    ":status": entry.status,
    ":now": new Date().toISOString(),
    ":name": new Set([entry.name]),
  };
  const sets = ["#status = :status", "#at = :now"];
  for (const attribute of ["format", "stats", "error"] as const) {
    if (entry[attribute] === undefined) continue;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = entry[attribute];
    sets.push(`#${attribute} = :${attribute}`);
  }
  let expression = `SET ${sets.join(", ")}`;
  if (entry.status === "done") {
    names["#error"] = "error";
    expression += " REMOVE #error";
  }
  await store.update(
    ledgerKey(site, entry.fileId, entry.name),
    `${expression} ADD #names :name`,
    names,
    values,
  );
}
