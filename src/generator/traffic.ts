/**
 * Realistic, reproducible website traffic with the page views it must yield. Every request is
 * generated with an intent (a human page view, a bot, an asset, a redirect, ...) and the expected
 * counts come from those intents, never from pagetrack's own rule, so a test comparing them can fail.
 * A human page view also carries audience intents (audience.ts): its visitor (client IP, user agent,
 * country), whether it is an entry, and then its source and campaign.
 */
import { DIMENSIONS, type Dimension } from "../counters/registry.js";
import {
  COUNTRIES,
  ENTRY_QUERIES,
  INTERNAL_QUERIES,
  OTHER_REFERRERS,
  type ReferrerIntent,
  SEARCH_REFERRERS,
  SITE_HOST,
  SOCIAL_REFERRERS,
  USER_AGENTS,
  type Visitor,
  visitorPool,
  weighted,
} from "./audience.js";
import {
  CRAWLERS,
  countServer,
  DOWNLOADS,
  emptyServerExpected,
  FEED,
  FEED_READERS,
  type LinkIntent,
  MISSING,
  type ServerExpected,
  type ServerIntent,
} from "./server.js";

export type Intent =
  | "view"
  | "bot"
  | "asset"
  | "redirect"
  | "notFound"
  | "download"
  | "feed"
  | "aborted"
  | "head"
  | "post"
  | "options";

/** What a human page view must count as, decided when it is generated. */
export interface ViewIntent {
  /** The page (canonical path) it counts for. */
  page: string;
  /** Whether it is an entry: its referrer is `-` or not one of the site's own hosts. */
  entry: boolean;
  /** The entry's source (undefined when not an entry). */
  source?: string;
  /** The entry's `utm_campaign` (undefined when not an entry or absent). */
  campaign?: string;
  browser: string;
  os: string;
  device: string;
  /** ISO 3166-1 alpha-2 code of the visitor's IP address. */
  country: string;
  /** The visitor, `<client IP> <user agent>`. */
  visitor: string;
}

export interface TrafficEvent {
  intent: Intent;
  /** For an intended page view, the page it must count as (removed before the event is yielded). */
  page?: string;
  /** For an intended page view, its audience intents (removed before the event is yielded). */
  view?: ViewIntent;
  /** What only the server's log tells of it: crawler, missing page, download, feed (removed too). */
  server?: ServerIntent;
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
  /** The host the request was made to (Host header): CloudFront x-host-header, S3 bucket, vhost. */
  host: string;
  /** ISO 3166-1 alpha-2 code of the client's country (only CloudFront v2 logs write it). */
  country: string;
  /** 40 random bytes in base64url, as CloudFront's x-edge-request-id. */
  requestId: string;
  /** The response's bytes, which every writer but IIS's writes in the field a reader takes for them. */
  bytes: number;
}

/** Per audience dimension (of the counters' registry), each value's count. */
export type Breakdowns = Record<Dimension, Record<string, number>>;

/**
 * The value an intended page view must count under in each dimension, or undefined when it must not
 * count there: the intents themselves, never pagetrack's normalisers. A new dimension of the
 * registry needs its intended value here (and, for the traffic to exercise it, an intent above).
 */
const INTENDED: { readonly [D in Dimension]: (view: ViewIntent) => string | undefined } = {
  // Not of page views: counted from their requests' intents (countServer).
  crawler: () => undefined,
  notfound: () => undefined,
  download: () => undefined,
  source: (view) => (view.entry ? view.source : undefined),
  campaign: (view) => (view.entry ? view.campaign : undefined),
  entry: (view) => (view.entry ? view.page : undefined),
  browser: (view) => view.browser,
  os: (view) => view.os,
  device: (view) => view.device,
  country: (view) => view.country,
};

/**
 * What generated traffic must give. Every audience figure is over page views (intent "view"), bots
 * excluded, in UTC days.
 */
