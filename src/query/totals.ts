import type { PageRow, PageTotals } from "../contract/answers.js";
import { isoSeconds, RANGE_PAGES, TOTALS_PAGE_LIMIT, WHOLE_TOTALS_PAGES } from "../contract/rules.js";
import { UserError } from "../errors.js";
import { type PageTotal, readPageTotals, readPageTotalsAfter, readSiteTotals } from "../store/counts.js";
import type { Store } from "../store/store.js";
import { viewsBetween } from "./views.js";

export interface TotalsPaging {
  /** At most this many pages, in path order, after `cursor`. */
  limit?: number;
  /** The `cursor` of the previous answer. */
  cursor?: string;
  /** Without `limit`: refuse (a UserError) when more pages than this would be listed. */
  maxPages?: number;
}

const encodeCursor = (page: string) => Buffer.from(page, "utf8").toString("base64url");

function decodeCursor(cursor: string, prefix: string): string {
  const page = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!page.startsWith("/"))
    throw new UserError("cursor is not valid: pass back the cursor of the last answer");
  if (!page.startsWith(prefix))
    throw new UserError("cursor does not belong to this prefix: pass back the cursor of the last answer");
  return page;
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
export async function pageTotals(
  store: Store,
  site: string,
  prefix?: string,
  paging: TotalsPaging = {},
): Promise<PageTotals> {
  const from = checkPrefix(prefix);
  const read = async (): Promise<{ pages: PageRow[]; units: number; cursor?: string }> => {
    if (paging.limit !== undefined) {
      const after = paging.cursor === undefined ? undefined : decodeCursor(paging.cursor, from);
      const { pages, units, more } = await readPageTotalsAfter(store, site, from, paging.limit, after);
      const last = pages.at(-1);
      return { pages: pages.map(info), units, ...(more && last ? { cursor: encodeCursor(last.page) } : {}) };
    }
    if (paging.cursor !== undefined) throw new UserError("cursor needs limit: pass the limit you paged with");
    if (paging.maxPages === undefined) return readIndex(store, site, prefix);
    const { pages, units, more } = await readPageTotalsAfter(store, site, from, paging.maxPages);
    if (more)
      throw new UserError(
        `more than ${paging.maxPages} pages${from ? ` under ${from}` : ""}: ask for them with limit (up to ${TOTALS_PAGE_LIMIT}) and cursor, or narrow prefix`,
      );
    return { pages: pages.map(info).sort(byViews), units };
  };
  const [{ pages, units, cursor }, siteTotal] = await Promise.all([read(), readSiteTotals(store, site)]);
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
    site: {
      views: siteTotal.views,
      first: siteTotal.first === undefined ? null : isoSeconds(siteTotal.first),
      last: siteTotal.last === undefined ? null : isoSeconds(siteTotal.last),
    },
    since,
    last,
    consumedCapacity: units + siteTotal.units,
    ...(cursor ? { cursor } : {}),
  };
}

const info = (p: PageTotal): PageRow => ({
  page: p.page,
  views: p.views,
  visitors: p.visitors,
  first: isoSeconds(p.first),
  last: isoSeconds(p.last),
});

const byViews = (a: PageRow, b: PageRow) => b.views - a.views || (a.page < b.page ? -1 : 1);

/**
 * The pages with views, most viewed first, with their first and last view; with a range, also each
 * page's views in it, which reads every listed page's day counters in the range (one query a page).
 * Only the `limit` most viewed pages are listed (at most, and by default, RANGE_PAGES with a range and
 * WHOLE_TOTALS_PAGES without): `omitted` says how many were left out. A range over every page of a
 * large site would not end within the HTTP API's 30 seconds.
 */
export async function listPages(
  store: Store,
  site: string,
  prefix?: string,
  range?: { from: number; to: number },
  limit?: number,
): Promise<{ pages: PageRow[]; omitted: number }> {
  let { pages } = await readIndex(store, site, prefix);
  const cap = range ? RANGE_PAGES : WHOLE_TOTALS_PAGES;
  if (limit !== undefined && limit > cap)
    throw new UserError(`limit: at most ${cap}${range ? " with from or to (one query a page)" : ""}`);
  const omitted = Math.max(0, pages.length - (limit ?? cap));
  pages = pages.slice(0, limit ?? cap);
  if (range) {
    await Promise.all(
      pages.map(async (p) => {
        p.viewsInRange = await viewsBetween(store, site, p.page, range.from, range.to);
      }),
    );
  }
  return { pages, omitted };
}

async function readIndex(
  store: Store,
  site: string,
  prefix?: string,
): Promise<{ pages: PageRow[]; units: number }> {
  const { pages: totals, units } = await readPageTotals(store, site, checkPrefix(prefix));
  const pages = totals.map(info).sort(byViews);
  return { pages, units };
}
