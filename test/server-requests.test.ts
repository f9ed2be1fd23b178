import { describe, expect, it } from "vitest";
import { type Category, crawlerOf, knownCrawlers } from "../src/pageview/crawler.js";
import { feedReader, isDownload, isFeed, notFoundSource } from "../src/pageview/server.js";

describe("crawlers", () => {
  it.each<[string, string, Category]>([
    // search
    [
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Googlebot",
      "search",
    ],
    ["Googlebot-Image/1.0", "Googlebot-Image", "search"],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
      "bingbot",
      "search",
    ],
    ["Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "Yandex", "search"],
    [
      "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
      "Baiduspider",
      "search",
    ],
    ["DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "DuckDuckBot", "search"],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
      "Applebot",
      "search",
    ],
    // ai: training, AI search and assistants fetching for a user
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
      "GPTBot",
      "ai",
    ],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot",
      "ChatGPT-User",
      "ai",
    ],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot",
      "OAI-SearchBot",
      "ai",
    ],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
      "ClaudeBot",
      "ai",
    ],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)",
      "Claude-User",
      "ai",
    ],
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
      "PerplexityBot",
      "ai",
    ],
    [
      "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
      "Bytespider",
      "ai",
    ],
    ["CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot", "ai"],
    [
      "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
      "meta-externalagent",
      "ai",
    ],
    ["DuckAssistBot/1.2; (+http://duckduckgo.com/duckassistbot.html)", "DuckAssistBot", "ai"],
    // tagged otherwise by the list, ai here
    [
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36",
      "Amazonbot",
      "ai",
    ],
    [
      "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2049.0 Safari/537.36 (compatible; Diffbot/0.1; +http://www.diffbot.com)",
      "Diffbot",
      "ai",
    ],
    ["Mozilla/5.0 (compatible; YouBot (+http://www.you.com))", "YouBot", "ai"],
    // seo
    ["Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "AhrefsBot", "seo"],
    ["Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "SemrushBot", "seo"],
    ["Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "MJ12bot", "seo"],
    [
      "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
      "DotBot",
      "seo",
    ],
    // social
    [
      "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
      "facebookexternalhit",
      "social",
    ],
    ["Twitterbot/1.0", "Twitterbot", "social"],
    [
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
      "LinkedInBot",
      "social",
    ],
    ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot", "social"],
    ["Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discordbot", "social"],
    ["WhatsApp/2.23.20.0", "WhatsApp", "social"],
    [
      "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
      "Pinterestbot",
      "social",
    ],
    // monitor
    ["Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "UptimeRobot", "monitor"],
    ["Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "Pingdom", "monitor"],
    ["W3C-checklink/4.5 [4.160] libwww-perl/5.823", "W3C-checklink", "monitor"],
    // feed
    [
      "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; like FeedFetcher-Google)",
      "Feedly",
      "feed",
    ],
    ["Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 45 subscribers; )", "Inoreader", "feed"],
    ["Miniflux/2.1.0 (https://miniflux.app)", "Miniflux", "feed"],
    ["Tiny Tiny RSS/23.04 (https://tt-rss.org/)", "Tiny Tiny RSS", "feed"],
    ["NetNewsWire (RSS Reader; https://netnewswire.com/)", "NetNewsWire", "feed"],
    // other: libraries, advertising, archivers
    ["curl/8.5.0", "curl", "other"],
    ["python-requests/2.31.0", "python-requests", "other"],
    ["Go-http-client/1.1", "Go-http-client", "other"],
    ["Wget/1.21.4", "Wget", "other"],
    ["AdsBot-Google (+http://www.google.com/adsbot.html)", "AdsBot-Google", "other"],
    [
      "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)",
      "archive.org_bot",
      "other",
    ],
  ])("%s is %s (%s)", (userAgent, name, category) => {
    expect(crawlerOf(userAgent)).toEqual({ name, category });
  });

  it("names a crawler the list does not know (other bot)", () => {
    for (const userAgent of [
      "Mozilla/5.0 (compatible; ZqxwvCrawler/1.0; +https://example.org/zqxwv)",
      "Mozilla/5.0 (compatible; Acme-Fetcher/2.0; +https://acme.example/bot)",
      "-",
      "",
    ])
      expect(crawlerOf(userAgent)).toEqual({ name: "(other bot)", category: "other" });
  });

  it("compares without case, and names the crawler as the list spells it", () => {
    expect(crawlerOf("GOOGLEBOT/2.1")).toEqual({ name: "Googlebot", category: "search" });
    expect(crawlerOf("Mozilla/5.0 (compatible; claudebot)")).toEqual({ name: "ClaudeBot", category: "ai" });
  });

  it("picks one crawler when several patterns match", () => {
    // The bot, not the library it is built with.
    expect(crawlerOf("Mozilla/5.0 (compatible; Go-http-client/1.1; +centurybot9@gmail.com)")).toEqual({
      name: "centurybot",
      category: "seo",
    });
    // Nor the headless browser it drives.
    expect(
      crawlerOf(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/87.0.4280.88 YextBot/Java Safari/537.36",
      ),
    ).toEqual({ name: "YextBot", category: "seo" });
    // The list's depends_on: archive.org_bot's crawls run on heritrix.
    expect(
      crawlerOf("Mozilla/5.0 (compatible; heritrix/3.1.1 +http://www.archive.org/details/archive.org_bot)")
        .name,
    ).toBe("archive.org_bot");
    // Otherwise the token written first: Feedly's agent also says "like FeedFetcher-Google".
    expect(crawlerOf("Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)").name).toBe(
      "Feedly",
    );
  });

  it("has every well-known AI agent as ai", () => {
    for (const token of [
      "GPTBot",
      "ChatGPT-User",
      "OAI-SearchBot",
      "ClaudeBot",
      "Claude-User",
      "Claude-SearchBot",
      "anthropic-ai",
      "PerplexityBot",
      "Perplexity-User",
      "Bytespider",
      "CCBot",
      "Amazonbot",
      "meta-externalagent",
      "cohere-ai",
      "Diffbot",
      "YouBot",
      "DuckAssistBot",
      "MistralAI-User",
    ])
      expect(crawlerOf(`Mozilla/5.0 (compatible; ${token}/1.0; +https://example.com/bot)`)).toEqual({
        name: token,
        category: "ai",
      });
  });

  it("gives each name one category, and every name reads as a token", () => {
    const categories = new Map<string, Set<Category>>();
    for (const { name, category } of knownCrawlers()) {
      expect(name).toMatch(/^[\p{L}\p{N}].*[\p{L}\p{N})]$/u);
      expect(name).not.toMatch(/\/|\\/);
      categories.set(name, (categories.get(name) ?? new Set()).add(category));
    }
    expect(knownCrawlers().length).toBeGreaterThan(1400);
    expect([...categories].filter(([, set]) => set.size > 1)).toEqual([]);
  });
});

