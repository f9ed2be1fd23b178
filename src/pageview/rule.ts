import { isbot } from "isbot";
import type { LogRecord } from "../formats/record.js";
import { isCdnFetch } from "./cdn.js";
import { type Crawler, crawlerOf } from "./crawler.js";
import { percentDecode } from "./decode.js";
import { canonicalPage, looksLikeHtml } from "./page.js";
import { type FeedReader, feedByType, feedReader, isDownload, isFeedPath, typeSays } from "./server.js";

/** A path's kinds (PageViewRule.kind). */
const DOWNLOAD = 1;
const FEED_PATH = 2;

/** Why a record is not a page request; the reports count each. */
export type FilterReason = "method" | "status" | "notPage" | "excluded";

/** What the page-view rule makes of a user agent (audience/agent.ts names its browser, OS and device). */
export interface AgentVerdict {
  decoded: string;
  bot: boolean;
  /** The user agent is a CDN's fetching from its origin (a bot too): see cdn.ts. */
  cdn: boolean;
  /** A bot's: the crawler it names. */
  crawler: Crawler | undefined;
  /** A feed reader that reports the subscribers it fetches for. */
  reader: FeedReader | undefined;
}

/** What a request that is no page request is, when the log alone tells something of it. */
export interface ServerVerdict {
  /** The path, cleaned as pages are; "" when only a crawler's request (its path is not kept). */
  path: string;
  agent: AgentVerdict;
  notFound?: boolean;
  download?: boolean;
  feed?: boolean;
}

export interface RuleOptions {
  /** Count requests from bots as page views (they are still reported as bots). */
  includeBots: boolean;
  /** Only pages under one of these prefixes count; empty means every page. */
  prefixes: string[];
  /** Pages under one of these prefixes never count. */
  excludes: string[];
  /** Statuses that count. */
  statuses: number[];
}

export const DEFAULT_RULE: RuleOptions = {
  includeBots: false,
  prefixes: [],
  excludes: [],
  statuses: [200, 304],
};

/** A page request (bots included, whatever `includeBots` says), or why the record is none. */
export type Verdict = { page: string; bot: boolean; counted: boolean } | { reason: FilterReason };

// Shared verdicts: most records are filtered, and this is the hot path.
const METHOD: Verdict = { reason: "method" };
const STATUS: Verdict = { reason: "status" };
const NOT_PAGE: Verdict = { reason: "notPage" };
const EXCLUDED: Verdict = { reason: "excluded" };

/**
 * The page-view rule (docs/page-views.md), checked cheapest first: method, status, HTML, prefixes, bot.
 * A bot that passes everything else is a page request of a bot: reported as such, and counted as a
 * view only with includeBots.
 */
export class PageViewRule {
  private readonly statuses: Set<number>;
  private readonly agentCache = new Map<string, AgentVerdict>();
  private readonly pageCache = new Map<string, string | undefined>();
  private readonly kindCache = new Map<string, number>();
  private lastUserAgent = "";
  private lastAgent: AgentVerdict | undefined;

  constructor(readonly options: RuleOptions = DEFAULT_RULE) {
    this.statuses = new Set(options.statuses);
  }

  /** Whether the page requests of bots count as page views. */
  get includesBots(): boolean {
    return this.options.includeBots;
  }

  judge(record: LogRecord): Verdict {
    if (record.method !== "GET") return METHOD;
    if (!this.statuses.has(record.status)) return STATUS;
    const type = record.contentType;
    if (type !== undefined && !isHtmlType(type)) return NOT_PAGE;
    const page = this.page(record.path);
    if (page === undefined || (type === undefined && !looksLikeHtml(page))) return NOT_PAGE;
    if (!this.inScope(page)) return EXCLUDED;
    const bot = this.agent(record.userAgent).bot;
    return { page, bot, counted: !bot || this.options.includeBots };
  }

