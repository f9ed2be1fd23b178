import type { LogRecord } from "../formats/record.js";
import { percentDecode } from "../pageview/decode.js";
import { isoSeconds, keys, PK, SK, viewSortKey } from "./keys.js";
import type { Item } from "./store.js";

/**
 * A raw view item, in the page's own partition. Its key is deterministic (time, then the log's
 * request id, or for formats without one the file's hash and the line number), so two views in the
 * same second stay two items and writing a view again changes nothing.
 */
export function viewItem(
  site: string,
  page: string,
  record: LogRecord,
  view: { fileId: string; line: number; bot: boolean; expiresAt?: number },
): Item {
  const id = record.requestId ?? `${view.fileId.slice(0, 16)}-${view.line}`;
  return {
    [PK]: keys.views(site, page),
    [SK]: viewSortKey(record.time, id),
    page,
    time: isoSeconds(record.time),
    referrer: record.referrer === "-" || record.referrer === "" ? undefined : percentDecode(record.referrer),
    requestId: record.requestId,
    file: view.fileId,
    bot: view.bot || undefined,
    expiresAt: view.expiresAt,
  };
}