describe("downloads", () => {
  it.each([
    ["/files/report.pdf", true],
    ["/files/REPORT.PDF", true],
    ["/dist/app-1.2.3.tar.gz", true],
    ["/dist/app.tgz", true],
    ["/setup.exe", true],
    ["/mac/App.dmg", true],
    ["/pkg/tool_1.0_amd64.deb", true],
    ["/podcast/episode-12.mp3", true],
    ["/video/talk.webm", true],
    ["/data/export.csv", true],
    ["/slides/deck.pptx", true],
    ["/books/novel.epub", true],
    ["/files/report.pdf?download=1", true],
    ["/pdf/", false],
    ["/pdf", false],
    ["/a.pdf.html", false],
    ["/", false],
    ["/blog/post/", false],
    ["/style.css", false],
    ["/logo.png", false],
    ["/robots.txt", false],
    ["/feed.xml", false],
    ["/.zip", false],
  ])("%s: %s", (page, expected) => {
    expect(isDownload(page)).toBe(expected);
  });
});

describe("feeds", () => {
  it.each<[string, string | undefined, boolean]>([
    // by content type, whatever the path
    ["/anything", "application/rss+xml", true],
    ["/anything", "application/atom+xml; charset=utf-8", true],
    ["/anything", "Application/Feed+JSON", true],
    // by path, with no content type or a generic one
    ["/feed.xml", undefined, true],
    ["/blog/atom.xml", undefined, true],
    ["/rss.xml", "text/xml", true],
    ["/podcast-feed.xml", "application/xml", true],
    ["/index.xml", undefined, true],
    ["/posts/index.xml", "-", true],
    ["/feed/", undefined, true],
    ["/feed", undefined, true],
    ["/blog/feed/", "application/xml", true],
    ["/comments/feed/atom/", undefined, true],
    ["/feed/rss2/", undefined, true],
    ["/rss/", undefined, true],
    ["/news.rss", undefined, true],
    ["/news.atom", undefined, true],
    ["/feed.json", "application/json", true],
    ["/FEED.XML", undefined, true],
    ["/feed.xml?format=full", undefined, true],
    // not feeds
    ["/sitemap.xml", "application/xml", false],
    ["/sitemap_index.xml", undefined, false],
    ["/api/items", "application/json", false],
    ["/feedback/", undefined, false],
    ["/feeds-explained/", undefined, false],
    ["/", "text/html", false],
    // a feed path answered as HTML is a page about the feed
    ["/rss/", "text/html; charset=utf-8", false],
    // nor is a page's style, script, image or font, whatever its path
    ["/feed/", "text/css", false],
    ["/rss/app.js", "application/javascript", false],
    ["/feed.xml", "image/svg+xml", false],
  ])("%s (%s): %s", (page, contentType, expected) => {
    expect(isFeed(page, contentType)).toBe(expected);
  });
});

