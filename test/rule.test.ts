import { describe, expect, it } from "vitest";
import type { LogRecord } from "../src/formats/record.js";
import { cdnHint } from "../src/pageview/cdn.js";
import { percentDecode } from "../src/pageview/decode.js";
import { canonicalPage, looksLikeHtml } from "../src/pageview/page.js";
import { DEFAULT_RULE, PageViewRule } from "../src/pageview/rule.js";

describe("canonical page", () => {
  it.each([
    ["/", "/"],
    ["/index.html", "/"],
    ["/blog/x/index.html", "/blog/x/"],
    ["/blog/x/?utm_source=a", "/blog/x/"],
    ["/blog/x/#top", "/blog/x/"],
    ["/blog/caf%C3%A9/", "/blog/café/"],
    ["/blog/caf%25C3%25A9/", "/blog/café/"],
    ["/100%25", "/100%"],
    // Escapes of bytes that are not UTF-8 stay escapes (in upper case): distinct URLs stay distinct.
    ["/bad%E0%A4%A", "/bad%E0%A4%A"],
    ["/c/bad%E9encoding/", "/c/bad%E9encoding/"],
    ["/c/bad%e9encoding/", "/c/bad%E9encoding/"],
    ["/c/bad%E8encoding/", "/c/bad%E8encoding/"],
    ["/c/caf%C3%A9/r%E9sum%E9/", "/c/café/r%E9sum%E9/"],
    ["/c/%C3%A9%E9%C3%A8/", "/c/é%E9è/"],
    ["/c/bad%25E9encoding/", "/c/bad%E9encoding/"],
    ["/c/%F0%9F%8C%8D%ED%A0%80/", "/c/🌍%ED%A0%80/"],
    ["/c/%C3/", "/c/%C3/"],
    ["/100%/caf%C3%A9", "/100%/café"],
    ["/a%20b.html", "/a b.html"],
    ["blog/x/index.html", "/blog/x/"],
    ["", undefined],
    // Directory indexes fold into their folder, whatever their case (IIS paths have none).
    ["/index.htm", "/"],
    ["/blog/x/index.php", "/blog/x/"],
    ["/Default.aspx", "/"],
    ["/shop/DEFAULT.ASP", "/shop/"],
    ["/a/default.htm?x=1", "/a/"],
    ["/a/index.shtml", "/a/"],
    ["/a/index.jsp;jsessionid=0AB1", "/a/"],
    ["/a/myindex.html", "/a/myindex.html"],
    ["/index.php/blog/post", "/index.php/blog/post"],
    ["/a/index.html/", "/a/index.html/"],
    // Path parameters are dropped from every segment; an escaped semicolon is part of a name.
    ["/a;jsessionid=XYZ", "/a"],
    ["/shop;jsessionid=1/item", "/shop/item"],
    ["/a;x=1;y=2/b;z/", "/a/b/"],
    ["/a;jsessionid=1?q=2", "/a"],
    ["/a%3Bb", "/a;b"],
  ])("%s is %s", (path, page) => {
    expect(canonicalPage(path)).toBe(page);
  });

  it.each([
    ["/", true],
    ["/about", true],
    ["/a.html", true],
    ["/a.HTM", true],
    ["/v1.2/", true],
    ["/style.css", false],
    ["/feed.xml", false],
    ["/v1.2/notes", true],
    ["/index.php", true],
    ["/shop/cart.ASPX", true],
    ...["asp", "jsp", "jspx", "cfm", "shtml", "phtml", "php5", "xhtml", "cgi", "do", "action"].map(
      (ext) => [`/a.${ext}`, true] as [string, boolean],
    ),
    ["/script.pl", false],
    ["/service.asmx", false],
    ["/app.js", false],
  ])("%s looks like HTML: %s", (page, html) => {
    expect(looksLikeHtml(page)).toBe(html);
  });

  it("keeps two Latin-1 URLs that differ in one byte two pages", () => {
    const pages = ["/c/caf%E9/", "/c/caf%E8/", "/c/caf%C3%A9/"].map(canonicalPage);
    expect(new Set(pages).size).toBe(3);
    expect(pages.some((p) => p?.includes("\uFFFD"))).toBe(false);
  });

  it("decodes double-encoded user agents once more", () => {
    expect(percentDecode("Mozilla/5.0%2520(X11)")).toBe("Mozilla/5.0 (X11)");
    expect(percentDecode("plain")).toBe("plain");
  });
});