  /**
   * A request that is no page request (`judge` said why), as docs/page-views.md's "Beyond page views"
   * sees it: a crawler's (any request of a bot), a missing page, a download, a feed. Undefined for
   * the rest (most records: the site's own scripts, styles and images).
   */
  server(record: LogRecord): ServerVerdict | undefined {
    const agent = this.agent(record.userAgent);
    const { status, method } = record;
    const client = !agent.bot || this.options.includeBots;
    let verdict: ServerVerdict | undefined;
    if ((status === 404 || status === 410) && (method === "GET" || method === "HEAD")) {
      if (client) verdict = { path: this.path(record.path), agent, notFound: true };
    } else if (status === 200 || status === 206 || status === 304) {
      // Most requests are a page's styles, scripts and images: their content type says so at once.
      const says = typeSays(record.contentType);
      // What the path is, from the path as logged: no cleaning unless it is a download or a feed.
      const kind = says === "part" ? 0 : this.kind(record.path);
      // A download is a GET that sent the file (or part of it); a feed fetch any request answered.
      if (method === "GET" && status !== 304 && client && kind & DOWNLOAD)
        verdict = { path: this.path(record.path), agent, download: true };
      else if (status !== 206 && (says === undefined ? (kind & FEED_PATH) !== 0 : says === "feed"))
        verdict = { path: this.path(record.path), agent, feed: true };
    }
    return verdict ?? (agent.bot ? { path: "", agent } : undefined);
  }

  /** A user agent as logged, decoded, and whether it is a bot's (cached: logs repeat a few agents). */
  agent(userAgent: string): AgentVerdict {
    // A page's assets follow it with the same agent: no lookup of a long key then.
    if (userAgent === this.lastUserAgent && this.lastAgent !== undefined) return this.lastAgent;
    let agent = this.agentCache.get(userAgent);
    if (agent === undefined) {
      const decoded = percentDecode(userAgent).trim();
      const cdn = isCdnFetch(decoded);
      const bot = cdn || decoded === "" || decoded === "-" || isbot(decoded);
      agent = {
        decoded,
        bot,
        cdn,
        crawler: bot ? crawlerOf(decoded) : undefined,
        reader: feedReader(decoded),
      };
      remember(this.agentCache, userAgent, agent);
    }
    this.lastUserAgent = userAgent;
    this.lastAgent = agent;
    return agent;
  }

  /** Whether a request of a path is a feed's: server.ts's isFeed, its path's part cached. */
  isFeed(path: string, contentType: string | undefined): boolean {
    return feedByType(contentType) ?? (this.kind(path) & FEED_PATH) !== 0;
  }

  /** What a path (as logged or cleaned) is: a download's, a feed's (bits; cached: logs repeat a few paths). */
  private kind(path: string): number {
    let kind = this.kindCache.get(path);
    if (kind === undefined) {
      kind = (isDownload(path) ? DOWNLOAD : 0) | (isFeedPath(path) ? FEED_PATH : 0);
      remember(this.kindCache, path, kind);
    }
    return kind;
  }

  /** A path as a page is cleaned, whatever it names ("" for none). */
  private path(path: string): string {
    return this.page(path) ?? "";
  }

  private page(path: string): string | undefined {
    let page = this.pageCache.get(path);
    if (page === undefined && !this.pageCache.has(path)) {
      page = canonicalPage(path);
      remember(this.pageCache, path, page);
    }
    return page;
  }

  private inScope(page: string): boolean {
    const { prefixes, excludes } = this.options;
    if (prefixes.length > 0 && !prefixes.some((p) => page.startsWith(p))) return false;
    return !excludes.some((p) => page.startsWith(p));
  }
}

function isHtmlType(contentType: string): boolean {
  // Most records are of other types (scripts, images): the first letter rules them out cheaply.
  const first = contentType.charCodeAt(0);
  if (first !== 116 /* t */ && first !== 84 /* T */) return false;
  return contentType.startsWith("text/html") || /^text\/html\b/i.test(contentType);
}

// Logs repeat a small set of paths and user agents; bounded caches keep memory flat on odd inputs.
const CACHE_LIMIT = 50_000;
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}