export interface Expected extends ServerExpected {
  lines: number;
  views: number;
  bots: number;
  pages: Record<string, number>;
  daily: Record<string, Record<string, number>>;
  /** Page views that are entries. */
  entries: number;
  /**
   * Sources, campaigns and entry pages count entries; browsers, OS, devices and countries count
   * page views. `country` assumes the log tells the country: only the `cloudfront-v2` format writes
   * one (c-country); for the other formats a log reader can only give `(unknown)`, so a test maps
   * this breakdown to `{"(unknown)": views}` for them. `source` and `entry` assume the reader knows
   * the site's own host: CloudFront, S3 and combined-with-vhost logs tell it; plain combined logs
   * need `--own-host www.example.com`.
   */
  breakdowns: Breakdowns;
  /** Per page, the sum over UTC days of the distinct (client IP, user agent) pairs that viewed it. */
  visitors: Record<string, number>;
  /** Per UTC day (`YYYY-MM-DD`), the distinct (client IP, user agent) pairs among its page views. */
  dailyVisitors: Record<string, number>;
  /** The sum of `dailyVisitors`. */
  visitorsTotal: number;
  /**
   * `crawler` counts the requests of each crawler, `notfound` those of each missing path (they are
   * also in `crawlers` and `notFound`, with their details).
   *
   * The response bytes of every request (bots, assets and all other lines included): what a reader
   * sums from the log's bytes field. IIS's default fields have no sc-bytes: there a reader gives 0.
   */
  bytes: number;
}

export interface TrafficOptions {
  /** Requests (log lines) to generate. */
  requests: number;
  /** First day, `YYYY-MM-DD` (UTC). */
  start: string;
  days: number;
  /** No request at or after this moment (epoch seconds; the demo's "now"): the days end early. */
  end?: number;
  /** Distinct blog posts besides the fixed pages. */
  posts?: number;
  seed?: number;
  /**
   * Size of the visitor pool page views are drawn from (default: one visitor per 30 requests, at
   * least 20). Visitors come back: on the same day and on others.
   */
  visitors?: number;
  /** The host the site is requested at (default `www.example.com`). */
  host?: string;
}

/** The user agents of human readers (the strings of audience.ts's USER_AGENTS). */
export const HUMAN_AGENTS = USER_AGENTS.map((agent) => agent.userAgent);

export const BOT_AGENTS = CRAWLERS.map((crawler) => crawler.userAgent);

/** Referrers of requests that are not page views (bots, probes, redirects). */
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
  "/images/logo.svg",
];
const ASSET_TYPES: Record<string, string> = {
  css: "text/css",
  js: "application/javascript",
  ico: "image/x-icon",
  jpg: "image/jpeg",
  woff2: "font/woff2",
  svg: "image/svg+xml",
};

/** How a visit starts: the share of each kind of arrival. */
const ARRIVALS = [
  { kind: "direct", weight: 34 },
  { kind: "search", weight: 32 },
  { kind: "social", weight: 12 },
  { kind: "other", weight: 10 },
  // A restored tab, a bookmark of a page opened from the site: an internal referrer, no entry.
  { kind: "internal", weight: 12 },
] as const;

/** A visit lasts while its pages are at most this far apart. */
const VISIT_GAP = 1800;
/** Page views that continue an open visit (internal navigation), when one is open. */
const CONTINUE_SHARE = 0.45;

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

/** The default size of the visitor pool for `requests` requests. */
export function defaultVisitors(requests: number): number {
  return Math.max(20, Math.round(requests / 30));
}

/**
 * The distinct visitors seen so far for an `Expected`: kept beside it (not in it, so that it stays
 * plain JSON), so that several runs filling the same `Expected` count a visitor once a day.
 */
const seen = new WeakMap<Expected, { daily: Map<string, Set<string>>; pages: Map<string, Set<string>> }>();

