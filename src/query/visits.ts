import { UserError } from "../errors.js";
import { keys, PK, SK } from "../store/keys.js";
import type { Store } from "../store/store.js";

export interface VisitQuery {
  page: string;
  from: number;
  to: number;
  /** Where the previous answer stopped (its `cursor`). */
  cursor?: string;
  limit: number;
}

export interface VisitList {
  page: string;
  views: { time: string; referrer?: string }[];
  /** Pass it back for the next views; null when there are no more. */
  cursor: string | null;
}

/**
 * The views of one page in time order, a page of them at a time: the raw view items, read with
 * `Limit` and resumed from an opaque cursor (the Query's LastEvaluatedKey, encoded).
 */
export async function visitList(store: Store, site: string, q: VisitQuery): Promise<VisitList> {
  const partition = keys.views(site, q.page);
  let start: Record<string, unknown> | undefined;
  if (q.cursor) {
    start = decodeCursor(q.cursor);
    if (start?.[PK] !== partition)
      throw new UserError("cursor does not belong to this page; start again without it");
  }
  const page = await store.queryPage({
    KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
    ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
    ExpressionAttributeValues: {
      ":pk": partition,
      ":from": String(q.from).padStart(10, "0"),
      // Sort keys are `<epoch>#<id>`: everything of the last second sorts before `<epoch>$`.
      ":to": `${String(q.to - 1).padStart(10, "0")}$`,
    },
    Limit: q.limit,
    ExclusiveStartKey: start,
  });
  return {
    page: q.page,
    views: page.items.map((item) => ({
      time: String(item.time),
      ...(item.referrer ? { referrer: String(item.referrer) } : {}),
    })),
    cursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString("base64url") : null,
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