describe("page-view rule", () => {
  const human = "Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0";
  const base: LogRecord = {
    time: 0,
    method: "GET",
    status: 200,
    bytes: 0,
    path: "/a/",
    contentType: "text/html; charset=utf-8",
    userAgent: human,
    referrer: "-",
    requestId: "r",
    clientIp: "192.0.2.1",
    host: "example.com",
  };
  it.each([
    [{}, { page: "/a/", bot: false, counted: true }],
    [
      { status: 304, contentType: undefined },
      { page: "/a/", bot: false, counted: true },
    ],
    [{ method: "HEAD" }, { reason: "method" }],
    [{ method: "POST" }, { reason: "method" }],
    [{ status: 0 }, { reason: "status" }],
    [{ status: 301 }, { reason: "status" }],
    [{ status: 404 }, { reason: "status" }],
    [{ contentType: "text/css" }, { reason: "notPage" }],
    [{ contentType: undefined, path: "/a.png" }, { reason: "notPage" }],
    // Server-side pages count without a content type, by their extension.
    [
      { contentType: undefined, path: "/shop/Default.aspx;jsessionid=1?id=2" },
      { page: "/shop/", bot: false, counted: true },
    ],
    [
      { contentType: undefined, path: "/forum/viewtopic.php?t=1" },
      { page: "/forum/viewtopic.php", bot: false, counted: true },
    ],
    // A content type, where the log has one, still decides.
    [{ contentType: "application/json", path: "/api.php" }, { reason: "notPage" }],
    [
      { contentType: "text/html", path: "/looks-like.png" },
      { page: "/looks-like.png", bot: false, counted: true },
    ],
    [{ path: "" }, { reason: "notPage" }],
    // A bot's page request: reported, not counted.
    [{ userAgent: "-" }, { page: "/a/", bot: true, counted: false }],
    [{ userAgent: "" }, { page: "/a/", bot: true, counted: false }],
    [
      { userAgent: "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)" },
      { page: "/a/", bot: true, counted: false },
    ],
    [{ userAgent: "curl/8.5.0" }, { page: "/a/", bot: true, counted: false }],
    // CloudFront fetching from its origin (an S3 access log of the bucket behind it).
    [{ userAgent: "Amazon CloudFront" }, { page: "/a/", bot: true, counted: false }],
  ] as [Partial<LogRecord>, object][])("%o gives %o", (change, verdict) => {
    expect(new PageViewRule().judge({ ...base, ...change })).toEqual(verdict);
  });

  it("tells a request that is no page view what only the server's log knows of it", () => {
    const rule = new PageViewRule();
    const server = (change: Partial<LogRecord>) => {
      const verdict = rule.server({ ...base, ...change });
      return (
        verdict && {
          path: verdict.path,
          notFound: verdict.notFound,
          download: verdict.download,
          feed: verdict.feed,
          crawler: verdict.agent.crawler?.name,
        }
      );
    };
    const none = { notFound: undefined, download: undefined, feed: undefined, crawler: undefined };
    expect(server({ status: 404, path: "/old/index.html" })).toEqual({
      ...none,
      path: "/old/",
      notFound: true,
    });
    expect(server({ status: 410, method: "HEAD", path: "/gone/" })).toEqual({
      ...none,
      path: "/gone/",
      notFound: true,
    });
    // A missing page asked for by a bot is its crawler's request, not a missing page a reader met.
    expect(server({ status: 404, userAgent: "curl/8.5.0" })).toEqual({ ...none, path: "", crawler: "curl" });
    expect(server({ status: 206, path: "/a.pdf", contentType: "application/pdf" })).toEqual({
      ...none,
      path: "/a.pdf",
      download: true,
    });
    // Revalidated (nothing sent) or only asked about: no download.
    expect(server({ status: 304, path: "/a.pdf" })).toBeUndefined();
    expect(server({ method: "HEAD", path: "/a.pdf" })).toBeUndefined();
    // A feed fetch, by any request answered 200 or 304, bots included.
    expect(server({ status: 304, path: "/feed.xml", contentType: undefined })).toEqual({
      ...none,
      path: "/feed.xml",
      feed: true,
    });
    expect(server({ method: "HEAD", path: "/blog/rss/", contentType: "application/rss+xml" })).toEqual({
      ...none,
      path: "/blog/rss/",
      feed: true,
    });
    expect(
      server({
        path: "/feed.xml",
        contentType: "application/rss+xml",
        userAgent: "Feedly/1.0%20(+http://www.feedly.com/fetcher.html;%2012%20subscribers)",
      }),
    ).toMatchObject({ feed: true, crawler: "Feedly" });
    // Anything else of a reader is nothing; of a bot, its crawler's request.
    expect(server({ path: "/style.css", contentType: "text/css" })).toBeUndefined();
    expect(server({ method: "POST", userAgent: "python-requests/2.31" })).toEqual({
      ...none,
      path: "",
      crawler: "python-requests",
    });
  });

  it("applies prefixes, excludes, statuses and includeBots", () => {
    const rule = new PageViewRule({
      includeBots: true,
      prefixes: ["/blog/"],
      excludes: ["/blog/drafts/"],
      statuses: [200],
    });
    expect(rule.judge({ ...base, path: "/about/" })).toEqual({ reason: "excluded" });
    expect(rule.judge({ ...base, path: "/blog/drafts/x/" })).toEqual({ reason: "excluded" });
    expect(rule.judge({ ...base, path: "/blog/x/", status: 304 })).toEqual({ reason: "status" });
    expect(rule.judge({ ...base, path: "/blog/x/", userAgent: "curl/8" })).toEqual({
      page: "/blog/x/",
      bot: true,
      counted: true,
    });
    expect(DEFAULT_RULE.statuses).toEqual([200, 304]);
  });
});

