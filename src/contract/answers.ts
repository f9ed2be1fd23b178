/**
 * The answers of the HTTP API, one type each: the queries (src/query) produce them, the API sends
 * them, `pagetrack totals|views|top --json` prints them, and the dashboard and the tests read them.
 * Types only: the dashboard's bundle gets nothing from here (docs/api.md describes each answer).
 */
import type { Dimension } from "../counters/registry.js";
import type { Category } from "../pageview/crawler.js";
import type { Interval } from "./rules.js";

export type { Dimension };

/** One bucket of a series: its start (ISO 8601), its views and, where the buckets hold whole site days, its visitors. */
export interface Point {
  t: string;
  views: number;
  /** Days, weeks and months in the site's zone only: the sum of the visitors of the site days in the bucket. */
  visitors?: number;
  /** The whole site's only (no page, no bots): the bytes of every response in the bucket. */
  bytes?: number;
}

/** GET /pageviews: a page's (or the whole site's) views over time. */
export interface Series {
  page: string | null;
  bots?: true;
  interval: Interval;
  tz: string;
  from: string;
  to: string;
  /**
   * `visitors` for days, weeks and months in the site's time zone: the sum of the visitors of the
   * site's days in the bucket. Absent for hours and other zones, whose buckets do not hold whole days
   * of the site: a figure there could exceed the bucket's views.
   */
  points: Point[];
  total: number;
  /** The whole site's only: the bytes of every response in the range (0 where the logs record none). */
  bytes?: number;
  /** The visitors of the range: the sum of its days (days, weeks and months only). */
  visitors?: number;
}

/** GET /pagetotals: every page's views and visitors, from one small item per page. */
export interface PageTotals {
  pages: Record<string, number>;
  total: number;
  /** Each page's visitors: the sum of its days' visitors. */
  visitors: Record<string, number>;
  /**
   * The whole site's visitors, whatever the prefix: the sum of its days (a reader of two pages on a
   * day is one visitor of the site, so this is not the sum of the pages').
   */
  siteVisitors: number;
  /**
   * The whole site, whatever the prefix or the limit: its views and its first and last view (from
   * one small item), so that a client knows where the data is without listing every page.
   */
  site: { views: number; first: string | null; last: string | null };
  /** The earliest view of the pages listed. */
  since: string | null;
  /** The latest view of the pages listed: with `since`, where the data is (e.g. its last 30 days). */
  last: string | null;
  /** Read capacity units this answer cost. */
  consumedCapacity: number;
  /** With a `limit`, only when more pages remain: pass it back for the next ones (path order). */
  cursor?: string;
}

/** A page of GET /pages. */
export interface PageRow {
  page: string;
  views: number;
  /** Visitors: the sum of the page's days' visitors. */
  visitors: number;
  first: string;
  last: string;
  /** Views in the range asked for, if one was. */
  viewsInRange?: number;
}

/** GET /pages: the pages most viewed first; `omitted` counts those left out past the limit. */
export interface PageList {
  pages: PageRow[];
  omitted?: number;
}

/** GET /count: a page's views of all time. */
export interface PageCount {
  page: string;
  views: number;
}

/** GET /site: the site's settings (visitors are counted in days of its zone). */
export interface SiteSettings {
  site: string;
  timeZone: string;
  ownHosts: string[];
}

/** GET /breakdown: values largest first. */
export interface Breakdown {
  dimension: Dimension;
  /** The page whose audience this is, when one was asked for (`page=`). */
  page?: string;
  from: string;
  to: string;
  /**
   * The sum of every value's count, also those past `limit`: what a value's share is of, in `top`,
   * `report` and the dashboard alike (what it counts: the dimension's BreakdownSpec in the registry).
   */
  total: number;
  /** `category` for crawlers only: search, ai, seo, social, monitor, feed or other. */
  values: { value: string; count: number; category?: Category }[];
  /** Who to credit for the countries, when an IP-to-country database named them. */
  attribution?: string;
}

/** GET /pagevisitlist: the views of one page in time order, a page of them at a time. */
export interface ViewList {
  page: string;
  views: { time: string; referrer?: string }[];
  /** Pass it back for the next views; null when there are no more. */
  cursor: string | null;
}

/** Any answer that is not a 2xx: what went wrong, in one line. */
export interface ErrorAnswer {
  error: string;
}

/** GET /crawlers: every crawler's requests in a range, most requests first. */
export interface Crawlers {
  from: string;
  to: string;
  crawlers: {
    name: string;
    category: Category;
    requests: number;
    /** Requests that would have been page views but for the bot test. */
    pages: number;
    /** Response bytes, where the log records them. */
    bytes: number;
    /** Its last request in the range (ISO 8601, UTC). */
    last: string;
  }[];
}

/** GET /notfound: the missing paths asked for in a range, most requests first, with where their links are. */
export interface NotFound {
  from: string;
  to: string;
  /** Requests of every missing path, also those past `limit`. */
  total: number;
  paths: {
    path: string;
    requests: number;
    /** The site's own pages that link to it: broken links to fix. */
    internal: { page: string; count: number }[];
    /** Other sites' pages that link to it (`host/path`). */
    external: { referrer: string; count: number }[];
    /** Requests without a referrer: typed, bookmarked or probed. */
    none: number;
  }[];
}

/** GET /feeds: each feed's subscribers on the last day of the range it was fetched. */
export interface Feeds {
  from: string;
  to: string;
  feeds: {
    path: string;
    subscribers: number;
    /** The day of the site the level is of. */
    day: string;
    /** The readers that reported their subscribers that day (the others are one per client). */
    readers: { name: string; subscribers: number }[];
  }[];
}
