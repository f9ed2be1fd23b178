/**
 * What only the server's log knows besides page views (docs/page-views.md, "Downloads, feeds and
 * missing pages"): which requests are downloads and feeds, how many subscribers a feed reader
 * reports, and where the link to a missing page was. Pure functions; the caller decides which
 * requests to ask about (methods, statuses, clients).
 */
import { referrerHost } from "../audience/referrer.js";
import { crawlerOf, OTHER_BOT } from "./crawler.js";
import { canonicalPage } from "./page.js";

/**
 * Extensions of files people download rather than read in the browser: documents and e-books,
 * archives and packages, installers and disk images, audio, video, office files and data. Images,
 * scripts, styles, fonts and `.txt`/`.json`/`.xml` are left out: browsers fetch them as parts of
 * pages.
 */
const DOWNLOAD_EXTENSIONS: ReadonlySet<string> = new Set([
  // documents and e-books
  "pdf",
  "epub",
  "mobi",
  "azw3",
  "rtf",
  // archives
  "zip",
  "gz",
  "tgz",
  "bz2",
  "xz",
  "tar",
  "7z",
  "rar",
  // installers, packages and disk images
  "dmg",
  "exe",
  "msi",
  "pkg",
  "deb",
  "rpm",
  "apk",
  "appimage",
  "jar",
  "whl",
  "iso",
  "img",
  "torrent",
  // audio
  "mp3",
  "m4a",
  "ogg",
  "opus",
  "flac",
  "wav",
  // video
  "mp4",
  "m4v",
  "mov",
  "webm",
  "mkv",
  "avi",
  // office files and data
  "doc",
  "docx",
  "xls",
  "xlsx",
  "ppt",
  "pptx",
  "odt",
  "ods",
  "odp",
  "key",
  "numbers",
  "pages",
  "csv",
]);

