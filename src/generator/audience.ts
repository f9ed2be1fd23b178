/**
 * The audience of generated traffic: who the readers are (visitors: an IP address, a user agent and
 * a country), what they use, and how they arrive (referrer and query string). Every table entry
 * states what the audience rules of docs/page-views.md must make of it: the browser, OS and device names of a user
 * agent, the source of a referrer, the source and campaign of a query string. The expected counts
 * come from these labels, never from parsing the strings, so a test comparing them can fail.
 */

/** The host the site is requested at: CloudFront's x-host-header, the S3 bucket, combined's vhost. */
export const SITE_HOST = "www.example.com";

export interface UserAgentIntent {
  userAgent: string;
  /** The names docs/page-views.md gives (ua-parser-js 1.x names, mapped: `Mobile Safari` is `Safari`, ...). */
  browser: string;
  os: string;
  device: "desktop" | "mobile" | "tablet";
  /** Relative share of visitors. */
  weight: number;
}

/**
 * Real, common user agents, each unambiguous for ua-parser-js 1.x (checked in test/generator.test.ts),
 * whose raw names are noted where pagetrack renames them (docs/page-views.md).
 */
export const USER_AGENTS: readonly UserAgentIntent[] = [
  {
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    browser: "Chrome",
    os: "Windows",
    device: "desktop",
    weight: 28,
  },
  {
    // ua-parser-js: Mobile Safari, iOS, mobile (Apple iPhone).
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    browser: "Safari",
    os: "iOS",
    device: "mobile",
    weight: 18,
  },
  {
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    browser: "Chrome",
    os: "Android",
    device: "mobile",
    weight: 15,
  },
  {
    // ua-parser-js: Safari, Mac OS, no device type (Apple Macintosh).
    userAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    browser: "Safari",
    os: "macOS",
    device: "desktop",
    weight: 9,
  },
  {
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
    browser: "Edge",
    os: "Windows",
    device: "desktop",
    weight: 8,
  },
  {
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    browser: "Firefox",
    os: "Linux",
    device: "desktop",
    weight: 4,
  },
  {
    // ua-parser-js: Mobile Safari, iOS, tablet (Apple iPad).
    userAgent:
      "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    browser: "Safari",
    os: "iOS",
    device: "tablet",
    weight: 4,
  },
  {
    // ua-parser-js: Samsung Internet, Android, mobile (Samsung SM-S918B).
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    browser: "Samsung Internet",
    os: "Android",
    device: "mobile",
    weight: 4,
  },
  {
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0",
    browser: "Opera",
    os: "Windows",
    device: "desktop",
    weight: 2,
  },
  {
    // ua-parser-js: Chrome, Chromium OS, no device type.
    userAgent:
      "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    browser: "Chrome",
    os: "ChromeOS",
    device: "desktop",
    weight: 2,
  },
  {
    userAgent: "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
    browser: "Firefox",
    os: "Android",
    device: "mobile",
    weight: 1,
  },
];

/** ISO 3166-1 alpha-2 codes with their relative share of visitors. */
export const COUNTRIES: readonly { country: string; weight: number }[] = [
  { country: "US", weight: 28 },
  { country: "IN", weight: 9 },
  { country: "DE", weight: 9 },
  { country: "GB", weight: 8 },
  { country: "FR", weight: 6 },
  { country: "BR", weight: 5 },
  { country: "CA", weight: 5 },
  { country: "JP", weight: 4 },
  { country: "NL", weight: 4 },
  { country: "AU", weight: 4 },
  { country: "ES", weight: 3 },
  { country: "SE", weight: 2 },
  { country: "PL", weight: 2 },
];

export interface ReferrerIntent {
  referrer: string;
  /** The source docs/page-views.md gives an entry with this referrer and no source query parameter. */
  source: string;
  weight: number;
}

/** Search engines: the families of docs/page-views.md, with the names it gives them. */
export const SEARCH_REFERRERS: readonly ReferrerIntent[] = [
  { referrer: "https://www.google.com/", source: "Google", weight: 30 },
  { referrer: "https://www.google.co.uk/", source: "Google", weight: 5 },
  { referrer: "https://www.google.de/", source: "Google", weight: 4 },
  { referrer: "https://www.google.com.au/", source: "Google", weight: 3 },
  { referrer: "https://www.bing.com/search?q=page+view+counter&form=QBLH", source: "Bing", weight: 5 },
  { referrer: "https://duckduckgo.com/", source: "DuckDuckGo", weight: 4 },
  { referrer: "https://search.yahoo.com/", source: "Yahoo", weight: 1 },
  { referrer: "https://yandex.ru/", source: "Yandex", weight: 1 },
  { referrer: "https://www.baidu.com/link?url=a1b2c3", source: "Baidu", weight: 1 },
  { referrer: "https://www.ecosia.org/", source: "Ecosia", weight: 1 },
];

