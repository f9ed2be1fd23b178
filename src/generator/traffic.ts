/**
 * Realistic, reproducible website traffic with the page views it must yield. Every request is
 * generated with an intent (a human page view, a bot, an asset, a redirect, ...) and the expected
 * counts come from those intents, never from pagetrack's own rule, so a test comparing them can fail.
 */

export type Intent =
  | "view"
  | "bot"
  | "asset"
  | "redirect"
  | "notFound"
  | "aborted"
  | "head"
  | "post"
  | "options";

export interface TrafficEvent {
  intent: Intent;
  /** For an intended page view, the page it must count as (removed before the event is yielded). */
  page?: string;
  /** Epoch seconds. */
  time: number;
  method: string;
  /** 0 for a request the client aborted (CloudFront logs 000). */
  status: number;
  /** The path as the client sent it: percent-encoded, maybe with `index.html`. */
  path: string;
  /** The query string without `?`, or "". */
  query: string;
  contentType: string;
  userAgent: string;
  referrer: string;
  clientIp: string;
  /** 40 random bytes in base64url, as CloudFront's x-edge-request-id. */
  requestId: string;
  bytes: number;
}

export interface Expected {
  lines: number;
  views: number;
  bots: number;
  pages: Record<string, number>;
  daily: Record<string, Record<string, number>>;
}

export interface TrafficOptions {
  /** Requests (log lines) to generate. */
  requests: number;
  /** First day, `YYYY-MM-DD` (UTC). */
  start: string;
  days: number;
  /** Distinct blog posts besides the fixed pages. */
  posts?: number;
  seed?: number;
}

export const HUMAN_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
];

export const BOT_AGENTS = [
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
  "curl/8.5.0",
  "python-requests/2.31.0",
  "Go-http-client/1.1",
  "-",
];

const REFERRERS = [
  "-",
  "-",
  "-",
  "https://www.google.com/",
  "https://news.ycombinator.com/",
  "https://duckduckgo.com/",
];
const ASSETS = [
  "/assets/site.css",
  "/assets/app.js",
  "/favicon.ico",
  "/images/header.jpg",
  "/fonts/inter.woff2",
  "/feed.xml",
];
const ASSET_TYPES: Record<string, string> = {
  css: "text/css",
  js: "application/javascript",
  ico: "image/x-icon",
  jpg: "image/jpeg",
  woff2: "font/woff2",
  xml: "application/rss+xml",
};

/** The site's pages as a client requests them (encoded), with the page each one must count as. */
export function sitePages(posts: number): { path: string; page: string }[] {
  const pages = [
    { path: "/", page: "/" },
    { path: "/about/", page: "/about/" },
    { path: "/blog/", page: "/blog/" },
    { path: "/contact", page: "/contact" },
    { path: "/old/notes.html", page: "/old/notes.html" },
    // A UTF-8 path, percent-encoded by the browser.
    { path: "/blog/caf%C3%A9-cr%C3%A8me/", page: "/blog/café-crème/" },
  ];
  for (let i = 1; i <= posts; i++) pages.push({ path: `/blog/post-${i}/`, page: `/blog/post-${i}/` });
  return pages;
}

/** mulberry32: small, fast and good enough for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Generates `requests` events spread over the days, roughly in time order but with lines up to five
 * minutes out of order, as CloudFront writes them. A human page view comes with the requests for its
 * assets, so page views are about one request in seven, as on a real static site. `expected` is
 * filled in as events are produced.
 */
