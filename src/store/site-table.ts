import { COUNTERS, type CounterName } from "../counters/registry.js";
import { keyCondition, keys, type PeriodLevel, PK, SK } from "./keys.js";
import type { QueryPage, QueryResult, Store } from "./store.js";

/** A series of counts: a page's views, the site's, its bots', visitors. */
type SeriesCounter = "page" | "site" | "bots" | "served" | "visitors" | "pageVisitors";

/**
 * One site's items in the table: the Queries its reads make, each partition and key condition
 * written once (keys.ts holds the layout, keyCondition the expressions).
 */
export class SiteTable {
  constructor(
    readonly store: Store,
    readonly site: string,
  ) {}

  /**
   * The day (`YYYY-MM-DD`) or month (`YYYY-MM`) items of a counter's series from `from` to `to`,
   * inclusive.
   */
  levels(
    level: PeriodLevel,
    counter: SeriesCounter,
    counterKey: string,
    from: string,
    to: string,
  ): Promise<QueryResult> {
    const partition = keys.level(this.site, level, COUNTERS[counter].series(counterKey));
    return this.store.queryAll(keyCondition(partition, { from, to }));
  }

  /** A dimension's items of one UTC day: one per value. */
  breakdown(dimension: CounterName, day: string): Promise<QueryResult> {
    return this.store.queryAll(keyCondition(keys.breakdown(this.site, dimension, day)));
  }

  /** The SITE partition's series from `from` to `to`, inclusive. */
  siteSeries(from: string, to: string): Promise<QueryResult> {
    return this.store.queryAll(keyCondition(keys.site(this.site), { from, to }));
  }

  /** The INDEX items (one per page) under `prefix`: all of them, or the first `limit` in one request. */
  async pages(prefix: string, limit?: number): Promise<QueryResult> {
    const condition = keyCondition(keys.index(this.site), { prefix });
    if (limit === undefined) return this.store.queryAll(condition);
    const { items, units } = await this.store.queryPage({ ...condition, Limit: limit });
    return { items, units };
  }

  /**
   * The INDEX items under `prefix` after the page `after` (excluded), a Query page at a time, each
   * asking `limit()` for its Limit: what the loop still wants.
   */
  pagesAfter(prefix: string, after: string | undefined, limit: () => number): AsyncGenerator<QueryPage> {
    const partition = keys.index(this.site);
    return this.store.pages(
      {
        ...keyCondition(partition, { prefix }),
        ...(after === undefined ? {} : { ExclusiveStartKey: { [PK]: partition, [SK]: after } }),
      },
      limit,
    );
  }

  /** Whether the site has counted a page yet: one INDEX item read. */
  async hasPages(): Promise<boolean> {
    const page = await this.store.queryPage({ ...keyCondition(keys.index(this.site)), Limit: 1 });
    return page.items.length > 0;
  }

  /** The contributions of one UTC day whose sort keys start with `prefix` (an hour's: `HH#`), read consistently. */
  contributions(day: string, prefix: string): Promise<QueryResult> {
    return this.store.queryAll({
      ...keyCondition(keys.contributions(this.site, day), { prefix }),
      ConsistentRead: true,
    });
  }

  /** The pending hours' markers, oldest first (they sort by hour), strongly consistent, a page when asked for. */
  pendingPages(): AsyncGenerator<QueryPage> {
    return this.store.pages({ ...keyCondition(keys.pending(this.site)), ConsistentRead: true });
  }

  /** The oldest pending hour's marker, if any (markers sort by their hour). */
  async oldestPending(): Promise<Record<string, unknown> | undefined> {
    const page = await this.store.queryPage({ ...keyCondition(keys.pending(this.site)), Limit: 1 });
    return page.items[0];
  }

  /**
   * The raw views of a page with sort keys from `from` to `to` (inclusive), from `start` on, a Query
   * page at a time, each asking `limit()` for its Limit; `filter` leaves items out after the read.
   */
  rawViews(
    page: string,
    sortKeys: { from: string; to: string },
    start: Record<string, unknown> | undefined,
    filter: { expression: string; names: Record<string, string>; values: Record<string, unknown> },
    limit: () => number,
  ): AsyncGenerator<QueryPage> {
    const condition = keyCondition(keys.views(this.site, page), sortKeys);
    return this.store.pages(
      {
        KeyConditionExpression: condition.KeyConditionExpression,
        FilterExpression: filter.expression,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, ...filter.names },
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...filter.values },
        ExclusiveStartKey: start,
      },
      limit,
    );
  }

  /** The raw views a page's partition holds, counted with `Select: COUNT`: what the original tracker read. */
  async countRawViews(page: string): Promise<{ count: number; units: number }> {
    let count = 0;
    let units = 0;
    for await (const counted of this.store.pages({
      ...keyCondition(keys.views(this.site, page)),
      Select: "COUNT",
    })) {
      count += counted.count;
      units += counted.units;
    }
    return { count, units };
  }
}