/** Social sites, forums, code hosts, a mail app: the families of docs/page-views.md. */
export const SOCIAL_REFERRERS: readonly ReferrerIntent[] = [
  { referrer: "https://t.co/AbC123", source: "Twitter", weight: 4 },
  { referrer: "https://x.com/", source: "Twitter", weight: 1 },
  {
    // The target in the query names the site itself: the referrer's host is what counts.
    referrer: "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.example.com%2Fblog%2F&h=AT0xYz",
    source: "Facebook",
    weight: 3,
  },
  { referrer: "https://m.facebook.com/", source: "Facebook", weight: 1 },
  { referrer: "https://lm.facebook.com/", source: "Facebook", weight: 1 },
  { referrer: "https://old.reddit.com/r/programming/", source: "Reddit", weight: 2 },
  { referrer: "https://www.reddit.com/r/webdev/comments/abc123/", source: "Reddit", weight: 2 },
  { referrer: "https://out.reddit.com/t3_abc123", source: "Reddit", weight: 1 },
  { referrer: "https://news.ycombinator.com/item?id=1", source: "Hacker News", weight: 3 },
  { referrer: "https://www.linkedin.com/feed/", source: "LinkedIn", weight: 2 },
  { referrer: "https://lnkd.in/abc", source: "LinkedIn", weight: 1 },
  { referrer: "https://github.com/someone/repo", source: "GitHub", weight: 2 },
  { referrer: "https://stackoverflow.com/questions/1", source: "Stack Overflow", weight: 2 },
  { referrer: "https://m.youtube.com/watch?v=x", source: "YouTube", weight: 1 },
  { referrer: "https://www.youtube.com/", source: "YouTube", weight: 1 },
  { referrer: "android-app://com.google.android.gm/", source: "Gmail", weight: 1 },
];

/** Other sites: the source is the referrer's host, lower case, without `www.` and port. */
export const OTHER_REFERRERS: readonly ReferrerIntent[] = [
  { referrer: "https://blog.example.org/links", source: "blog.example.org", weight: 4 },
  { referrer: "http://friend.example.net:8080/", source: "friend.example.net", weight: 2 },
  { referrer: "https://WWW.Example.Net/", source: "example.net", weight: 2 },
  { referrer: "android-app://org.example.reader/", source: "org.example.reader", weight: 1 },
  // Another host of the same domain is another site: only the site's own hosts are internal.
  { referrer: "https://news.example.com/today", source: "news.example.com", weight: 1 },
];

export interface QueryIntent {
  query: string;
  /** The source the query's parameters give an entry; undefined when it has none of them. */
  source?: string;
  campaign?: string;
  weight: number;
}

/** Query strings of entries: campaign links, `source=`/`ref=` links, unrelated parameters. */
export const ENTRY_QUERIES: readonly QueryIntent[] = [
  {
    query: "utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale",
    source: "newsletter",
    campaign: "spring-sale",
    weight: 5,
  },
  { query: "utm_source=newsletter", source: "newsletter", weight: 3 },
  // Percent-decoded, as given.
  { query: "utm_source=news%20letter", source: "news letter", weight: 2 },
  { query: "utm_source=mastodon&utm_campaign=launch", source: "mastodon", campaign: "launch", weight: 2 },
  { query: "source=rss", source: "rss", weight: 2 },
  { query: "ref=producthunt", source: "producthunt", weight: 2 },
  // The first non-empty of utm_source, source, ref.
  { query: "utm_source=&ref=partner-site", source: "partner-site", weight: 1 },
  { query: "ref=old-link&utm_source=twitter", source: "twitter", weight: 1 },
  // A campaign without a source parameter: the referrer decides the source.
  { query: "utm_campaign=autumn", campaign: "autumn", weight: 1 },
  // Parameters that name no source.
  { query: "id=42", weight: 2 },
  { query: "fbclid=IwAR0abc", weight: 1 },
];

/** Query strings of views that are not entries: they change nothing. */
export const INTERNAL_QUERIES: readonly string[] = [
  "utm_source=newsletter&id=123",
  "page=2",
  "ref=sidebar",
  "source=footer",
];

/** A reader: one (client IP, user agent) pair, with the country of its IP address. */
export interface Visitor {
  clientIp: string;
  agent: UserAgentIntent;
  country: string;
  /** The pair itself, `<ip> <user agent>`: what a log reader can tell visitors apart by. */
  key: string;
}

/** A picker of weighted entries driven by `rand`. */
export function weighted<T extends { weight: number }>(list: readonly T[], rand: () => number): () => T {
  const total = list.reduce((sum, item) => sum + item.weight, 0);
  return () => {
    let r = rand() * total;
    for (const item of list) {
      r -= item.weight;
      if (r < 0) return item;
    }
    return list[list.length - 1];
  };
}

/**
 * `size` visitors with distinct client IPs, except that some (a household, an office) share the IP
 * of the visitor before them with another user agent: still distinct (IP, UA) pairs. IPv4 addresses
 * come from 10.0.0.0/8 through a bijection of the index, so up to 16 million are distinct; about one
 * visitor in seven has an IPv6 address in 2001:db8::/32.
 */
export function visitorPool(size: number, rand: () => number): Visitor[] {
  const agent = weighted(USER_AGENTS, rand);
  const country = weighted(COUNTRIES, rand);
  const offset = Math.floor(rand() * 0x1000000);
  const visitors: Visitor[] = [];
  // The user agents of the visitors sharing the last visitor's IP.
  const household = new Set<UserAgentIntent>();
  for (let i = 0; i < size; i++) {
    const previous = visitors[i - 1];
    let clientIp: string;
    let chosen = agent();
    let where = country().country;
    if (previous !== undefined && rand() < 0.06 && household.size < USER_AGENTS.length) {
      clientIp = previous.clientIp;
      where = previous.country;
      while (household.has(chosen)) chosen = agent();
    } else {
      household.clear();
      // An odd multiplier is a bijection modulo 2^24: distinct indexes give distinct addresses.
      const n = (Math.imul(i, 0x9e3779b1) + offset) & 0xffffff;
      clientIp =
        rand() < 0.15
          ? `2001:db8:${(n >>> 12).toString(16)}:${(n & 0xfff).toString(16)}::${(1 + Math.floor(rand() * 0xfffe)).toString(16)}`
          : `10.${n >>> 16}.${(n >>> 8) & 0xff}.${n & 0xff}`;
    }
    household.add(chosen);
    visitors.push({ clientIp, agent: chosen, country: where, key: `${clientIp} ${chosen.userAgent}` });
  }
  return visitors;
}
