import { UserError } from "../errors.js";
import { readPageTotals, readSiteVisitors } from "../store/counts.js";
import { isoSeconds } from "../store/keys.js";
import type { Store } from "../store/store.js";
import { viewsBetween } from "./views.js";

export interface TotalsResult {
  pages: Record<string, number>;
  total: number;
  /** Each page's visitors: the sum of its days' visitors. */
  visitors: Record<string, number>;
  /**
   * The whole site's visitors, whatever the prefix: the sum of its days (a reader of two pages on a
   * day is one visitor of the site, so this is not the sum of the pages').
   */
  siteVisitors: number;
  /** The earliest view of the pages listed. */
  since: string | null;
  /** The latest view of the pages listed: with `since`, where the data is (e.g. its last 30 days). */
  last: string | null;
  /** Read capacity units this answer cost. */
  consumedCapacity: number;
}

export interface PageInfo {
  page: string;
  views: number;
  /** Visitors: the sum of the page's days' visitors. */
  visitors: number;
  first: string;
  last: string;
  /** Views in the range asked for, if one was. */
  viewsInRange?: number;
}

export function checkPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === "") return "";
  if (!prefix.startsWith("/"))
    throw new UserError(`prefix "${prefix}" is not a path; prefixes start with "/", e.g. /blog/`);
  return prefix;
}

/**
 * Every page's total, from the INDEX partition: one item per page, so the cost grows with the number
 * of pages and never with the number of views.
 */
export async function pageTotals(store: Store, site: string, prefix?: string): Promise<TotalsResult> {
  const [{ pages, units }, siteTotal] = await Promise.all([
    readIndex(store, site, prefix),
    readSiteVisitors(store, site),
  ]);
  const since = pages.reduce<string | null>(
    (min, p) => (min === null || p.first < min ? p.first : min),
    null,
  );
  const last = pages.reduce<string | null>((max, p) => (max === null || p.last > max ? p.last : max), null);
  return {
    pages: Object.fromEntries(pages.map((p) => [p.page, p.views])),
    total: pages.reduce((sum, p) => sum + p.views, 0),
    visitors: Object.fromEntries(pages.map((p) => [p.page, p.visitors])),
    siteVisitors: siteTotal.visitors,
    since,
    last,
    consumedCapacity: units + siteTotal.units,
  };
}

/**
 * The pages with views, most viewed first, with their first and last view; with a range, also each
 * page's views in it, which reads every listed page's day counters in the range (one query a page).
 */
export async function listPages(
  store: Store,
  site: string,
  prefix?: string,
  range?: { from: number; to: number },
): Promise<PageInfo[]> {
  const { pages } = await readIndex(store, site, prefix);
  if (range) {
    await Promise.all(
      pages.map(async (p) => {
        p.viewsInRange = await viewsBetween(store, site, p.page, range.from, range.to);
      }),
    );
  }
  return pages;
}

async function readIndex(
  store: Store,
  site: string,
  prefix?: string,
): Promise<{ pages: PageInfo[]; units: number }> {
  const { pages: totals, units } = await readPageTotals(store, site, checkPrefix(prefix));
  const pages = totals
    .map((p) => ({
      page: p.page,
      views: p.views,
      visitors: p.visitors,
      first: isoSeconds(p.first),
      last: isoSeconds(p.last),
    }))
    .sort((a, b) => b.views - a.views || (a.page < b.page ? -1 : 1));
  return { pages, units };
}