/** The extension of a path's last segment in lower case, "" when it has none. */
function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** Up to the query string or fragment, for a path given as requested rather than cleaned. */
function withoutQuery(path: string): string {
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/** Whether a page (a path) is a downloadable file: `/files/report.pdf`, not `/pdf/` nor `/a.pdf.html`. */
export function isDownload(page: string): boolean {
  return DOWNLOAD_EXTENSIONS.has(extensionOf(withoutQuery(page)));
}

/** Media types that are feeds whatever the path. */
const FEED_TYPES: ReadonlySet<string> = new Set([
  "application/rss+xml",
  "application/atom+xml",
  "application/feed+json",
]);

/**
 * Paths of feeds (compared without case): a `.rss` or `.atom` file; a `feed` or `rss` folder or file
 * without extension (`/feed/`, `/blog/feed`, `/rss/`), and WordPress's `/feed/atom/`, `/feed/rss2/`,
 * `/feed/rdf/`; a file whose name ends in `feed.xml`, `atom.xml`, `rss.xml` or `feed.json` (JSON
 * Feed's usual name); a file named `index.xml` (Hugo's feeds), only the whole name, because sitemap
 * indexes are `sitemap_index.xml`.
 */
const FEED_PATH =
  /(?:\.rss|\.atom|\/(?:feed|rss)\/?|\/feed\/(?:atom|rss2?|rdf)\/?|(?:feed|atom|rss)\.xml|\/index\.xml|feed\.json)$/i;

/**
 * What a response's content type says of it: a feed (RSS, Atom, JSON Feed); a page (HTML: a feed
 * path answered as HTML is a page about the feed, not the feed); a part of a page (styles, scripts,
 * images, fonts: never a feed nor a download); or nothing (none logged; generic XML and JSON types,
 * which sitemaps and APIs use too), and then the path tells.
 */
export type TypeSays = "feed" | "page" | "part" | undefined;

export function typeSays(contentType: string | undefined): TypeSays {
  if (contentType === undefined || contentType === "-") return undefined;
  if (contentType === "text/html") return "page"; // most responses: no string work
  // Logs repeat a few content types: each is read once.
  let says = TYPE_SAYS.get(contentType);
  if (says === undefined) {
    const type = contentType.split(";")[0].trim().toLowerCase();
    says = FEED_TYPES.has(type)
      ? "feed"
      : type === "text/html" || type === "application/xhtml+xml"
        ? "page"
        : PART.test(type)
          ? "part"
          : "";
    if (TYPE_SAYS.size < 1000) TYPE_SAYS.set(contentType, says);
  }
  return says === "" ? undefined : says;
}
const TYPE_SAYS = new Map<string, "feed" | "page" | "part" | "">();
const PART = /^(?:image\/|font\/|text\/css$|(?:text|application)\/(?:x-)?javascript$)/;

/** What a content type says of a feed: true, false, or undefined when the path must tell (typeSays). */
export function feedByType(contentType: string | undefined): boolean | undefined {
  const says = typeSays(contentType);
  return says === undefined ? undefined : says === "feed";
}

/** Whether a path is a feed's (FEED_PATH). */
export function isFeedPath(page: string): boolean {
  return FEED_PATH.test(withoutQuery(page));
}

/** Whether a request is for a feed: its content type is RSS, Atom or JSON Feed, or its path is a feed's (feedByType). */
export function isFeed(page: string, contentType: string | undefined): boolean {
  return feedByType(contentType) ?? isFeedPath(page);
}

/** `123 subscribers`, `1 subscriber`, `1,234 readers`: the count a feed reader writes in its user agent. */
const SUBSCRIBERS = /(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+) (?:subscriber|reader)s?\b/i;

/** The `Mozilla/5.0 (compatible; ` many fetchers write before their own name. */
const MOZILLA_COMPATIBLE = /^Mozilla\/[\d.]+ \(compatible; */i;

/**
 * What a feed reader that counts its subscribers says: its name and the count, as in
 * `Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; …)` or `NewsBlur Feed Fetcher
 * - 12 subscribers - …`. The name is the crawler's (`Feedly`, `Inoreader`, `NewsBlur`), the same
 * as in the crawler counts; for a reader the crawler list lacks, the first token of the user agent
 * after any `Mozilla/5.0 (compatible;`, up to a `/`, space, `;` or parenthesis. Undefined when the
 * user agent reports no count.
 */
/** A feed reader that reports how many subscribers it fetches a feed for. */
export interface FeedReader {
  name: string;
  subscribers: number;
}

export function feedReader(userAgent: string): FeedReader | undefined {
  const count = SUBSCRIBERS.exec(userAgent);
  if (count === null) return undefined;
  const subscribers = Number(count[1].replaceAll(",", ""));
  const crawler = crawlerOf(userAgent);
  const name = crawler === OTHER_BOT ? productToken(userAgent) : crawler.name;
  return { name, subscribers };
}

/** The first token of a user agent, or `(other reader)` when it begins with its count. */
function productToken(userAgent: string): string {
  const rest = userAgent.replace(MOZILLA_COMPATIBLE, "").trimStart();
  const token = /^[^/\s;()]+/.exec(rest);
  return token === null || /^\d/.test(token[0]) ? "(other reader)" : token[0];
}

export type NotFoundSource =
  | { kind: "internal"; page: string }
  | { kind: "external"; referrer: string }
  | { kind: "none" };

/**
 * Where the link to a missing page was, from the request's referrer: `none` without one (`-`, "",
 * or text that is not a URL); `internal` when its host is one of the site's own (`ownHost` is asked
 * with the host normalised as everywhere: lower case, no `www.`, no port), with the linking page
 * cleaned as pages are; otherwise `external`, as the normalised host and the path as logged, without
 * scheme, query or fragment (`https://www.example.com/a/?q=1` is `example.com/a/`).
 */
export function notFoundSource(referrer: string, ownHost: (host: string) => boolean): NotFoundSource {
  const host = referrerHost(referrer);
  if (host === undefined) return { kind: "none" };
  const path = pathOf(referrer);
  if (ownHost(host)) return { kind: "internal", page: canonicalPage(path) ?? "/" };
  return { kind: "external", referrer: `${host}${withoutQuery(path)}` };
}

/** The path of a URL that has a host (`referrerHost` found one): from the first `/`, `/` when none. */
function pathOf(url: string): string {
  const authority = url.indexOf("://") + 3;
  const end = url.slice(authority).search(/[/?#]/);
  if (end === -1) return "/";
  const rest = url.slice(authority + end);
  return rest.startsWith("/") ? rest : `/${rest}`;
}
