/**
 * The table's key layout (see docs/storage.md). Partition key `UserPages`, sort key `SortKey`. Every
 * partition starts with the site id and `#`. A page path always starts with `/`, so the partitions of
 * other item types (`INDEX`, `day#...`, `ledger`, ...) can never collide with a page's partition.
 */

export const PK = "UserPages";
export const SK = "SortKey";

/** The whole site, as a series next to the pages. Not a path, so it cannot collide with a page. */
export const SITE = "*";

/** The site's page requests from bots (counted or not), a series of its own. */
export const BOTS = "~bots";

const SITE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertSiteId(site: string): string {
  if (!SITE_ID.test(site)) {
    throw new Error(`site id "${site}" is not valid: use 1 to 64 letters, digits, "_", "." or "-"`);
  }
  return site;
}

export type Key = { [PK]: string; [SK]: string };

export const keys = {
  /** The INDEX partition: one item per page (sort key = page path) with its total and first/last view. */
  index: (site: string) => `${site}#INDEX`,
  /** Every view of one page, sort key `<10-digit epoch second>#<request id>`. */
  views: (site: string, page: string) => `${site}#${page}`,
  /** Per file, the views of a page (or the site) on a UTC day: sort key `<YYYY-MM-DD>#<file id>`. */
  contributions: (site: string, series: string) => `${site}#contrib#${series}`,
  /** Views of a page (or the site) per UTC day, with the 24 hours: sort key `YYYY-MM-DD`. */
  days: (site: string, series: string) => `${site}#day#${series}`,
  /** Views of a page (or the site) per UTC month: sort key `YYYY-MM`. */
  months: (site: string, series: string) => `${site}#month#${series}`,
  /** The totals of the series that are not pages: the whole site (`*`) and its bots (`~bots`). */
  site: (site: string) => `${site}#SITE`,
  /** One item per ingested file, sort key `file#<sha256>`. */
  ledger: (site: string) => `${site}#ledger`,
};

/** Sort key of a raw view: the epoch second, zero-padded to 10 digits so that keys sort by time. */
export function viewSortKey(epochSeconds: number, id: string): string {
  return `${String(epochSeconds).padStart(10, "0")}#${id}`;
}

export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}
