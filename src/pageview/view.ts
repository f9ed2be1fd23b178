/**
 * A page request that passed the page-view rule, as the pipeline hands it on to whatever counts or
 * stores it. Requests from bots are handed on too (`bot`), so that they can be reported; they count
 * as page views only when the rule includes bots (`counted`).
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
}