export function* traffic(
  options: TrafficOptions,
  expected: Expected = emptyExpected(),
): Generator<TrafficEvent> {
  const rand = random(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const pages = sitePages(options.posts ?? 30);
  // Zipf-like popularity: the home page and a few posts get most views.
  const weights = pages.map((_, i) => 1 / (i + 1) ** 0.9);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickPage = () => {
    let r = rand() * totalWeight;
    for (let i = 0; i < pages.length; i++) {
      r -= weights[i];
      if (r <= 0) return pages[i];
    }
    return pages[pages.length - 1];
  };
  const start = Date.parse(`${options.start}T00:00:00Z`) / 1000;
  const span = options.days * 86400;
  const requestId = () => {
    let id = "";
    for (let i = 0; i < 54; i++) id += BASE64URL[Math.floor(rand() * 64)];
    return `${id}==`;
  };

  let produced = 0;
  const emit = function* (event: TrafficEvent) {
    if (produced >= options.requests) return;
    produced++;
    expected.lines++;
    if (event.intent === "view") {
      const page = event.page as string;
      expected.views++;
      expected.pages[page] = (expected.pages[page] ?? 0) + 1;
      const day = new Date(event.time * 1000).toISOString().slice(0, 10);
      const days = expected.daily[page] ?? {};
      expected.daily[page] = days;
      days[day] = (days[day] ?? 0) + 1;
    } else if (event.intent === "bot") expected.bots++;
    delete event.page;
    yield event;
  };

  while (produced < options.requests) {
    const base = start + Math.floor((produced / options.requests) * span);
    const time = Math.min(start + span - 1, Math.max(start, base + Math.floor((rand() - 0.5) * 600)));
    const { path, page } = pickPage();
    const agent = pick(HUMAN_AGENTS);
    const ip = `198.51.100.${Math.floor(rand() * 254) + 1}`;
    const event = (intent: Intent, changes: Partial<TrafficEvent> = {}): TrafficEvent => ({
      intent,
      time,
      method: "GET",
      status: 200,
      path,
      query: "",
      contentType: "text/html",
      userAgent: agent,
      referrer: pick(REFERRERS),
      clientIp: ip,
      requestId: requestId(),
      bytes: 2000 + Math.floor(rand() * 30000),
      ...changes,
    });
    const r = rand();
    if (r < 0.55) {
      // A human page view, sometimes revalidated (304), with index.html or a campaign query string,
      // then the page's assets, some of them revalidated.
      const revalidated = rand() < 0.12;
      const view = event("view", {
        page,
        status: revalidated ? 304 : 200,
        contentType: revalidated ? "-" : "text/html",
      });
      if (path.endsWith("/") && rand() < 0.15) view.path = `${path}index.html`;
      if (rand() < 0.1) view.query = `utm_source=newsletter&id=${Math.floor(rand() * 1000)}`;
      yield* emit(view);
      const assets = 3 + Math.floor(rand() * 6);
      for (let i = 0; i < assets; i++) {
        const asset = pick(ASSETS);
        const type = ASSET_TYPES[asset.split(".").pop() as string];
        yield* emit(
          event("asset", {
            path: asset,
            contentType: type,
            status: rand() < 0.3 ? 304 : 200,
            time: time + i,
          }),
        );
      }
    } else if (r < 0.75) {
      yield* emit(event("bot", { userAgent: pick(BOT_AGENTS) }));
    } else if (r < 0.8) {
      yield* emit(
        event("redirect", {
          status: 301,
          path: path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : "/blog",
        }),
      );
    } else if (r < 0.86) {
      yield* emit(
        event("notFound", {
          status: 404,
          path: pick(["/wp-login.php", "/missing/", "/.env", "/blog/no-such-post/"]),
        }),
      );
    } else if (r < 0.88) {
      yield* emit(event("aborted", { status: 0, contentType: "-" }));
    } else if (r < 0.93) {
      yield* emit(event("head", { method: "HEAD" }));
    } else if (r < 0.97) {
      yield* emit(event("post", { method: "POST", path: "/api/contact", contentType: "application/json" }));
    } else {
      yield* emit(event("options", { method: "OPTIONS", contentType: "-" }));
    }
  }
}

export function emptyExpected(): Expected {
  return { lines: 0, views: 0, bots: 0, pages: {}, daily: {} };
}
