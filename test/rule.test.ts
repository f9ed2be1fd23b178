import { describe, expect, it } from "vitest";
import type { LogRecord } from "../src/formats/record.js";
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
    ["/bad%E0%A4%A", "/bad\uFFFD%A"],
    ["/a%20b.html", "/a b.html"],
    ["blog/x/index.html", "/blog/x/"],
    ["", undefined],
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
  ])("%s looks like HTML: %s", (page, html) => {
    expect(looksLikeHtml(page)).toBe(html);
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
  ] as [Partial<LogRecord>, object][])("%o gives %o", (change, verdict) => {
    expect(new PageViewRule().judge({ ...base, ...change })).toEqual(verdict);
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