function count(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Adds one intended page view to `expected`. */
function countView(expected: Expected, view: ViewIntent, time: number): void {
  const { page } = view;
  const day = new Date(time * 1000).toISOString().slice(0, 10);
  expected.views++;
  count(expected.pages, page);
  const days = expected.daily[page] ?? {};
  expected.daily[page] = days;
  count(days, day);
  if (view.entry) expected.entries++;
  for (const dimension of DIMENSIONS) {
    const value = INTENDED[dimension](view);
    if (value !== undefined) count(expected.breakdowns[dimension], value);
  }
  let sets = seen.get(expected);
  if (sets === undefined) {
    sets = { daily: new Map(), pages: new Map() };
    seen.set(expected, sets);
  }
  const today = sets.daily.get(day) ?? new Set<string>();
  sets.daily.set(day, today);
  if (!today.has(view.visitor)) {
    today.add(view.visitor);
    count(expected.dailyVisitors, day);
    expected.visitorsTotal++;
  }
  const pageDay = `${day} ${page}`;
  const onPage = sets.pages.get(pageDay) ?? new Set<string>();
  sets.pages.set(pageDay, onPage);
  if (!onPage.has(view.visitor)) {
    onPage.add(view.visitor);
    count(expected.visitors, page);
  }
}

interface Visit {
  visitor: Visitor;
  /** Page views still to come. */
  left: number;
  /** The URL of the visit's last page: the referrer of its next one. */
  url: string;
  /** When its last page was viewed. */
  last: number;
}

/**
 * Generates `requests` events spread over the days, roughly in time order but with lines up to five
 * minutes out of order, as CloudFront writes them. A human page view comes with the requests for its
 * assets, so page views are about one request in seven, as on a real static site. Page views come in
 * visits of a pool's visitors: a visit starts with an arrival (direct, search, social, another site,
 * or an internal referrer) and may go on to other pages (internal navigation); visitors come back.
 * `expected` is filled in as events are produced; `onView`, if given, sees each page view with its
 * intents before they are removed from the event.
 */
export function* traffic(
  options: TrafficOptions,
  expected: Expected = emptyExpected(),
  onView?: (event: TrafficEvent, view: ViewIntent) => void,
): Generator<TrafficEvent> {
  const rand = random(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const host = options.host ?? SITE_HOST;
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
  const span = Math.max(1, Math.min(options.days * 86400, (options.end ?? Number.POSITIVE_INFINITY) - start));
  const requestId = () => {
    let id = "";
    for (let i = 0; i < 54; i++) id += BASE64URL[Math.floor(rand() * 64)];
    return `${id}==`;
  };

  const pool = visitorPool(options.visitors ?? defaultVisitors(options.requests), rand);
  // A quarter of the visits are the regulars' (the first 5% of the pool): they come back most days.
  const regulars = Math.max(1, Math.floor(pool.length / 20));
  const pickVisitor = () =>
    pool[rand() < 0.25 ? Math.floor(rand() * regulars) : Math.floor(rand() * pool.length)];
  const pickArrival = weighted(ARRIVALS, rand);
  const pickSearch = weighted(SEARCH_REFERRERS, rand);
  const pickSocial = weighted(SOCIAL_REFERRERS, rand);
  const pickOther = weighted(OTHER_REFERRERS, rand);
  const pickEntryQuery = weighted(ENTRY_QUERIES, rand);
  const pickCountry = weighted(COUNTRIES, rand);
  /** A URL of one of the site's pages, as browsers send it in Referer: mostly as is. */
  const ownUrl = (path: string) => {
    const r = rand();
    // Own hosts compare case-insensitively, ignoring a leading `www.` and any port.
    if (r < 0.04) return `https://${host.replace(/^www\./, "")}${path}`;
    if (r < 0.07) return `https://${host}:443${path}`;
    if (r < 0.09) return `https://${host.toUpperCase()}${path}`;
    return `https://${host}${path}`;
  };
  let open: Visit[] = [];

  let produced = 0;
  const emit = function* (event: TrafficEvent) {
    if (produced >= options.requests) return;
    produced++;
    expected.lines++;
    expected.bytes += event.bytes;
    if (event.intent === "view") {
      const view = event.view as ViewIntent;
      countView(expected, view, event.time);
      onView?.(event, view);
    } else if (event.intent === "bot" && event.server?.crawlerPage) expected.bots++;
    if (event.server) {
      countServer(expected, event.server, event);
      const { crawler, notFound } = event.server;
      if (crawler) count(expected.breakdowns.crawler, crawler.name);
      if (notFound) count(expected.breakdowns.notfound, notFound.path);
    }
    delete event.page;
    delete event.view;
    delete event.server;
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
      host,
      country: pickCountry().country,
      requestId: requestId(),
      bytes: 2000 + Math.floor(rand() * 30000),
      ...changes,
    });
    const r = rand();
    if (r < 0.55) {
      // A human page view, sometimes revalidated (304), sometimes with index.html or a query string,
      // then the page's assets, some of them revalidated.
      open = open.filter((visit) => time - visit.last <= VISIT_GAP);
      let visit: Visit;
      let referrer: string;
      let arrival: ReferrerIntent | undefined;
      let entry: boolean;
      if (open.length > 0 && rand() < CONTINUE_SHARE) {
        // Internal navigation: the next page of an open visit, referred by the visit's last page.
        visit = open[Math.floor(rand() * open.length)];
        referrer = visit.url;
        entry = false;
      } else {
        // A new visit, of one page or several.
        const pagesInVisit = rand() < 0.5 ? 1 : 2 + Math.floor(rand() * 4);
        visit = { visitor: pickVisitor(), left: pagesInVisit, url: "", last: time };
        if (pagesInVisit > 1) open.push(visit);
        const kind = pickArrival().kind;
        if (kind === "direct") arrival = { referrer: "-", source: "(direct)", weight: 1 };
        else if (kind === "search") arrival = pickSearch();
        else if (kind === "social") arrival = pickSocial();
        else if (kind === "other") arrival = pickOther();
        entry = arrival !== undefined;
        referrer = arrival?.referrer ?? ownUrl(pickPage().path);
      }
      const visitor = visit.visitor;
      const revalidated = rand() < 0.12;
      const view = event("view", {
        page,
        status: revalidated ? 304 : 200,
        contentType: revalidated ? "-" : "text/html",
        userAgent: visitor.agent.userAgent,
        clientIp: visitor.clientIp,
        country: visitor.country,
        referrer,
      });
      if (path.endsWith("/") && rand() < 0.15) view.path = `${path}index.html`;
      let source = arrival?.source;
      let campaign: string | undefined;
      if (entry && rand() < 0.18) {
        const query = pickEntryQuery();
        view.query = query.query;
        source = query.source ?? source;
        campaign = query.campaign;
      } else if (!entry && rand() < 0.1) {
        view.query = pick(INTERNAL_QUERIES);
      }
      view.view = {
        page,
        entry,
        source: entry ? source : undefined,
        campaign,
        browser: visitor.agent.browser,
        os: visitor.agent.os,
        device: visitor.agent.device,
        country: visitor.country,
        visitor: visitor.key,
      };
      visit.left--;
      visit.last = time;
      visit.url = ownUrl(view.query === "" ? view.path : `${view.path}?${view.query}`);
      if (visit.left <= 0) open = open.filter((v) => v !== visit);
      yield* emit(view);
      const assets = 3 + Math.floor(rand() * 6);
      const reader = {
        userAgent: visitor.agent.userAgent,
        clientIp: visitor.clientIp,
        country: visitor.country,
        referrer: `https://${host}${view.path}`,
      };
      for (let i = 0; i < assets; i++) {
        const asset = pick(ASSETS);
        const type = ASSET_TYPES[asset.split(".").pop() as string];
        const revalidated = rand() < 0.3;
        yield* emit(
          event("asset", {
            path: asset,
            contentType: type,
            status: revalidated ? 304 : 200,
            time: Math.min(time + i, start + span - 1),
            ...reader,
          }),
        );
      }
      // Some readers download a file: whole, or in a few range requests (one download); a few fetch
      // the feed themselves (a feed reader on their own machine, one more client of the feed).
      const after = rand();
      if (after >= 0.06 && after < 0.08)
        yield* emit(
          event("feed", {
            path: FEED.path,
            contentType: FEED.contentType,
            time: Math.min(time + assets, start + span - 1),
            ...reader,
            referrer: "-",
            server: { feed: { path: FEED.path } },
          }),
        );
      if (after < 0.06) {
        const file = pick(DOWNLOADS);
        const parts = rand() < 0.4 ? 2 + Math.floor(rand() * 3) : 1;
        for (let i = 0; i < parts; i++)
          yield* emit(
            event("download", {
              path: file.path,
              contentType: file.contentType,
              status: parts > 1 ? 206 : 200,
              time: Math.min(time + assets + i, start + span - 1),
              ...reader,
              server: { download: file.path },
            }),
          );
      }
    } else if (r < 0.75) {
      // Bots have addresses of their own, never a visitor's. Most fetch pages; some robots.txt or a
      // missing page (never counted as missing: bots are not readers), feed readers the feed.
      const crawler = pick(CRAWLERS);
      const bot = event("bot", {
        userAgent: crawler.userAgent,
        clientIp: `203.0.113.${Math.floor(rand() * 254) + 1}`,
      });
      const kind = rand();
      if (kind < 0.12) {
        const reader = pick(FEED_READERS);
        // The count a reader reports moves from day to day; the level is the last day's.
        const subscribers = reader.base + (Math.floor((time - start) / 86400) % 3);
        const userAgent = reader.userAgent.replace("{n}", String(subscribers));
        const revalidated = rand() < 0.3;
        Object.assign(bot, {
          intent: "feed",
          userAgent,
          path: FEED.path,
          status: revalidated ? 304 : 200,
          contentType: revalidated ? "-" : FEED.contentType,
          server: {
            crawler: { userAgent, name: reader.name, category: reader.category },
            feed: { path: FEED.path, reader: { name: reader.name, subscribers } },
          },
        });
      } else if (kind < 0.25) {
        Object.assign(bot, { path: "/robots.txt", contentType: "text/plain", server: { crawler } });
      } else if (kind < 0.32) {
        Object.assign(bot, { path: pick(MISSING), status: 404, server: { crawler } });
      } else bot.server = { crawler, crawlerPage: true };
      yield* emit(bot);
    } else if (r < 0.8) {
      yield* emit(
        event("redirect", {
          status: 301,
          path: path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : "/blog",
        }),
      );
    } else if (r < 0.86) {
      // A missing page: typed or probed (no referrer), linked from another site, or from one of the
      // site's own pages (a broken link); some answered 410, some asked for with HEAD.
      const missing = event("notFound", {
        status: rand() < 0.15 ? 410 : 404,
        method: rand() < 0.1 ? "HEAD" : "GET",
        path: pick(MISSING),
      });
      let link: LinkIntent;
      if (rand() < 0.3) {
        const from = pickPage();
        missing.referrer = ownUrl(from.path);
        link = { kind: "internal", page: from.page };
      } else if (missing.referrer === "-") link = { kind: "none" };
      // Hosts as sources name them: lower case, without `www.`.
      else link = { kind: "external", referrer: missing.referrer.replace(/^https?:\/\/(www\.)?/, "") };
      missing.server = { notFound: { path: missing.path, link } };
      yield* emit(missing);
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
  const server = emptyServerExpected();
  const breakdowns = Object.fromEntries(DIMENSIONS.map((d) => [d, {}])) as Breakdowns;
  // Downloads are a dimension too: the same counts.
  breakdowns.download = server.downloads;
  return {
    lines: 0,
    views: 0,
    bots: 0,
    pages: {},
    daily: {},
    entries: 0,
    breakdowns,
    ...server,
    visitors: {},
    dailyVisitors: {},
    visitorsTotal: 0,
    bytes: 0,
  };
}
