/**
 * The table's key layout (see docs/storage.md). Partition key `UserPages`, sort key `SortKey`. Every
 * partition starts with the site id and `#`. A page path always starts with `/`, so the partitions of
 * other item types (`INDEX`, `day#...`, `contrib#...`, `ledger`, ...) can never collide with a page's.
 */

export const PK = "UserPages";
export const SK = "SortKey";

const SITE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertSiteId(site: string): string {
  if (!SITE_ID.test(site)) {
    throw new Error(`site id "${site}" is not valid: use 1 to 64 letters, digits, "_", "." or "-"`);
  }
  return site;
}

export type Key = { [PK]: string; [SK]: string };

/** The levels counts are rolled up to, below the all-time total. */
export type PeriodLevel = "day" | "month" | "year";

export const keys = {
  /** The INDEX partition: one item per page (sort key = page path) with its all-time total. */
  index: (site: string) => `${site}#INDEX`,
  /** Every view of one page, sort key `<10-digit epoch second>#<request id>`. */
  views: (site: string, page: string) => `${site}#${page}`,
  /** A series' counts per UTC day, month or year: sort key `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
  level: (site: string, level: PeriodLevel, series: string) => `${site}#${level}#${series}`,
  /** A dimension's counts on one UTC day, every value side by side: sort key = the value. */
  breakdown: (site: string, dimension: string, day: string) => `${site}#${dimension}#${day}`,
  /**
   * A page's values of an audience dimension on one UTC day (sort key = the page): the rollup's split
   * of a page audience counter (counters/registry.ts, PageAudienceSpec).
   */
  pageAudience: (site: string, dimension: string, day: string) => `${site}#page:${dimension}#${day}`,
  /** The all-time totals of the series that are not pages: the whole site (`*`), its bots (`~bots`). */
  site: (site: string) => `${site}#SITE`,
  /**
   * What each block of each log adds to a UTC day, hour by hour: sort key
   * `<HH>#<log>#<block>#<half lines>.<generation>[#<part>]` (store/contributions.ts).
   */
  contributions: (site: string, day: string) => `${site}#contrib#${day}`,
  /** UTC hours with contributions not yet rolled up: sort key `YYYY-MM-DDTHH`. */
  pending: (site: string) => `${site}#pending`,
  /** One item per ingested file, sort key `file#<sha256>`. */
  ledger: (site: string) => `${site}#ledger`,
  /** How far each log was read, by the fingerprint of its head: sort key `<sha256 of the head>`. */
  logs: (site: string) => `${site}#logs`,
  /** What the site's items are: sort key `schema`. */
  meta: (site: string) => `${site}#META`,
};

/** An item's key as one string, to find it among others. */
export function itemId(key: Key): string {
  return `${key[PK]}\u0000${key[SK]}`;
}

/** Sort key of a raw view: the epoch second, zero-padded to 10 digits so that keys sort by time. */
export function viewSortKey(epochSeconds: number, id: string): string {
  return `${String(epochSeconds).padStart(10, "0")}#${id}`;
}

/** Which items of a partition a Query reads: those whose sort key starts with `prefix`, or lies between `from` and `to` (inclusive); all without. */
export type SortKeys = { prefix: string } | { from: string; to: string };

/**
 * The key condition of a Query on one partition: the one place the table's key expressions are
 * written (an empty prefix reads the whole partition).
 */
export function keyCondition(
  partition: string,
  sortKeys?: SortKeys,
): {
  KeyConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  if (sortKeys && "from" in sortKeys)
    return {
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
      ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
      ExpressionAttributeValues: { ":pk": partition, ":from": sortKeys.from, ":to": sortKeys.to },
    };
  if (sortKeys?.prefix)
    return {
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
      ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
      ExpressionAttributeValues: { ":pk": partition, ":prefix": sortKeys.prefix },
    };
  return {
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": PK },
    ExpressionAttributeValues: { ":pk": partition },
  };
}
