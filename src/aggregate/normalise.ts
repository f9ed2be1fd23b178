import type { Client, Reader } from "../audience/audience.js";
import { type CounterName, SITE_KEY } from "../counters/registry.js";
import type { PageView } from "../pageview/view.js";

/**
 * The normalisers of the counters of counters/registry.ts: the key a request counts under, or
 * undefined when the counter does not count it. `reader` describes the reader of a counted view
 * (audience/audience.ts); bots' requests have none. `client` is who made a request that is counted
 * by its distinct clients or by where it was linked from (the reader itself for a page view).
 * Every counter must have one.
 */
export const KEY_OF: {
  readonly [C in CounterName]: (
    view: PageView,
    reader: Reader | undefined,
    client: Client | undefined,
  ) => string | undefined;
} = {
  page: (view) => (view.counted ? view.page : undefined),
  site: (view) => (view.counted ? SITE_KEY : undefined),
  // Every record's bytes, not only views': added by Tally.addServed.
  served: () => undefined,
  bots: (view) => (view.bot && view.isPage ? SITE_KEY : undefined),
  visitors: (_, reader) => (reader ? SITE_KEY : undefined),
  pageVisitors: (view, reader) => (reader ? view.page : undefined),
  source: (_, reader) => (reader?.entry ? reader.source : undefined),
  campaign: (_, reader) => (reader?.entry ? reader.campaign : undefined),
  entry: (view, reader) => (reader?.entry ? view.page : undefined),
  browser: (_, reader) => reader?.browser,
  os: (_, reader) => reader?.os,
  device: (_, reader) => reader?.device,
  country: (_, reader) => reader?.country,
  pageViews: (view, reader) =>
    reader
      ? JSON.stringify([view.page, reader.browser, reader.os, reader.device, reader.country])
      : undefined,
  pageSources: (view, reader) => (reader?.entry ? JSON.stringify([view.page, reader.source]) : undefined),
  pageCampaigns: (view, reader) =>
    reader?.entry && reader.campaign !== undefined ? JSON.stringify([view.page, reader.campaign]) : undefined,
  crawler: (view) => view.crawler?.name,
  crawlerPages: (view) => (view.isPage ? view.crawler?.name : undefined),
  crawlerBytes: (view) => (view.bytes > 0 ? view.crawler?.name : undefined),
  notfound: (view) => (view.notFound ? view.page : undefined),
  notfoundFrom: (view, _, client) =>
    view.notFound && client?.link ? linkKey(view.page, client.link) : undefined,
  download: (view) => (view.download ? view.page : undefined),
  feedClients: (view) => (view.feed && !view.feed.reader ? view.page : undefined),
  feedReaders: (view) => (view.feed?.reader ? readerKey(view.feed.reader.name, view.page) : undefined),
};

/** The page and its values (one a dimension of the counter's pageOf) of a page audience's key. */
export function splitPageKey(key: string): [page: string, ...values: string[]] {
  return JSON.parse(key) as [string, ...string[]];
}

/** What a request adds to a counter's cell, for the counters that count something else than requests. */
export const AMOUNT_OF: { readonly [C in CounterName]?: (view: PageView) => number } = {
  crawlerBytes: (view) => view.bytes,
  feedReaders: (view) => view.feed?.reader?.subscribers ?? 0,
};

/** Where the link to a missing page was: on the site (the linking page), on another site, or none. */
export type Link =
  | { kind: "internal"; page: string }
  | { kind: "external"; referrer: string }
  | { kind: "none" };

/** The `notfoundFrom` key of a missing path and where it was linked from. */
export function linkKey(path: string, link: Link): string {
  return JSON.stringify([
    path,
    link.kind,
    link.kind === "internal" ? link.page : link.kind === "external" ? link.referrer : "",
  ]);
}

export function splitLinkKey(key: string): { path: string; link: Link } {
  const [path, kind, where] = JSON.parse(key) as [string, Link["kind"], string];
  const link: Link =
    kind === "internal"
      ? { kind, page: where }
      : kind === "external"
        ? { kind, referrer: where }
        : { kind: "none" };
  return { path, link };
}

/** The `feedReaders` key of a reader's subscribers to a feed (the day goes in front, as a union's). */
export function readerKey(reader: string, feed: string): string {
  return JSON.stringify([feed, reader]);
}

export function splitReaderKey(key: string): { feed: string; reader: string } {
  const [feed, reader] = JSON.parse(key) as [string, string];
  return { feed, reader };
}
