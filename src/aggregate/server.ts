import { splitUnionKey } from "../counters/union.js";
import { type Category, categoryOf } from "../pageview/crawler.js";
import { splitLinkKey, splitReaderKey } from "./normalise.js";
import type { Tally } from "./tally.js";

/** A crawler's requests, as `report --json` and `GET /crawlers` give them. */
export interface CrawlerCounts {
  category: Category;
  requests: number;
  /** Requests that would have been page views but for the bot test. */
  pages: number;
  bytes: number;
  /** The time of its last request, ISO 8601 UTC. */
  last: string;
}

/** A missing path's requests, by where the link to it was. */
export interface NotFoundCounts {
  requests: number;
  /** The site's pages that link to it. */
  internal: Record<string, number>;
  /** Other sites' pages that link to it: `host/path`. */
  external: Record<string, number>;
  /** Requests with no referrer: typed, bookmarked, or probed. */
  none: number;
}

/** A feed's subscribers on the last day it was fetched. */
export interface FeedCounts {
  subscribers: number;
  /** The day of the site the level is of: the last with fetches. */
  day: string;
  /** The subscribers each reader reported that day (the rest are one per other client). */
  readers: Record<string, number>;
}

/** Each crawler's requests, pages, bytes and last request, most requests first. */
export function crawlersOf(tally: Tally): Record<string, CrawlerCounts> {
  const pages = tally.totals("crawlerPages");
  const bytes = tally.totals("crawlerBytes");
  const ranked = [...tally.cellTotals("crawler")].sort(byCount((c) => c.n));
  return Object.fromEntries(
    ranked.map(([name, c]) => [
      name,
      {
        category: categoryOf(name),
        requests: c.n,
        pages: pages.get(name) ?? 0,
        bytes: bytes.get(name) ?? 0,
        last: new Date(c.last * 1000).toISOString().replace(".000Z", "Z"),
      },
    ]),
  );
}

/** Each missing path's requests, by where the link was, most requests first. */
export function notFoundOf(tally: Tally): Record<string, NotFoundCounts> {
  const paths = new Map<string, NotFoundCounts>();
  for (const [path, requests] of [...tally.totals("notfound")].sort(byCount((n) => n)))
    paths.set(path, { requests, internal: {}, external: {}, none: 0 });
  const links = [...tally.totals("notfoundFrom")].sort(byCount((n) => n));
  for (const [key, n] of links) {
    const { path, link } = splitLinkKey(key);
    const counts = paths.get(path);
    if (counts === undefined) continue;
    if (link.kind === "internal") counts.internal[link.page] = n;
    else if (link.kind === "external") counts.external[link.referrer] = n;
    else counts.none = n;
  }
  return Object.fromEntries(paths);
}

/**
 * Each feed's subscribers on the last day of the site it was fetched: the largest count each reader
 * that reports one gave that day, plus one per other distinct client that day. A level, not a sum.
 */
export function feedsOf(tally: Tally): Record<string, FeedCounts> {
  const days = new Map<string, Map<string, FeedCounts>>();
  const dayOf = (day: string, feed: string) => {
    let feeds = days.get(feed);
    if (feeds === undefined) {
      feeds = new Map();
      days.set(feed, feeds);
    }
    let counts = feeds.get(day);
    if (counts === undefined) {
      counts = { subscribers: 0, day, readers: {} };
      feeds.set(day, counts);
    }
    return counts;
  };
  for (const [dayKey, n] of tally.unionDays("feedClients")) {
    const [day, feed] = splitUnionKey(dayKey);
    dayOf(day, feed).subscribers += n;
  }
  for (const [dayKey, n] of tally.levels("feedReaders")) {
    const [day, key] = splitUnionKey(dayKey);
    const { feed, reader } = splitReaderKey(key);
    const counts = dayOf(day, feed);
    counts.subscribers += n;
    counts.readers[reader] = n;
  }
  const feeds = [...days].map(([feed, byDay]): [string, FeedCounts] => {
    const last = [...byDay.keys()].sort().at(-1) as string;
    const counts = byDay.get(last) as FeedCounts;
    counts.readers = Object.fromEntries(Object.entries(counts.readers).sort(byCount((n) => n)));
    return [feed, counts];
  });
  return Object.fromEntries(feeds.sort(byCount((c) => c.subscribers)));
}

/** Largest first; ties by key, so that the output is stable. */
function byCount<V>(count: (value: V) => number): (a: [string, V], b: [string, V]) => number {
  return (a, b) => count(b[1]) - count(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}
