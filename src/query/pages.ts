import { SITE_KEY } from "../counters/registry.js";
import { canonicalPage } from "../pageview/page.js";
import { readPageTotals, readSeriesSpan, type SeriesSpan } from "../store/counts.js";
import type { Store } from "../store/store.js";

/**
 * The page a user names, cleaned exactly as a log's path is by the page-view rule (canonicalPage):
 * percent-decoded, without query string or fragment, `index.html` folded to its folder. So
 * `/blog/caf%C3%A9/` (copied from a browser's address bar) and `/blog/x/index.html` name the pages
 * the logs counted as `/blog/café/` and `/blog/x/`. A whole URL (`https://example.com/x/`) names its
 * path. Undefined when nothing is left (an empty path).
 */
export function cleanPage(value: string): string | undefined {
  if (/^https?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      return canonicalPage(`${url.pathname}${url.search}`);
    } catch {
      // Not a URL after all: clean it as a path.
    }
  }
  return canonicalPage(value);
}

/**
 * The all-time views of a page, of the whole site, or of its bots, with the first and last of them:
 * one small item read, to say where the data is when a range has none. Undefined when it has none.
 */
export function seriesSpan(
  store: Store,
  site: string,
  q: { page?: string; bots?: boolean },
): Promise<SeriesSpan | undefined> {
  if (q.page) return readSeriesSpan(store, site, "page", q.page);
  return readSeriesSpan(store, site, q.bots ? "bots" : "site", SITE_KEY);
}

/** How many pages similarPages reads at most: one request to the INDEX partition. */
const CANDIDATES = 1000;

/**
 * Pages with views whose paths look like `page` (a typo, another case, a missing or extra trailing
 * slash or `.html`, the same last segment elsewhere), best first: for a note when `page` has none.
 * Reads the pages of its folder (or, when that has none, the site's first pages), at most 1,000 in
 * one request.
 */
export async function similarPages(store: Store, site: string, page: string, count = 3): Promise<string[]> {
  const folder = page.slice(0, page.replace(/\/+$/, "").lastIndexOf("/") + 1) || "/";
  let { pages } = await readPageTotals(store, site, folder, CANDIDATES);
  if (pages.length === 0 && folder !== "/") ({ pages } = await readPageTotals(store, site, "/", CANDIDATES));
  const want = stem(page);
  const threshold = Math.max(2, Math.floor(want.length / 4));
  return pages
    .filter((p) => p.page !== page && p.views > 0)
    .map((p) => ({ page: p.page, views: p.views, score: likeness(want, stem(p.page)) }))
    .filter((p) => p.score <= threshold)
    .sort((a, b) => a.score - b.score || b.views - a.views || (a.page < b.page ? -1 : 1))
    .slice(0, count)
    .map((p) => p.page);
}

/** A path as compared: lower case, without a trailing slash or `.html`/`.htm`. */
function stem(page: string): string {
  return page.toLowerCase().replace(/(\/|\.html?)$/, "");
}

/** 0 for the same stem, 1 when one ends with the other at a slash (same page, other folder), else the edit distance. */
function likeness(a: string, b: string): number {
  if (a === b) return 0;
  if ((a.length > 1 && b.endsWith(a)) || (b.length > 1 && a.endsWith(b))) return 1;
  return editDistance(a, b);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
