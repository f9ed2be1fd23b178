import { isoSeconds } from "../contract/rules.js";
import { UserError } from "../errors.js";
import { keys, PK, SK, viewSortKey } from "./keys.js";
import { SiteTable } from "./site-table.js";
import type { Item, Store } from "./store.js";

/** What a raw view item keeps of a page view. */
export interface RawView {
  time: number;
  page: string;
  bot: boolean;
  referrer: string;
  requestId: string | undefined;
  /** Line in its log: with the log's id, the view's identity where the log has no request id. */
  line: number;
}

/**
 * A raw view item, in the page's own partition. Its key is deterministic (time, then the log's
 * request id, or for formats without one the log's id and the line number), so two views in the
 * same second stay two items and writing a view again changes nothing.
 */
export function rawViewItem(site: string, view: RawView, log: string, expiresAt?: number): Item {
  // The same line of a log has the same key whichever copy or longer version of the log it came in.
  const id = view.requestId ?? `${log.slice(0, 16)}-${view.line}`;
  return {
    [PK]: keys.views(site, view.page),
    [SK]: viewSortKey(view.time, id),
    page: view.page,
    time: isoSeconds(view.time),
    referrer: view.referrer || undefined,
    requestId: view.requestId,
    file: log,
    bot: view.bot || undefined,
    expiresAt,
  };
}

export interface ViewListPage {
  views: { time: string; referrer?: string }[];
  /** Pass it back for the next views; null when there are no more. */
  cursor: string | null;
}

/** Queries one answer of `/pagevisitlist` makes at most, however many expired views it passes. */
const MAX_QUERIES = 8;

/**
 * The raw views of one page in [from, to) in time order, at most `limit` of them, resumed from an
 * opaque cursor (a view's key, encoded).
 *
 * Views past their `expiresAt` are left out: DynamoDB's TTL deletes them, but can take days to, and
 * until then a Query still finds them (and still charges for reading them). Where expired views are
 * passed over the answer reads on, up to a few Queries, to fill the page; so a page may come back
 * shorter than `limit`, or even empty, with a cursor: only a `null` cursor means there are no more.
 */
export async function readViewList(
  store: Store,
  site: string,
  q: { page: string; from: number; to: number; limit: number; cursor?: string; now?: number },
): Promise<ViewListPage> {
  const partition = keys.views(site, q.page);
  let start: Record<string, unknown> | undefined;
  if (q.cursor) {
    start = decodeCursor(q.cursor);
    if (start?.[PK] !== partition)
      throw new UserError("cursor does not belong to this page; start again without it");
  }
  const now = q.now ?? Math.floor(Date.now() / 1000);
  const views: ViewListPage["views"] = [];
  const pages = new SiteTable(store, site).rawViews(
    q.page,
    // Sort keys are `<epoch>#<id>`: everything of the last second sorts before `<epoch>$`.
    { from: String(q.from).padStart(10, "0"), to: `${String(q.to - 1).padStart(10, "0")}$` },
    start,
    // What DynamoDB's TTL would delete: the filter spares the transfer, not the read units.
    {
      expression: "attribute_not_exists(#exp) OR #exp > :now",
      names: { "#exp": "expiresAt" },
      values: { ":now": now },
    },
    // Limit counts the items read before the filter, so the views kept never exceed what is left.
    () => q.limit - views.length,
  );
  let queries = 0;
  for await (const page of pages) {
    for (const item of page.items)
      views.push({ time: String(item.time), ...(item.referrer ? { referrer: String(item.referrer) } : {}) });
    start = page.next;
    if (!start || ++queries === MAX_QUERIES || views.length >= q.limit) break;
  }
  return {
    views,
    cursor: start ? Buffer.from(JSON.stringify(start)).toString("base64url") : null,
  };
}

function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    return typeof key?.[PK] === "string" && typeof key?.[SK] === "string"
      ? { [PK]: key[PK], [SK]: key[SK] }
      : undefined;
  } catch {
    throw new UserError("cursor is not valid; pass back the cursor of the previous answer");
  }
}