describe("CDN fetches from the origin", () => {
  it("knows CloudFront's own user agent, as S3 and CloudFront logs write it", () => {
    const rule = new PageViewRule();
    for (const agent of ["Amazon CloudFront", "Amazon%20CloudFront", "amazon cloudfront"])
      expect(rule.agent(agent)).toMatchObject({ bot: true, cdn: true });
    for (const agent of [
      "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0",
      "curl/8.5.0",
      "-",
      "Amazon CloudFront x",
    ])
      expect(rule.agent(agent).cdn).toBe(false);
  });

  it("gives a hint when most page requests are a CDN's fetches, and only then", () => {
    // 0 views of readers, 10 page requests of bots, all CloudFront's.
    expect(cdnHint({ views: 0, bots: 10, cdnFetches: 10 }, false)).toMatch(
      /^most page requests \(10 of 10\) came from "Amazon CloudFront": .*Count CloudFront's own logs instead/,
    );
    expect(cdnHint({ views: 4, bots: 6, cdnFetches: 6 }, false)).toMatch(/\(6 of 10\)/);
    // Half or less: a site with a few origin fetches among its readers' views.
    expect(cdnHint({ views: 5, bots: 5, cdnFetches: 5 }, false)).toBeUndefined();
    expect(cdnHint({ views: 100, bots: 30, cdnFetches: 2 }, false)).toBeUndefined();
    expect(cdnHint({ views: 0, bots: 0, cdnFetches: 0 }, false)).toBeUndefined();
    // With --include-bots the views hold the bots' requests too.
    expect(cdnHint({ views: 10, bots: 6, cdnFetches: 6 }, true)).toMatch(/\(6 of 10\)/);
    expect(cdnHint({ views: 12, bots: 6, cdnFetches: 6 }, true)).toBeUndefined();
  });
});
