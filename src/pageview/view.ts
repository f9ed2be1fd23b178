import type { Crawler } from "./crawler.js";
import type { FeedReader } from "./server.js";

/**
 * A page request that passed the page-view rule, as the pipeline hands it on to whatever counts or
 * stores it. Requests from bots are handed on too (`bot`), so that they can be reported; they count
 * as page views only when the rule includes bots (`counted`). So are the other requests that only
 * the server's log tells of (`isPage` false): a crawler's, a missing page's, a download's, a feed's.
 */
export interface PageView {
  /** Request time, whole seconds since the Unix epoch (UTC). */
  time: number;
  /** The canonical page: `/blog/x/`. */
  page: string;
  /** The client is a bot (or sent no user agent). */
  bot: boolean;
  /** Counts as a page view: not a bot, or bots are included. */
  counted: boolean;
  /** The referrer, percent-decoded; "" when the log has none. */
  referrer: string;
  /** The user agent, percent-decoded. */
  userAgent: string;
  /** The client's IP address, or `-`. */
  clientIp: string;
  /** The host the request was made to, when the format logs it. */
  host: string | undefined;
  /** The page's query string as logged (still percent-encoded), without `?`; "" when none. */
  query: string;
  /** The client's country (ISO 3166-1 alpha-2) when the log records it. */
  country: string | undefined;
  /** The log's own request id, when the format has one. */
  requestId: string | undefined;
  /** Line number in its file (1-based): identifies a view in formats without a request id. */
  line: number;
  /**
   * A page request under the page-view rule (bots' included). When false, the request is one of the
   * others below, never a page view, and `page` is the path it asked for, cleaned as pages are (""
   * for a crawler's request that is none of the others).
   */
  isPage: boolean;
  /** The bytes of the response, as the log records them (0 when it does not). */
  bytes: number;
  /** The crawler a bot's user agent names (pageview/crawler.ts): every request of a bot has one. */
  crawler?: Crawler;
  /** A GET or HEAD answered 404 or 410, from a client as page views are (bots only with includeBots). */
  notFound?: boolean;
  /** A downloadable file (pageview/server.ts) answered 200 or 206 to a GET, from a client as page views are. */
  download?: boolean;
  /** A feed answered 200 or 304, whoever fetched it; `reader` when the client reports its subscribers. */
  feed?: { reader?: FeedReader };
}
