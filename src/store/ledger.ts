import type { FileStats } from "../pipeline.js";
import { type Key, keys, PK, SK } from "./keys.js";
import type { Item, Store } from "./store.js";

export type LedgerStatus = "pending" | "done" | "failed";

/**
 * One item per ingested file in the `<site>#ledger` partition: keyed by the file's content hash
 * (`file#<sha256>`), or by its name when not a byte of it could be read (`source#<name>`). It makes
 * duplicate deliveries cheap to skip and shows what failed and why; the counts never depend on it.
 */
export function ledgerKey(site: string, fileId: string | undefined, name: string): Key {
  return { [PK]: keys.ledger(site), [SK]: fileId ? `file#${fileId}` : `source#${name}` };
}

export function readLedger(store: Store, key: Key): Promise<Item | undefined> {
  return store.get(key, true);
}

export async function markLedger(
  store: Store,
  key: Key,
  status: LedgerStatus,
  fields: { name: string; format?: string; stats?: FileStats; error?: string },
): Promise<void> {
  const names: Record<string, string> = { "#status": "status", "#at": `${status}At`, "#names": "names" };
  const values: Record<string, unknown> = {
    ":status": status,
    ":now": new Date().toISOString(),
    ":name": new Set([fields.name]),
  };
  const sets = ["#status = :status", "#at = :now"];
  for (const [attribute, value] of Object.entries({
    format: fields.format,
    stats: fields.stats,
    error: fields.error,
  })) {
    if (value === undefined) continue;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    sets.push(`#${attribute} = :${attribute}`);
  }
  let expression = `SET ${sets.join(", ")}`;
  if (status === "done") {
    names["#error"] = "error";
    expression += " REMOVE #error";
  }
  await store.update(key, `${expression} ADD #names :name`, names, values);
}