describe("feed readers", () => {
  it.each([
    [
      "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; like FeedFetcher-Google)",
      "Feedly",
      123,
    ],
    ["Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 45 subscribers; )", "Inoreader", 45],
    [
      "NewsBlur Feed Fetcher - 12 subscribers - http://www.newsblur.com/site/6028/example (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15)",
      "NewsBlur",
      12,
    ],
    ["Feedbin feed-id:1234 - 56 subscribers", "Feedbin", 56],
    ["Mozilla/5.0 (compatible; theoldreader.com; 1 subscriber; feed-id=5f1e)", "theoldreader.com", 1],
    ["Netvibes (crawler/bot; http://www.netvibes.com; 12 subscribers; feedID: 1)", "Netvibes", 12],
    [
      "Mozilla/5.0 (compatible; Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google); 1,234 subscribers)",
      "Feedspot",
      1234,
    ],
    // readers the crawler list does not know: the agent's first token
    ["Acme-Reader/1.0 (7 readers)", "Acme-Reader", 7],
    ["Mozilla/5.0 (compatible; AcmeFeeds/2.1; 3 subscribers)", "AcmeFeeds", 3],
    ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; 0 subscribers)", "Feedly", 0],
    ["12 subscribers", "(other reader)", 12],
  ])("%s: %s, %d", (userAgent, name, subscribers) => {
    expect(feedReader(userAgent)).toEqual({ name, subscribers });
  });

  it("is undefined without a count", () => {
    for (const userAgent of [
      "Miniflux/2.1.0 (https://miniflux.app)",
      "Tiny Tiny RSS/23.04 (https://tt-rss.org/)",
      "Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      "Feedbin feed-id:1234 - subscribers",
      "Reader 2.5 subscribers",
      "",
    ])
      expect(feedReader(userAgent)).toBeUndefined();
  });
});

describe("where a missing page's link was", () => {
  const own = new Set(["example.com", "blog.example.com"]);
  const ownHost = (host: string) => own.has(host);

  it.each([
    ["", { kind: "none" }],
    ["-", { kind: "none" }],
    ["not a url", { kind: "none" }],
    // the site's own pages: a broken link, named as pages are
    ["https://example.com/blog/x/", { kind: "internal", page: "/blog/x/" }],
    ["https://www.example.com/blog/x/index.html?utm_source=a#top", { kind: "internal", page: "/blog/x/" }],
    ["http://EXAMPLE.com:8080/caf%C3%A9/", { kind: "internal", page: "/café/" }],
    ["https://blog.example.com", { kind: "internal", page: "/" }],
    ["https://example.com?q=1", { kind: "internal", page: "/" }],
    // other sites: host and path, no scheme, query or fragment
    ["https://www.other.org/links/?ref=1#x", { kind: "external", referrer: "other.org/links/" }],
    ["https://News.YCombinator.com/item?id=1", { kind: "external", referrer: "news.ycombinator.com/item" }],
    ["https://other.org", { kind: "external", referrer: "other.org/" }],
    ["https://shop.example.com/a", { kind: "external", referrer: "shop.example.com/a" }],
    ["android-app://com.google.android.gm/", { kind: "external", referrer: "com.google.android.gm/" }],
  ])("%s", (referrer, expected) => {
    expect(notFoundSource(referrer, ownHost)).toEqual(expected);
  });

  it("asks ownHost with the host normalised", () => {
    const asked: string[] = [];
    notFoundSource("https://WWW.Example.COM:443/a", (host) => {
      asked.push(host);
      return false;
    });
    expect(asked).toEqual(["example.com"]);
  });
});
