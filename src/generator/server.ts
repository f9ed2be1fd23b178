/**
 * The intents of the requests that only the server's log tells of (docs/page-views.md, "Beyond page
 * views"): which crawler a bot is, where a missing page was linked from, which file a download is,
 * which feed a fetch is and the subscribers its reader reports. The expected counts come from these
 * intents, never from pagetrack's own rule.
 */
import type { Category } from "../pageview/crawler.js";

/** A bot as it writes its user agent, and the crawler it must be counted as. */
export interface CrawlerIntent {
  userAgent: string;
  name: string;
  category: Category;
}

/** The bots of the traffic: every category, the unnamed ones as `(other bot)`. */
export const CRAWLERS: readonly CrawlerIntent[] = [
  {
    userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    name: "Googlebot",
    category: "search",
  },
  {
    userAgent: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    name: "bingbot",
    category: "search",
  },
  {
    userAgent: "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    name: "AhrefsBot",
    category: "seo",
  },
  {
    userAgent:
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    name: "GPTBot",
    category: "ai",
  },
  {
    userAgent:
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
    name: "ClaudeBot",
    category: "ai",
  },
  {
    userAgent:
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
    name: "PerplexityBot",
    category: "ai",
  },
  {
    userAgent: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    name: "facebookexternalhit",
    category: "social",
  },
  {
    userAgent: "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    name: "UptimeRobot",
    category: "monitor",
  },
  { userAgent: "curl/8.5.0", name: "curl", category: "other" },
  { userAgent: "python-requests/2.31.0", name: "python-requests", category: "other" },
  { userAgent: "Go-http-client/1.1", name: "Go-http-client", category: "other" },
  { userAgent: "-", name: "(other bot)", category: "other" },
];

/** Feed readers that report their subscribers; `{n}` is replaced by the count of the day. */
export const FEED_READERS = [
  {
    name: "Feedly",
    category: "feed" as const,
    userAgent: "Feedly/1.0 (+http://www.feedly.com/fetcher.html; {n} subscribers; like FeedFetcher-Google)",
    base: 40,
  },
  {
    name: "Inoreader",
    category: "feed" as const,
    userAgent: "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; {n} subscribers; )",
    base: 7,
  },
];

/** The feed the site publishes, and its content type. */
export const FEED = { path: "/feed.xml", contentType: "application/rss+xml" };

/** Files readers download, with their content types. */
export const DOWNLOADS = [
  { path: "/files/guide.pdf", contentType: "application/pdf" },
  { path: "/files/talk.mp4", contentType: "video/mp4" },
  { path: "/files/source.zip", contentType: "application/zip" },
];

/** Paths that are missing, as the requests name them and as they must be counted. */
export const MISSING = ["/wp-login.php", "/missing/", "/.env", "/blog/no-such-post/"];

/** Where a missing page's link was, as it must be counted. */
export type LinkIntent =
  | { kind: "internal"; page: string }
  | { kind: "external"; referrer: string }
  | { kind: "none" };

/** What the server-side counts of generated traffic must be (see Expected). */
export interface ServerExpected {
  crawlers: Record<
    string,
    { category: Category; requests: number; pages: number; bytes: number; last: string }
  >;
  notFound: Record<
    string,
    { requests: number; internal: Record<string, number>; external: Record<string, number>; none: number }
  >;
  /** Each file's downloads: distinct (client IP, user agent) pairs a UTC day, summed over days. */
  downloads: Record<string, number>;
  feeds: Record<string, { subscribers: number; day: string; readers: Record<string, number> }>;
}

/** A request's server-side intents, as the traffic sets them on its event. */
export interface ServerIntent {
  crawler?: CrawlerIntent;
  /** The crawler's request is a page request (counted among its `pages`). */
  crawlerPage?: boolean;
  notFound?: { path: string; link: LinkIntent };
  download?: string;
  feed?: { path: string; reader?: { name: string; subscribers: number } };
}

export function emptyServerExpected(): ServerExpected {
  return { crawlers: {}, notFound: {}, downloads: {}, feeds: {} };
}

/** Kept beside an Expected (not in it): the distinct clients and levels seen so far, per UTC day. */
interface Seen {
  downloads: Set<string>;
  /** feed → day → { readers' largest counts, other clients } */
  feeds: Map<string, Map<string, { readers: Map<string, number>; clients: Set<string> }>>;
}
const seen = new WeakMap<ServerExpected, Seen>();

/** Adds one request's server-side intents to `expected`. */
export function countServer(
  expected: ServerExpected,
  intent: ServerIntent,
  request: { time: number; bytes: number; clientIp: string; userAgent: string },
): void {
  let state = seen.get(expected);
  if (state === undefined) {
    state = { downloads: new Set(), feeds: new Map() };
    seen.set(expected, state);
  }
  const day = new Date(request.time * 1000).toISOString().slice(0, 10);
  const client = `${request.clientIp} ${request.userAgent}`;
  const { crawler, notFound, download, feed } = intent;
  if (crawler) {
    expected.crawlers[crawler.name] ??= {
      category: crawler.category,
      requests: 0,
      pages: 0,
      bytes: 0,
      last: "",
    };
    const c = expected.crawlers[crawler.name];
    c.requests++;
    if (intent.crawlerPage) c.pages++;
    c.bytes += request.bytes;
    const last = new Date(request.time * 1000).toISOString().replace(".000Z", "Z");
    if (last > c.last) c.last = last;
  }
  if (notFound) {
    expected.notFound[notFound.path] ??= { requests: 0, internal: {}, external: {}, none: 0 };
    const n = expected.notFound[notFound.path];
    n.requests++;
    const { link } = notFound;
    if (link.kind === "internal") n.internal[link.page] = (n.internal[link.page] ?? 0) + 1;
    else if (link.kind === "external") n.external[link.referrer] = (n.external[link.referrer] ?? 0) + 1;
    else n.none++;
  }
  if (download) {
    const key = `${day} ${download} ${client}`;
    if (!state.downloads.has(key)) {
      state.downloads.add(key);
      expected.downloads[download] = (expected.downloads[download] ?? 0) + 1;
    }
  }
  if (feed) {
    let days = state.feeds.get(feed.path);
    if (days === undefined) {
      days = new Map();
      state.feeds.set(feed.path, days);
    }
    let today = days.get(day);
    if (today === undefined) {
      today = { readers: new Map(), clients: new Set() };
      days.set(day, today);
    }
    if (feed.reader)
      today.readers.set(
        feed.reader.name,
        Math.max(today.readers.get(feed.reader.name) ?? 0, feed.reader.subscribers),
      );
    else today.clients.add(client);
    // A level: the subscribers of the last day with fetches.
    const last = [...days.keys()].sort().at(-1) as string;
    const of = days.get(last) as { readers: Map<string, number>; clients: Set<string> };
    const readers = Object.fromEntries(of.readers);
    const subscribers = of.clients.size + [...of.readers.values()].reduce((a, b) => a + b, 0);
    expected.feeds[feed.path] = { subscribers, day: last, readers };
  }
}
